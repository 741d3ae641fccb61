"""vCard 3.0 of a person, for address books (RFC 2426)."""

from django.conf import settings
from django.utils.text import slugify

from directory.models import Person


def _escape(value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n")  # a bare CR would start a new property
    return value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")


def work_number(extension: str) -> str:
    """An extension as a number someone outside can dial: the office's main number, then the
    extension ("+66 2 280 0000 ext. 3130", as RFC 6350 §6.4.1 writes one in text)."""
    main = settings.OFFICE_PHONE_NUMBER.strip()
    return f"{main} ext. {extension}" if main else extension


def file_name(person: Person) -> tuple[str, str]:
    """The file's name: in ASCII (from the English name) for old clients, and the person's name as
    the reader sees it for the rest (RFC 6266's filename*)."""
    ascii_name = slugify(person.name_en if person.first_name_en else "") or f"person-{person.pk}"
    return f"{ascii_name}.vcf", f"{person.display_name}.vcf"


def vcard_for(person: Person) -> str:
    team = person.team
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"N:{_escape(person.last_name_th)};{_escape(person.first_name_th)};;{_escape(person.title_th)};",
        f"FN:{_escape(person.name_th)}",
    ]
    if person.first_name_en:
        lines.append(f"X-PHONETIC-FIRST-NAME:{_escape(person.first_name_en)}")
        lines.append(f"X-PHONETIC-LAST-NAME:{_escape(person.last_name_en)}")
    if person.nickname:
        lines.append(f"NICKNAME:{_escape(person.nickname)}")
    organisation = person.affiliation if person.is_expert else "คุรุสภา"
    units = [team.bureau.name_th, team.name_th] if team else []
    lines.append("ORG:" + ";".join(_escape(part) for part in [organisation, *units] if part))
    if person.position_th:
        lines.append(f"TITLE:{_escape(person.position_th)}")
    lines.append(f"EMAIL;TYPE=INTERNET,WORK:{_escape(person.email)}")
    if person.phone_ext:
        lines.append(f"TEL;TYPE=WORK,VOICE:{_escape(work_number(person.phone_ext))}")
    if person.mobile:
        lines.append(f"TEL;TYPE=CELL:{_escape(person.mobile)}")
    lines.append("END:VCARD")
    return "\r\n".join(lines) + "\r\n"
