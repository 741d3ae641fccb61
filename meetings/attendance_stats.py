"""Reads of meetings for the managers' dashboard: occurrences, invitations, answers and attendance, as plain rows.

`person_ids` may be a list or a subquery of ids (a values() QuerySet)."""

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncDate

from meetings import selectors
from meetings.models import Attendance, Attendee, Meeting


@dataclass(frozen=True)
class OccurrenceRow:
    meeting_id: int
    original_start: dt.datetime
    start: dt.datetime
    end: dt.datetime
    cancelled: bool


def meetings_changed_since(since: dt.datetime | None) -> list[int]:
    """Ids of meetings created or changed (times, rule, cancellations) at or after `since`; all without it."""
    meetings = Meeting.objects.all() if since is None else Meeting.objects.filter(updated_at__gte=since)
    return list(meetings.values_list("pk", flat=True))


def occurrences_of(meeting_ids: list[int]) -> dict[int, list[OccurrenceRow]]:
    """Meeting id → every occurrence of it (a series runs two years at most), cancelled ones flagged."""
    found: dict[int, list[OccurrenceRow]] = {}
    meetings = (
        Meeting.objects.filter(pk__in=meeting_ids)
        .select_related("event__rule")
        .prefetch_related("event__occurrence_set")
    )
    for meeting in meetings:
        slots = selectors.occurrences_of(meeting, meeting.starts_at, meeting.ends_at + dt.timedelta(seconds=1))
        found[meeting.pk] = [
            OccurrenceRow(meeting.pk, slot.original_start, slot.start, slot.end, slot.cancelled) for slot in slots
        ]
    return found


@dataclass(frozen=True)
class Committee:
    meeting_id: int
    title: str
    quorum: int


def committees_of(person_ids, start: dt.datetime, end: dt.datetime) -> list[Committee]:
    """Meetings with a quorum, organised or chaired by one of these people, that run in [start, end)."""
    meetings = _committees(person_ids, start, end).values_list("pk", "title", "quorum")
    return [Committee(*row) for row in meetings]


def committee_ids_of(person_ids, start: dt.datetime, end: dt.datetime):
    """The ids of committees_of(), as a subquery: a quarter's committees are too many ids to bind."""
    return _committees(person_ids, start, end).values("pk")


def _committees(person_ids, start: dt.datetime, end: dt.datetime):
    return Meeting.objects.filter(
        Q(organiser_id__in=person_ids) | Q(chair_id__in=person_ids),
        quorum__isnull=False,
        starts_at__lt=end,
        ends_at__gt=start,
        cancelled_at__isnull=True,
    )


def present_for_quorum(meeting_ids, start: dt.datetime, end: dt.datetime) -> dict[tuple, int]:
    """(meeting id, original start) → how many of those the quorum counts (the experts, or the
    required attendees, as the meeting says) joined that occurrence's call, for [start, end).
    `meeting_ids` may be a subquery."""
    pool = Attendee.objects.filter(meeting_id=OuterRef("meeting_id"), person_id=OuterRef("person_id")).filter(
        Q(meeting__quorum_of=Meeting.QuorumOf.EXPERTS, person__kind="expert")
        | (~Q(meeting__quorum_of=Meeting.QuorumOf.EXPERTS) & Q(required=True))
    )
    rows = (
        Attendance.objects.filter(meeting_id__in=meeting_ids, original_start__gte=start, original_start__lt=end)
        .filter(Exists(pool))
        .values_list("meeting_id", "original_start")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(meeting_id, original_start): n for meeting_id, original_start, n in rows}


def invitees_of(meeting_ids: list[int]) -> dict[int, list[int]]:
    """Meeting id → the ids of the people invited to it."""
    found: dict[int, list[int]] = {}
    for meeting_id, person_id in Attendee.objects.filter(meeting_id__in=meeting_ids).values_list(
        "meeting_id", "person_id"
    ):
        found.setdefault(meeting_id, []).append(person_id)
    return found


def answers_per_person(person_ids, start: dt.datetime, end: dt.datetime) -> dict[int, tuple[int, int, int]]:
    """Person id → (invitations, answered, accepted) for meetings running in [start, end), not cancelled."""
    rows = (
        Attendee.objects.filter(
            person_id__in=person_ids,
            meeting__starts_at__lt=end,
            meeting__ends_at__gt=start,
            meeting__cancelled_at__isnull=True,
        )
        .values_list("person_id")
        .annotate(
            n=Count("pk"),
            answered=Count("pk", filter=~Q(response=Attendee.Response.PENDING)),
            accepted=Count("pk", filter=Q(response=Attendee.Response.ACCEPTED)),
        )
        .order_by()
    )
    return {person_id: (n, answered, accepted) for person_id, n, answered, accepted in rows}


def attended_per_person_and_per_day(
    person_ids, start: dt.datetime, end: dt.datetime, tz
) -> tuple[dict[int, int], dict[dt.date, int]]:
    """Calls joined for occurrences that started in [start, end): per person, and per local day.
    On PostgreSQL one pass (grouping sets), elsewhere two."""
    calls = Attendance.objects.filter(person_id__in=person_ids, original_start__gte=start, original_start__lt=end)
    if connection.vendor != "postgresql":
        per_person = calls.values_list("person_id").annotate(n=Count("pk")).order_by()
        per_day = (
            calls.annotate(day=TruncDate("original_start", tzinfo=tz)).values_list("day").annotate(n=Count("pk"))
        ).order_by()
        return dict(per_person), dict(per_day)
    if isinstance(person_ids, list | tuple):
        people, params = "SELECT unnest(%s::bigint[])", [list(person_ids)]
    else:
        people, params = person_ids.query.sql_with_params()
    # `people` is SQL Django compiled (or a constant); every value in it is a parameter.
    sql = (
        "SELECT person_id, (original_start AT TIME ZONE %s)::date AS day, COUNT(*) "  # noqa: S608
        "FROM meetings_attendance WHERE original_start >= %s AND original_start < %s "
        f"AND person_id IN ({people}) GROUP BY GROUPING SETS ((person_id), (day))"
    )
    per_person, per_day = {}, {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [str(tz), start, end, *params])
        for person_id, day, n in cursor.fetchall():
            if day is None:
                per_person[person_id] = n
            else:
                per_day[day] = n
    return per_person, per_day
