"""Reads of meetings: who may see which meeting, and occurrences in a window."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from chat import selectors as chat
from directory import selectors as directory
from directory.models import Person
from hub.errors import NotFound
from meetings import recurrence as rec
from meetings.models import Attendee, CalendarFeed, Meeting

KEY_FORMAT = "%Y%m%dT%H%M%SZ"
MAX_WINDOW = dt.timedelta(days=92)


@dataclass
class Slot:
    """One occurrence of a meeting, as pages, the API and calendars show it."""

    meeting: Meeting
    start: dt.datetime
    end: dt.datetime
    original_start: dt.datetime
    cancelled: bool
    moved: bool

    @property
    def key(self) -> str:
        return key_of(self.original_start)


def key_of(original_start: dt.datetime) -> str:
    """An occurrence's name in URLs: its original start in UTC, e.g. 20261207T030000Z."""
    return original_start.astimezone(dt.UTC).strftime(KEY_FORMAT)


def parse_key(key: str) -> dt.datetime:
    try:
        return dt.datetime.strptime(str(key), KEY_FORMAT).replace(tzinfo=dt.UTC)
    except ValueError:
        raise NotFound(_("This meeting has no occurrence at that time.")) from None


# --- Who sees what -------------------------------------------------------------------------------


def meetings_of(person: Person) -> QuerySet[Meeting]:
    """Meetings the person organises, chairs or is invited to."""
    return Meeting.objects.filter(
        Q(organiser=person) | Q(chair=person) | Q(pk__in=Attendee.objects.filter(person=person).values("meeting_id"))
    )


def meeting_for(user: AbstractBaseUser, meeting_id) -> Meeting:
    """The meeting if `user` organises, chairs or is invited to it; NotFound alike for the rest."""
    person = directory.person_of(user)
    try:
        meeting_id = int(meeting_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if person is None:
        raise NotFound()
    meeting = meetings_of(person).select_related("event__rule", "organiser", "chair", "room").filter(pk=meeting_id)
    found = meeting.first()
    if found is None:
        raise NotFound()
    return found


def can_edit(user: AbstractBaseUser, meeting: Meeting) -> bool:
    person = directory.person_of(user)
    return person is not None and person.pk in {meeting.organiser_id, meeting.chair_id}


def attendees_of(meeting: Meeting) -> list[Attendee]:
    return list(
        meeting.attendees.select_related("person", "person__team", "via_team").order_by(
            "-required", "person__first_name_th"
        )
    )


@dataclass
class Quorum:
    needed: int
    counted: int  # accepted among those the quorum counts
    of: str

    @property
    def met(self) -> bool:
        return self.counted >= self.needed


def quorum_of(meeting: Meeting, attendees: list[Attendee]) -> Quorum | None:
    """Whether the meeting has its quorum by the answers so far (accepted only; tentative is not yes)."""
    if meeting.quorum is None:
        return None
    if meeting.quorum_of == Meeting.QuorumOf.EXPERTS:
        pool = [a for a in attendees if a.person.kind == Person.Kind.EXPERT]
    else:
        pool = [a for a in attendees if a.required]
    accepted = sum(1 for a in pool if a.response == Attendee.Response.ACCEPTED)
    return Quorum(needed=meeting.quorum, counted=accepted, of=meeting.quorum_of)


def chat_beside(user: AbstractBaseUser, meeting: Meeting, rooms_allowed: frozenset[int] | None) -> dict | None:
    """The meeting's chat room as its page shows it beside the call (chat.selectors.conversation),
    for members of the room only; `rooms_allowed` is what a session opened by a link may use
    (hub.scopes.rooms_allowed; None: not such a session)."""
    if meeting.chat_room_id is None or (rooms_allowed is not None and meeting.chat_room_id not in rooms_allowed):
        return None
    room = chat.room_for(user, meeting.chat_room_id)
    if room is None:
        return None
    conversation = chat.conversation(room, user)
    return conversation if conversation["room"]["member"] else None


def answers_of(attendees: list[Attendee]) -> dict[str, int]:
    """How many answered each way, for the organiser: {"accepted": 3, "pending": 2, ...}."""
    counts = dict.fromkeys(Attendee.Response.values, 0)
    for attendee in attendees:
        counts[attendee.response] += 1
    return counts


def invitation_of(user: AbstractBaseUser, meeting: Meeting) -> Attendee | None:
    return meeting.attendees.filter(person__user=user).first() if user.is_authenticated else None


# --- Occurrences ---------------------------------------------------------------------------------


def occurrences_of(meeting: Meeting, start: dt.datetime, end: dt.datetime) -> list[Slot]:
    """The meeting's occurrences overlapping [start, end), cancelled ones included (flagged)."""
    tz = rec.zone(meeting.timezone)
    slots = [
        Slot(
            meeting=meeting,
            start=occurrence.start,
            end=occurrence.end,
            original_start=occurrence.original_start,
            cancelled=occurrence.cancelled or meeting.cancelled_at is not None,
            moved=occurrence.moved,
        )
        for occurrence in rec.expand(meeting.event, tz, start, end)
    ]
    return sorted(slots, key=lambda slot: slot.start)


def occurrences_for(person: Person, start: dt.datetime, end: dt.datetime, include_cancelled: bool = True) -> list[Slot]:
    """Every occurrence of the person's meetings overlapping [start, end), in order of start."""
    if end <= start:
        return []
    meetings = (
        meetings_of(person)
        .filter(starts_at__lt=end, ends_at__gt=start)
        .select_related("event__rule", "organiser", "chair", "room")
        .prefetch_related("event__occurrence_set")
    )
    slots = [slot for meeting in meetings for slot in occurrences_of(meeting, start, end)]
    if not include_cancelled:
        slots = [slot for slot in slots if not slot.cancelled]
    return sorted(slots, key=lambda slot: (slot.start, slot.meeting.pk))


def feed_of(person: Person) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(person=person).first()


def person_of_feed(secret: str) -> Person | None:
    feed = CalendarFeed.objects.select_related("person").filter(secret=str(secret)[:64]).first()
    return feed.person if feed else None
