"""Reads of cases for the managers' dashboard: counts by status, the queue, overdue, response times, workload."""

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncDate

from licensing import stats_postgres
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


def _took(end_field: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end_field) - F("opened_at"), output_field=DurationField())


def _durations_of(cases, end_field: str) -> Durations:
    return durations(list(cases.annotate(took=_took(end_field)).values_list("took", flat=True)))


def _response_times(cases, start: dt.datetime, end: dt.datetime) -> dict:
    """First responses and decisions in [start, end): how many, how long they took, how many late."""
    answered_q = Q(first_response_at__gte=start, first_response_at__lt=end)
    decided_q = Q(decided_at__gte=start, decided_at__lt=end)
    answered = cases.filter(answered_q)
    first_response = _durations_of(answered, "first_response_at")
    return {
        "answered": first_response.count,
        "answered_late": answered.filter(first_response_at__gt=F("first_response_due")).count(),
        "first_response": first_response,
        "decision": _durations_of(cases.filter(decided_q), "decided_at"),
    }


def case_numbers(
    team_ids: list[int], user_ids, start: dt.datetime, end: dt.datetime, now: dt.datetime, tz: dt.tzinfo
) -> CaseNumbers:
    """The numbers of the cases of these teams (and the workload of these people: ids, or a
    subquery of them) for [start, end)."""
    if connection.vendor == "postgresql":
        return _case_numbers_postgres(team_ids, user_ids, start, end, now, tz)
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
    decided = cases.filter(decided_at__gte=start, decided_at__lt=end)
    decided_per_day = dict(
        decided.annotate(day=TruncDate("decided_at", tzinfo=tz)).values_list("day").annotate(n=Count("pk")).order_by()
    )
    open_per_person, decided_per_person = {}, {}
    for assignee, open_now, decided_now in (
        Case.objects.filter(assignee_id__in=user_ids)
        .filter(Q(status__in=OPEN_STATUSES) | Q(decided_at__gte=start, decided_at__lt=end))
        .values_list("assignee_id")
        .annotate(
            open_now=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            decided_now=Count("pk", filter=Q(decided_at__gte=start, decided_at__lt=end)),
        )
        .order_by()
    ):
        if open_now:
            open_per_person[assignee] = open_now
        if decided_now:
            decided_per_person[assignee] = decided_now
    return CaseNumbers(
        open_by_status=by_status,
        waiting_first_response=queue["waiting"],
        unassigned=queue["unassigned"],
        overdue=queue["overdue"],
        **_response_times(cases, start, end),
        open_per_person=open_per_person,
        decided_per_person=decided_per_person,
        decided_per_day=decided_per_day,
    )


def _case_numbers_postgres(team_ids, user_ids, start, end, now, tz) -> CaseNumbers:
    """The same numbers in two passes over the cases (stats_postgres), not four."""
    by_status = dict.fromkeys(OPEN_STATUSES, 0)
    queue = {"waiting": 0, "unassigned": 0, "overdue": 0}
    open_per_person, decided_per_person = {}, {}
    rows = stats_postgres.open_and_workload(team_ids, user_ids, start, end, now, OPEN_STATUSES)
    for per_assignee, status, assignee, n, waiting, unassigned, overdue, open_now, decided_now in rows:
        if not per_assignee:
            if status in by_status:
                by_status[status] = n
                queue["waiting"] += waiting
                queue["unassigned"] += unassigned
                queue["overdue"] += overdue
        elif assignee is not None:
            if open_now:
                open_per_person[assignee] = open_now
            if decided_now:
                decided_per_person[assignee] = decided_now
    times, decided_per_day = (0, 0, None, None, 0, None, None), {}
    for total, day, *numbers in stats_postgres.response_times(team_ids, start, end, tz):
        if total:  # the row of the empty grouping set: the whole window
            times = numbers
        elif day is not None:
            decided_per_day[day] = numbers[4]
    answered, late, fr_median, fr_p90, decided, d_median, d_p90 = times
    return CaseNumbers(
        open_by_status=by_status,
        waiting_first_response=queue["waiting"],
        unassigned=queue["unassigned"],
        overdue=queue["overdue"],
        answered=answered,
        answered_late=late,
        first_response=Durations(answered, fr_median, fr_p90),
        decision=Durations(decided, d_median, d_p90),
        open_per_person=open_per_person,
        decided_per_person=decided_per_person,
        decided_per_day=decided_per_day,
    )
