"""PDPA retention: LICENSING_RETENTION_DAYS after a case was decided or withdrawn, its applicant's
details are erased (name, masked id, summary; from the case, the inbox and the notes) and the
discussion in its room is kept with the applicant's name replaced."""

import datetime as dt
import json
import re

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chat import services as chat
from licensing.models import CLOSED_STATUSES, Case, InboxEvent, OutgoingNote

# Thai titles attach to the name ("นางสาวสมหญิง"): the name is also looked for without them.
TITLES = re.compile(r"^(นางสาว|นาง|นาย|ดร\.|ด\.ญ\.|ด\.ช\.|Mrs\.?|Mr\.?|Ms\.?|Miss|Dr\.?)\s*")


def due(now=None) -> list[int]:
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.LICENSING_RETENTION_DAYS)
    rows = Case.objects.filter(status__in=CLOSED_STATUSES, decided_at__lt=cutoff, erased_at__isnull=True)
    return list(rows.order_by("decided_at").values_list("pk", flat=True)[:500])


def erase_due(now=None) -> int:
    """Erase every case past its retention period; how many were erased."""
    return sum(erase(case_id) for case_id in due(now))


def name_variants(name: str) -> list[str]:
    """The name as written, without its title, and each part of it."""
    name = " ".join((name or "").split())
    if not name:
        return []
    bare = TITLES.sub("", name)
    return [name, bare, *bare.split()]


@transaction.atomic
def erase(case_id: int) -> bool:
    case = Case.objects.select_for_update().filter(pk=case_id, erased_at__isnull=True).first()
    if case is None:
        return False
    with translation.override("th"):
        replacement = _("[applicant]")
    names = name_variants(case.applicant_name)
    if case.room_id and names:
        chat.redact_words(case.room_id, names, replacement)
    pattern = re.compile("|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True))) if names else None
    for note in OutgoingNote.objects.filter(case=case):
        if pattern and pattern.search(note.body):
            OutgoingNote.objects.filter(pk=note.pk).update(body=pattern.sub(replacement, note.body))
    for event in InboxEvent.objects.filter(case_number=case.number):
        InboxEvent.objects.filter(pk=event.pk).update(body=_erased_body(event.body))
    case.applicant_name = case.applicant_id_masked = case.summary = ""
    case.erased_at = timezone.now()
    case.save(update_fields=["applicant_name", "applicant_id_masked", "summary", "erased_at"])
    return True


def _erased_body(body: str) -> str:
    try:
        data = json.loads(body)
        case = data["case"]
        case["applicant"] = {"name": "", "id_masked": ""}
        case["summary"] = ""
        return json.dumps(data, ensure_ascii=False)
    except (ValueError, KeyError, TypeError):
        return json.dumps({"erased": True})
