"""Reads of cases for the managers' dashboard: counts by status, the queue, overdue, response times, workload."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncDate

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
    opened_per_day: dict[dt.date, int] = field(default_factory=dict)


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
    team_ids: list[int], user_ids: list[int], start: dt.datetime, end: dt.datetime, now: dt.datetime, tz: dt.tzinfo
) -> CaseNumbers:
    """The numbers of the cases of these teams (and the workload of these people) for [start, end)."""
    cases = Case.objects.filter(team_id__in=team_ids)
    open_cases = cases.filter(status__in=OPEN_STATUSES)
    by_status = dict.fromkeys(OPEN_STATUSES, 0)
    for status, n in open_cases.values_list("status").annotate(n=Count("pk")).order_by():
        by_status[status] = n
    queue = open_cases.aggregate(
        waiting=Count("pk", filter=Q(first_response_at__isnull=True)),
        unassigned=Count("pk", filter=Q(assignee__isnull=True)),
        overdue=Count("pk", filter=Q(first_response_at__isnull=True, first_response_due__lt=now)),
    )
    answered = cases.filter(first_response_at__gte=start, first_response_at__lt=end)
    to_answer = list(
        answered.annotate(
            took=ExpressionWrapper(F("first_response_at") - F("opened_at"), output_field=DurationField())
        ).values_list("took", "first_response_at", "first_response_due")
    )
    decided = cases.filter(decided_at__gte=start, decided_at__lt=end)
    to_decide = list(
        decided.annotate(
            took=ExpressionWrapper(F("decided_at") - F("opened_at"), output_field=DurationField())
        ).values_list("took", flat=True)
    )
    people_cases = Case.objects.filter(assignee_id__in=user_ids)
    open_per_person = dict(
        people_cases.filter(status__in=OPEN_STATUSES).values_list("assignee_id").annotate(n=Count("pk")).order_by()
    )
    decided_per_person = dict(
        people_cases.filter(decided_at__gte=start, decided_at__lt=end)
        .values_list("assignee_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    decided_per_day = dict(
        decided.annotate(day=TruncDate("decided_at", tzinfo=tz)).values_list("day").annotate(n=Count("pk")).order_by()
    )
    opened_per_day = dict(
        cases.filter(opened_at__gte=start, opened_at__lt=end)
        .annotate(day=TruncDate("opened_at", tzinfo=tz))
        .values_list("day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return CaseNumbers(
        open_by_status=by_status,
        waiting_first_response=queue["waiting"],
        unassigned=queue["unassigned"],
        overdue=queue["overdue"],
        answered=len(to_answer),
        answered_late=sum(1 for _took, at, due in to_answer if due is not None and at > due),
        first_response=durations([took for took, _at, _due in to_answer]),
        decision=durations(to_decide),
        open_per_person=open_per_person,
        decided_per_person=decided_per_person,
        decided_per_day=decided_per_day,
        opened_per_day=opened_per_day,
    )
