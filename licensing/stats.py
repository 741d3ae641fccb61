"""Reads of cases for the managers' dashboard: counts by status, the queue, overdue, response times, workload."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q

from licensing.models import CLOSED_STATUSES, Case, Status

OPEN_STATUSES = [status for status in Status.values if status not in CLOSED_STATUSES]


@dataclass
class CaseNumbers:
    open_by_status: dict[str, int]
    waiting_first_response: int  # open, nobody has answered yet
    unassigned: int  # open, in no one's hands
    overdue: int  # open, unanswered, past the team's first-response target
    answered_late: int  # of those answered in the window, after the target
    answered: int  # first responses in the window
    first_response: "Durations"
    decision: "Durations"
    open_per_person: dict[int, int]  # assignee user id → open cases
    decided_per_person: dict[int, int]  # assignee user id → cases decided in the window
    decided_per_day: dict[dt.date, int] = field(default_factory=dict)


@dataclass
class Durations:
    count: int
    median: dt.timedelta | None
    p90: dt.timedelta | None


def percentile(sorted_values: list, share: float):
    """The nearest-rank percentile (0 < share <= 1) of values already in order; None for none."""
    if not sorted_values:
        return None
    rank = max(1, -(-len(sorted_values) * share // 1))  # ceil without floats drifting
    return sorted_values[int(rank) - 1]


def durations(values: list[dt.timedelta]) -> Durations:
    ordered = sorted(values)
    return Durations(len(ordered), percentile(ordered, 0.5), percentile(ordered, 0.9))


def case_numbers(
    team_ids: list[int], user_ids, start: dt.datetime, end: dt.datetime, now: dt.datetime, tz: dt.tzinfo
) -> CaseNumbers:
    """The numbers of the cases of these teams (and the workload of these people: ids, or a
    subquery of them) for [start, end)."""
    cases = Case.objects.filter(team_id__in=team_ids)
    # One pass over the open cases, by status: how many, unanswered, unassigned, overdue.
    by_status = dict.fromkeys(OPEN_STATUSES, 0)
    queue = {"waiting": 0, "unassigned": 0, "overdue": 0}
    for status, n, waiting, unassigned, overdue in (
        cases.filter(status__in=OPEN_STATUSES)
        .values_list("status")
        .annotate(
            n=Count("pk"),
            waiting=Count("pk", filter=Q(first_response_at__isnull=True)),
            unassigned=Count("pk", filter=Q(assignee__isnull=True)),
            overdue=Count("pk", filter=Q(first_response_at__isnull=True, first_response_due__lt=now)),
        )
        .order_by()
    ):
        by_status[status] = n
        queue["waiting"] += waiting
        queue["unassigned"] += unassigned
        queue["overdue"] += overdue
    answered = cases.filter(first_response_at__gte=start, first_response_at__lt=end)
    late = answered.filter(first_response_at__gt=F("first_response_due")).count()
    to_answer = list(
        answered.annotate(
            took=ExpressionWrapper(F("first_response_at") - F("opened_at"), output_field=DurationField())
        ).values_list("took", flat=True)
    )
    to_decide = list(
        cases.filter(decided_at__gte=start, decided_at__lt=end)
        .annotate(took=ExpressionWrapper(F("decided_at") - F("opened_at"), output_field=DurationField()))
        .values_list("took", "decided_at")
    )
    decided_per_day: dict[dt.date, int] = {}
    for _took, at in to_decide:
        day = at.astimezone(tz).date()
        decided_per_day[day] = decided_per_day.get(day, 0) + 1
    open_per_person, decided_per_person = {}, {}
    for assignee, open_now, decided in (
        Case.objects.filter(assignee_id__in=user_ids)
        .filter(Q(status__in=OPEN_STATUSES) | Q(decided_at__gte=start, decided_at__lt=end))
        .values_list("assignee_id")
        .annotate(
            open_now=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            decided=Count("pk", filter=Q(decided_at__gte=start, decided_at__lt=end)),
        )
        .order_by()
    ):
        if open_now:
            open_per_person[assignee] = open_now
        if decided:
            decided_per_person[assignee] = decided
    return CaseNumbers(
        open_by_status=by_status,
        waiting_first_response=queue["waiting"],
        unassigned=queue["unassigned"],
        overdue=queue["overdue"],
        answered=len(to_answer),
        answered_late=late,
        first_response=durations(to_answer),
        decision=durations([took for took, _at in to_decide]),
        open_per_person=open_per_person,
        decided_per_person=decided_per_person,
        decided_per_day=decided_per_day,
    )
