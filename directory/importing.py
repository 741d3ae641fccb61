"""Bulk import of people from HR's CSV or Excel exports: check every row, then save all of them or none."""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from itertools import islice
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from directory import workbooks
from directory.models import Person, Team
from directory.services import WEEKDAYS, refresh_search_documents

REQUIRED = ("email", "first_name_th", "last_name_th")
TEXT_FIELDS = (
    "title_th",
    "title_en",
    "first_name_th",
    "last_name_th",
    "first_name_en",
    "last_name_en",
    "nickname",
    "position_th",
    "position_en",
    "phone_ext",
    "mobile",
    "skills",
    "affiliation",
)
COLUMNS = (
    *REQUIRED,
    "kind",
    *(name for name in TEXT_FIELDS if name not in REQUIRED),
    "team",
    "manager_email",
    "expertise",
    "days_at_home",
)
EXPERTISE = ("teacher", "school_administrator", "educational_administrator", "educational_supervisor")
DAY_NAMES = {
    **{day: day for day in WEEKDAYS},
    "monday": "mon",
    "tuesday": "tue",
    "wednesday": "wed",
    "thursday": "thu",
    "friday": "fri",
    "saturday": "sat",
    "sunday": "sun",
    "จ": "mon",
    "จันทร์": "mon",
    "อ": "tue",
    "อังคาร": "tue",
    "พ": "wed",
    "พุธ": "wed",
    "พฤ": "thu",
    "พฤหัส": "thu",
    "พฤหัสบดี": "thu",
    "ศ": "fri",
    "ศุกร์": "fri",
    "ส": "sat",
    "เสาร์": "sat",
    "อา": "sun",
    "อาทิตย์": "sun",
}
# Headers that would bring national ID numbers in, compared without case, spaces, "_", "-" or ".".
NATIONAL_ID_HEADERS = {
    "nationalid",
    "nationalidnumber",
    "citizenid",
    "citizenidnumber",
    "idcard",
    "idcardno",
    "idcardnumber",
    "เลขประจำตัวประชาชน",
    "เลขบัตรประชาชน",
    "บัตรประชาชน",
}
NATIONAL_ID_VALUE = re.compile(r"\d[ -]?\d{4}[ -]?\d{5}[ -]?\d{2}[ -]?\d")  # 1-2345-67890-12-3
LIST_SEPARATORS = re.compile(r"[,;/、]+")
MAX_ROWS = 10_000
# 10,000 people of about 20 columns, in Thai UTF-8, come to about 4 MB of CSV and less as .xlsx.
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_COLUMNS = 100


@dataclass(frozen=True)
class RowError:
    line: int  # as Excel or a text editor shows it: the header is line 1; 0 for the file as a whole
    column: str  # the header name, "" for a whole line or file
    message: str

    def __str__(self) -> str:
        where = _("line %(line)s") % {"line": self.line}
        if self.column:
            where = _("line %(line)s, column %(column)s") % {"line": self.line, "column": self.column}
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    line: int
    email: str
    fields: dict  # model field -> value, only for the columns the file has
    manager_email: str | None = None  # only meaningful when the file has a manager_email column


def import_people(data: bytes, filename: str, *, dry_run: bool) -> ImportReport:
    """Check the file; unless `dry_run` or anything is wrong, create or update everyone in it at once.

    Callers read at most MAX_FILE_BYTES + 1 bytes of an upload, so a larger file is refused here
    without ever being held whole."""
    table, error = _read_table(data, filename)
    if error:
        return ImportReport(errors=[error])
    header, records = table
    columns, errors = _read_header(header)
    if errors:
        return ImportReport(errors=errors)
    if not any(any(value.strip() for value in values) for _line, values in records):
        return ImportReport(errors=[RowError(0, "", _("The file has a header but no people."))])
    if len(records) > MAX_ROWS:
        message = _("Import at most %(limit)s people per file.") % {"limit": MAX_ROWS}
        return ImportReport(errors=[RowError(0, "", message)])
    rows, errors = _read_rows(columns, records)
    errors += _manager_loops(rows, columns)
    if errors:
        return ImportReport(errors=sorted(errors, key=lambda error: error.line))
    return _save(rows, has_manager="manager_email" in columns, dry_run=dry_run)


# --- Reading the file -----------------------------------------------------------------------------


def _read_table(data: bytes, filename: str):
    """((header, [(line, values)]), None), or (None, RowError) when the file cannot be read at all."""
    suffix = PurePath(filename or "").suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        hint = _(" Save it from Excel as .xlsx or CSV.") if suffix in (".xls", ".ods", ".numbers", ".txt") else ""
        return None, RowError(0, "", _("Only .csv and .xlsx files can be imported.") + hint)
    if len(data) > MAX_FILE_BYTES:
        return None, _too_large()
    if not data or not data.strip():
        return None, RowError(0, "", _("The file is empty."))
    rows = _xlsx_rows(data) if suffix == ".xlsx" else _csv_rows(data)
    if isinstance(rows, RowError):
        return None, rows
    if not rows or not any(cell.strip() for cell in rows[0]):
        return None, RowError(1, "", _("The first line must be the header with the column names."))
    return (rows[0], list(enumerate(rows[1:], start=2))), None


def _too_large() -> RowError:
    message = _("The file is larger than %(limit)s MB. Split it into several files of at most %(rows)s people.")
    return RowError(0, "", message % {"limit": MAX_FILE_BYTES // (1024 * 1024), "rows": MAX_ROWS})


# The header, the most people a file may hold, and one more line to tell that the file has too many.
_ROWS_TO_READ = 1 + MAX_ROWS + 1


def _csv_rows(data: bytes) -> list[list[str]] | RowError:
    if data.startswith(b"PK\x03\x04"):
        return RowError(0, "", _("This is an Excel workbook, not a CSV file: name it .xlsx and import it again."))
    text = _decode(data)
    if text is None:
        return RowError(
            0,
            "",
            _(
                "This file cannot be read as text in UTF-8 or in Thai Windows encoding (Windows-874). "
                "Open it in Excel and save it as “CSV UTF-8”, then import it again."
            ),
        )
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    try:
        return list(islice(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), _ROWS_TO_READ))
    except csv.Error as error:
        return RowError(0, "", _("This CSV file is damaged (%(reason)s).") % {"reason": error})


def _decode(data: bytes) -> str | None:
    """The text in UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-874; None if it is none of them."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ("utf-16",)
    else:
        candidates = ("utf-8-sig", "cp874")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text if _looks_like_text(text) else None
    return None


def _looks_like_text(text: str) -> bool:
    if "\x00" in text:
        return False
    junk = sum(1 for ch in text if ch == "\ufffd" or (unicodedata.category(ch) in ("Cc", "Co") and ch not in "\t\r\n"))
    has_thai = any("\u0e00" <= ch <= "\u0e7f" for ch in text)
    # Real exports may carry a stray control character; wrongly decoded bytes carry many.
    return junk <= max(2, len(text) // (100 if has_thai else 200))


def _xlsx_rows(data: bytes) -> list[list[str]] | RowError:
    try:
        return workbooks.first_sheet_rows(
            data, max_rows=_ROWS_TO_READ, max_columns=MAX_COLUMNS, max_unpacked_bytes=MAX_UNPACKED_BYTES
        )
    except workbooks.Unreadable:
        return RowError(0, "", _("This file is not an Excel workbook we can read. Save it again as .xlsx or CSV."))
    except workbooks.TooLargeUnpacked:
        message = _("Unpacked, this workbook is larger than %(limit)s MB. Split it into several files.")
        return RowError(0, "", message % {"limit": MAX_UNPACKED_BYTES // (1024 * 1024)})
    except workbooks.TooWide:
        return RowError(0, "", _("The file has more than %(limit)s columns.") % {"limit": MAX_COLUMNS})


def _read_header(header: list[str]) -> tuple[dict[str, tuple[int, str]], list[RowError]]:
    """Column name -> (index, name as written in the file), and the header's problems."""
    columns, errors = {}, []
    for index, raw in enumerate(header):
        name = raw.strip().lstrip("\ufeff")
        key = name.lower()
        if not key:
            continue
        if re.sub(r"[\s_.\-]", "", key) in NATIONAL_ID_HEADERS or "ประชาชน" in key:
            message = _(
                "The column “%(column)s” holds national ID numbers. The Council keeps no national ID numbers in "
                "the directory (PDPA): delete the column and import the file again."
            ) % {"column": name}
            return {}, [RowError(1, name, message)]
        if key not in COLUMNS:
            errors.append(
                RowError(1, name, _("Unknown column. The columns are: %(columns)s.") % {"columns": ", ".join(COLUMNS)})
            )
        elif key in columns:
            errors.append(RowError(1, name, _("This column appears twice.")))
        else:
            columns[key] = (index, name)
    for key in REQUIRED:
        if key not in columns:
            errors.append(
                RowError(1, key, _("The header has no “%(column)s” column; it is required.") % {"column": key})
            )
    return columns, errors


# --- Checking the rows ----------------------------------------------------------------------------


def _read_rows(columns: dict, records: list) -> tuple[list[_Row], list[RowError]]:
    teams = {code.lower(): pk for pk, code in Team.objects.values_list("pk", "code")} if "team" in columns else {}
    existing = set(Person.objects.annotate(e=Lower("email")).values_list("e", flat=True))
    file_emails = {}
    for line, values in records:
        email = _value(values, columns, "email").lower()
        file_emails.setdefault(email, line)
    known = existing | set(file_emails)
    named = {index for index, _name in columns.values()}
    rows, errors, first_line_of = [], [], {}
    for line, values in records:
        if not any(value.strip() for value in values):
            continue  # a blank line is skipped, but still counted so line numbers match
        row_errors = []

        def problem(column: str, message: str, line=line, row_errors=row_errors):
            row_errors.append(RowError(line, columns[column][1] if column in columns else column, message))

        for index, value in enumerate(values):
            if value.strip() and index not in named:
                row_errors.append(
                    RowError(
                        line,
                        _("column %(number)s") % {"number": index + 1},
                        _("A value in a column without a name in the header."),
                    )
                )
            if NATIONAL_ID_VALUE.fullmatch(value.strip()):
                row_errors.append(
                    RowError(
                        line,
                        columns.get(_key_of(columns, index), ("", ""))[1],
                        _("This looks like a national ID number; the directory keeps none (PDPA). Remove it."),
                    )
                )
        fields = {}
        for key in REQUIRED:
            if not _value(values, columns, key):
                problem(key, _("Required; this is empty."))
        email = _value(values, columns, "email").lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problem("email", _("“%(email)s” is not a valid e-mail address.") % {"email": email})
            else:
                if email in first_line_of:
                    problem(
                        "email",
                        _("%(email)s is also on line %(line)s; each person appears once.")
                        % {"email": email, "line": first_line_of[email]},
                    )
                else:
                    first_line_of[email] = line
        for key in ("email", *TEXT_FIELDS):
            if key not in columns:
                continue
            value = _value(values, columns, key)
            limit = Person._meta.get_field(key).max_length
            if len(value) > limit:
                problem(
                    key, _("At most %(limit)s characters; this has %(count)s.") % {"limit": limit, "count": len(value)}
                )
            elif key != "email":
                fields[key] = value
        if "kind" in columns:
            kind = _value(values, columns, "kind").lower() or Person.Kind.STAFF
            if kind in Person.Kind.values:
                fields["kind"] = kind
            else:
                problem("kind", _("“%(value)s” is not a kind; use staff or expert.") % {"value": kind})
        if "team" in columns:
            code = _value(values, columns, "team")
            fields["team_id"] = teams.get(code.lower()) if code else None
            if code and fields["team_id"] is None:
                problem("team", _("There is no team with the code “%(code)s”.") % {"code": code})
        if "expertise" in columns:
            items = _items(_value(values, columns, "expertise").lower())
            wrong = [item for item in items if item not in EXPERTISE]
            fields["expertise"] = list(dict.fromkeys(items))
            if wrong:
                problem(
                    "expertise",
                    _("“%(values)s” is not an area of expertise; use %(allowed)s.")
                    % {"values": ", ".join(wrong), "allowed": ", ".join(EXPERTISE)},
                )
        if "days_at_home" in columns:
            items = [item.rstrip(".") for item in _items(_value(values, columns, "days_at_home").lower())]
            wrong = [item for item in items if item not in DAY_NAMES]
            home = {DAY_NAMES.get(item) for item in items}
            fields["work_pattern"] = {
                day: "home" if day in home else ("office" if index < 5 else "off") for index, day in enumerate(WEEKDAYS)
            }
            if wrong:
                problem(
                    "days_at_home",
                    _("“%(values)s” is not a weekday; use mon … sun or จ อ พ พฤ ศ ส อา.")
                    % {"values": ", ".join(wrong)},
                )
        manager = _value(values, columns, "manager_email").lower() or None
        if manager and manager == email:
            problem("manager_email", _("A person cannot be their own manager."))
        elif manager and manager not in known:
            problem(
                "manager_email",
                _("Nobody with the e-mail %(email)s is in this file or in the directory.") % {"email": manager},
            )
        errors += row_errors
        if not row_errors:
            rows.append(_Row(line, email, fields, manager))
    return rows, errors


def _value(values: list[str], columns: dict, key: str) -> str:
    index = columns.get(key, (None,))[0]
    return values[index].strip() if index is not None and index < len(values) else ""


def _key_of(columns: dict, index: int) -> str:
    return next((key for key, (position, _name) in columns.items() if position == index), "")


def _items(text: str) -> list[str]:
    return [item.strip() for item in LIST_SEPARATORS.split(text.replace("，", ",")) if item.strip()]


def _manager_loops(rows: list[_Row], columns: dict) -> list[RowError]:
    """Rows whose manager chain, over the directory with this file applied, comes back to them."""
    if "manager_email" not in columns:
        return []
    manager_of = {
        email: manager
        for email, manager in Person.objects.annotate(e=Lower("email"), m=Lower("manager__email")).values_list("e", "m")
    }
    manager_of.update({row.email: row.manager_email for row in rows})
    errors = []
    for row in rows:
        chain, current = [row.email], manager_of.get(row.email)
        while current is not None and current not in chain:
            chain.append(current)
            current = manager_of.get(current)
        if current == row.email:
            loop = " → ".join([*chain, row.email])
            errors.append(
                RowError(
                    row.line, columns["manager_email"][1], _("Managers go round in a loop: %(loop)s.") % {"loop": loop}
                )
            )
    return errors


# --- Saving ---------------------------------------------------------------------------------------


def _save(rows: list[_Row], *, has_manager: bool, dry_run: bool) -> ImportReport:
    people = {
        person.email.lower(): person
        for person in Person.objects.annotate(e=Lower("email"))
        .filter(e__in=[row.email for row in rows])
        .select_related("manager")
    }
    report, changed = ImportReport(), []
    for row in rows:
        person = people.get(row.email)
        if person is None:
            report.created += 1
            changed.append(row)
        elif (
            person.email != row.email
            or any(getattr(person, name) != value for name, value in row.fields.items())
            or (has_manager and (person.manager.email.lower() if person.manager else None) != row.manager_email)
        ):
            report.updated += 1
            changed.append(row)
        else:
            report.unchanged += 1
    if dry_run or not changed:
        return report
    try:
        with transaction.atomic():
            for row in changed:
                person = people.get(row.email) or Person(email=row.email)
                person.email = row.email
                for name, value in row.fields.items():
                    setattr(person, name, value)
                person.save()
                people[row.email] = person
            if has_manager:
                managers = {row.manager_email for row in changed if row.manager_email} - set(people)
                people.update(
                    {p.email.lower(): p for p in Person.objects.annotate(e=Lower("email")).filter(e__in=managers)}
                )
                for row in changed:
                    person, manager = people[row.email], people.get(row.manager_email)
                    if person.manager_id != (manager.pk if manager else None):
                        person.manager = manager
                        person.save(update_fields=["manager"])
            refresh_search_documents(Person.objects.filter(pk__in=[people[row.email].pk for row in changed]))
    except IntegrityError:
        return ImportReport(
            errors=[
                RowError(0, "", _("The directory changed while importing, so nothing was saved. Run the import again."))
            ]
        )
    return report
