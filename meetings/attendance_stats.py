"""Reads of meetings for the managers' dashboard: occurrences, invitations, answers and attendance, as plain rows."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

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
class Invitation:
    meeting_id: int
    person_id: int
    response: str  # pending, accepted, tentative, declined
    required: bool
    is_expert: bool


def invitations_of(person_ids: list[int], start: dt.datetime, end: dt.datetime) -> list[Invitation]:
    """Invitations of these people to meetings that run at some time in [start, end), not cancelled."""
    rows = Attendee.objects.filter(
        person_id__in=person_ids,
        meeting__starts_at__lt=end,
        meeting__ends_at__gt=start,
        meeting__cancelled_at__isnull=True,
    ).values_list("meeting_id", "person_id", "response", "required", "person__kind")
    return [Invitation(m, p, response, required, kind == "expert") for m, p, response, required, kind in rows]


def attended(person_ids: list[int], start: dt.datetime, end: dt.datetime) -> set[tuple[int, int, dt.datetime]]:
    """(meeting id, person id, occurrence's original start) of the calls these people joined, for
    occurrences that started in [start, end)."""
    rows = Attendance.objects.filter(person_id__in=person_ids, original_start__gte=start, original_start__lt=end)
    return set(rows.values_list("meeting_id", "person_id", "original_start"))


@dataclass(frozen=True)
class Committee:
    meeting_id: int
    title: str
    quorum: int
    of_experts: bool
    pool: frozenset[int]  # the people the quorum counts: experts, or the required attendees


def committees_of(person_ids: list[int], start: dt.datetime, end: dt.datetime) -> list[Committee]:
    """Meetings with a quorum, organised or chaired by one of these people, that run in [start, end)."""
    meetings = Meeting.objects.filter(
        Q(organiser_id__in=person_ids) | Q(chair_id__in=person_ids),
        quorum__isnull=False,
        starts_at__lt=end,
        ends_at__gt=start,
        cancelled_at__isnull=True,
    ).prefetch_related("attendees__person")
    found = []
    for meeting in meetings:
        experts = meeting.quorum_of == Meeting.QuorumOf.EXPERTS
        pool = frozenset(
            a.person_id for a in meeting.attendees.all() if (a.person.is_expert if experts else a.required)
        )
        found.append(Committee(meeting.pk, meeting.title, meeting.quorum, experts, pool))
    return found


def attendance_of_meetings(meeting_ids: list[int], start: dt.datetime, end: dt.datetime) -> set[tuple]:
    """(meeting id, person id, original start) of everyone who joined these meetings' calls in [start, end)."""
    rows = Attendance.objects.filter(meeting_id__in=meeting_ids, original_start__gte=start, original_start__lt=end)
    return set(rows.values_list("meeting_id", "person_id", "original_start"))
