"""First-response targets: when a case is due, what counts as its first response, and escalating
an overdue case to the team's manager exactly once.

What counts as the first response (whichever comes first):
- the first message a staff member writes in the case room (a notice has no author; an invited
  expert is not staff);
- the first change of status the licensing backend reports after the one the case arrived with
  (someone acted on it in the licensing system).
`escalate_overdue` looks for both itself before escalating, so neither chat nor the event handler
needs a hook; a caller that knows sooner may call `record_first_response(case, at)`.
"""

import datetime as dt
import logging
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chat import selectors as chat
from directory.models import Team
from licensing import case_rooms, notify, workhours
from licensing.models import CLOSED_STATUSES, Case, StatusChange, TeamCaseSettings

logger = logging.getLogger(__name__)
DEFAULT_HOURS = TeamCaseSettings._meta.get_field("first_response_hours").default

ON_TIME, DUE, OVERDUE, ESCALATED = "on_time", "due", "overdue", "escalated"


def due_for(team: Team, opened_at: dt.datetime) -> dt.datetime:
    """The team's first-response target counted in working hours from when the case arrived."""
    hours = TeamCaseSettings.objects.filter(team=team).values_list("first_response_hours", flat=True).first()
    return workhours.add_working_hours(opened_at, Decimal(hours if hours is not None else DEFAULT_HOURS))


def record_first_response(case: Case, at: dt.datetime) -> bool:
    """Keep the first response's time, once (a later or repeated call changes nothing)."""
    recorded = Case.objects.filter(pk=case.pk, first_response_at__isnull=True).update(first_response_at=at)
    if recorded:
        case.first_response_at = at
    return bool(recorded)


def first_status_changes(case_ids: list[int]) -> dict[int, dt.datetime]:
    """Case id → when the backend first reported a status other than the one the case arrived
    with (in the order things happened, a late event in its place). One query."""
    arrived: dict[int, str] = {}
    changed: dict[int, dt.datetime] = {}
    steps = StatusChange.objects.filter(case_id__in=case_ids).order_by("case_id", "occurred_at", "pk")
    for case_id, status, occurred_at in steps.values_list("case_id", "status", "occurred_at"):
        first = arrived.setdefault(case_id, status)
        if status != first and case_id not in changed:
            changed[case_id] = occurred_at
    return changed


def state_of(case: Case, now: dt.datetime | None = None) -> str:
    """For the lists: answered in time (or not yet due), due, overdue, or escalated to the manager."""
    if case.escalated_at is not None:
        return ESCALATED
    if case.first_response_at is not None or case.first_response_due is None or case.is_closed:
        return ON_TIME
    return OVERDUE if case.first_response_due <= (now or timezone.now()) else DUE


STATE_LABELS = {
    ON_TIME: lambda: _("on time"),
    DUE: lambda: _("awaiting first response"),
    OVERDUE: lambda: _("overdue"),
    ESCALATED: lambda: _("escalated to the manager"),
}


def escalate_overdue(now: dt.datetime | None = None) -> int:
    """Escalate every case past its first-response target with no response: a mark on the case and
    a notification to the team's manager, once per case however many consumers run this at once.
    Returns how many this call escalated. A Huey periodic task runs it every minute (tasks.py)."""
    now = now or timezone.now()
    overdue = list(
        Case.objects.filter(escalated_at__isnull=True, first_response_at__isnull=True, first_response_due__lte=now)
        .exclude(status__in=CLOSED_STATUSES)
        .select_related("team__manager", "team__bureau__head")
        .order_by("first_response_due", "pk")
    )
    written = chat.first_staff_message_at([case.room_id for case in overdue if case.room_id])
    acted = first_status_changes([case.pk for case in overdue])
    escalated = 0
    for case in overdue:
        responses = [at for at in (written.get(case.room_id), acted.get(case.pk)) if at is not None]
        if responses:
            record_first_response(case, min(responses))
            continue
        try:
            escalated += _escalate_once(case, now)
        except Exception:  # one case's failure must not stop the others; the next run retries it
            logger.exception("escalating case %s failed", case.number)
    return escalated


def _escalate_once(case: Case, now: dt.datetime) -> int:
    with transaction.atomic():
        # The claim: of two consumers updating this row at once, one matches and the other waits
        # for its commit, then finds escalated_at set and matches nothing.
        claimed = Case.objects.filter(pk=case.pk, escalated_at__isnull=True, first_response_at__isnull=True).update(
            escalated_at=now
        )
        if not claimed:
            return 0
        case.escalated_at = now
        notify.tell_manager(case.team, notify.OVERDUE, case)  # after commit
        case_rooms.post_case_notice(
            case,
            notify.in_house_language(lambda: _("No first response within the team's target: the manager is told.")),
        )
    return 1
