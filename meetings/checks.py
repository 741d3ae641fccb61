"""Checks of a meeting before it is saved: times, zone, rule, people, quorum and the room's bookings.

Each refusal is a hub.errors exception with a reason in Thai and English and the field it is about.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext as _

from directory import selectors as directory
from directory.models import Person
from hub.errors import Forbidden, Invalid, TooLarge
from meetings import recurrence as rec
from meetings import selectors
from meetings.models import Meeting, MeetingRoom

MAX_ATTENDEES = 500
MAX_TITLE_CHARS = 200
MAX_AGENDA_CHARS = 20_000
MAX_NOTE_CHARS = 500
MAX_DURATION = dt.timedelta(hours=12)
# A meeting may start this long ago (a form filled in at 09:59 for 10:00 is still in time).
PAST_GRACE = dt.timedelta(minutes=5)


@dataclass
class Draft:
    """A meeting as the form or the API gives it; naive times are read in `timezone`."""

    title: str
    start: dt.datetime
    end: dt.datetime
    agenda: str = ""
    timezone: str = "Asia/Bangkok"
    recurrence: rec.Recurrence = field(default_factory=rec.Recurrence)
    chair_id: int | None = None
    room_id: int | None = None
    quorum: int | None = None
    quorum_of: str = Meeting.QuorumOf.ATTENDEES
    # person id → required?; team id → required? (a team invites its members at that time)
    people: dict[int, bool] = field(default_factory=dict)
    teams: dict[int, bool] = field(default_factory=dict)


@dataclass
class Checked:
    tz: object
    start: dt.datetime
    end: dt.datetime
    chair: Person | None
    room: MeetingRoom | None
    attendees: dict[int, tuple[bool, int | None]]  # person id → (required, via team id)


def organiser_of(user: AbstractBaseUser) -> Person:
    person = directory.person_of(user)
    if person is None or person.is_expert:
        raise Forbidden(_("Only staff can schedule meetings."))
    return person


def check_draft(user: AbstractBaseUser, draft: Draft, meeting: Meeting | None = None) -> Checked:
    title = (draft.title or "").strip()
    if not title:
        raise Invalid(_("Give the meeting a title."), fields={"title": "required"})
    if len(title) > MAX_TITLE_CHARS:
        raise TooLarge(
            _("A title has at most %(max)d characters.") % {"max": MAX_TITLE_CHARS}, fields={"title": "long"}
        )
    if len(draft.agenda or "") > MAX_AGENDA_CHARS:
        raise TooLarge(_("An agenda has at most %(max)d characters.") % {"max": MAX_AGENDA_CHARS})
    draft.title = title
    tz = rec.zone(draft.timezone)
    start, end = aware(draft.start, tz), aware(draft.end, tz)
    unchanged = meeting is not None and start == meeting.event.start
    check_times(start, end, allow_past_start=unchanged)
    rec.check(draft.recurrence, start.astimezone(tz))
    if draft.quorum is not None and draft.quorum < 1:
        raise Invalid(_("A quorum is at least one person."), fields={"quorum": "range"})
    if draft.quorum_of not in Meeting.QuorumOf.values:
        raise Invalid(_("A quorum counts required attendees or experts."), fields={"quorum_of": draft.quorum_of})
    room = None
    if draft.room_id is not None:
        room = MeetingRoom.objects.filter(pk=draft.room_id).first()
        if room is None:
            raise Invalid(_("There is no such meeting room."), fields={"room": draft.room_id})
    attendees = _expand_attendees(user, draft)
    chair = None
    if draft.chair_id is not None:
        chair = directory.person_for(user, draft.chair_id)
        if chair is None:
            raise Invalid(_("There is no such person to chair the meeting."), fields={"chair": draft.chair_id})
        attendees.setdefault(chair.pk, (True, None))
    if draft.quorum is not None and draft.quorum > _quorum_pool(attendees, draft.quorum_of):
        raise Invalid(_("The quorum is larger than the number of people it counts."), fields={"quorum": "too_large"})
    return Checked(tz=tz, start=start, end=end, chair=chair, room=room, attendees=attendees)


def check_times(start: dt.datetime, end: dt.datetime, allow_past_start: bool = False) -> None:
    if end <= start:
        raise Invalid(_("The meeting must end after it starts."), fields={"end": "before_start"})
    if end - start > MAX_DURATION:
        raise Invalid(_("A meeting lasts 12 hours at most."), fields={"end": "too_long"})
    if not allow_past_start and start < timezone.now() - PAST_GRACE:
        raise Invalid(_("That time has already passed: choose a time in the future."), fields={"start": "past"})


def aware(moment: dt.datetime, tz) -> dt.datetime:
    if moment is None:
        raise Invalid(_("Give a start and an end."), fields={"start": "required"})
    return moment.replace(tzinfo=tz) if timezone.is_naive(moment) else moment


def _expand_attendees(user: AbstractBaseUser, draft: Draft) -> dict[int, tuple[bool, int | None]]:
    """Whole teams become their members (as they are today); a person named on their own wins."""
    if len(draft.people) > MAX_ATTENDEES:
        raise _too_many()
    attendees: dict[int, tuple[bool, int | None]] = {}
    teams = directory.visible_teams(user).filter(pk__in=list(draft.teams))
    if len(teams) != len(set(draft.teams)):
        raise Invalid(_("There is no such team."), fields={"teams": "unknown"})
    for team in teams:
        for person_id in Person.objects.filter(team=team).values_list("pk", flat=True)[: MAX_ATTENDEES + 1]:
            required = draft.teams[team.pk] or attendees.get(person_id, (False, None))[0]
            attendees[person_id] = (required, team.pk)
        if len(attendees) > MAX_ATTENDEES:
            raise _too_many()
    people = set(directory.visible_people(user).filter(pk__in=list(draft.people)).values_list("pk", flat=True))
    if people != set(draft.people):
        raise Invalid(_("Someone on the list is not in the directory."), fields={"people": "unknown"})
    for person_id, required in draft.people.items():
        attendees[person_id] = (required, None)
    if len(attendees) > MAX_ATTENDEES:
        raise _too_many()
    return attendees


def _too_many() -> TooLarge:
    return TooLarge(
        _("A meeting can have at most %(max)d attendees.") % {"max": MAX_ATTENDEES}, fields={"people": "too_many"}
    )


def _quorum_pool(attendees: dict[int, tuple[bool, int | None]], quorum_of: str) -> int:
    if quorum_of == Meeting.QuorumOf.EXPERTS:
        return Person.objects.filter(pk__in=list(attendees), kind=Person.Kind.EXPERT).count()
    return sum(1 for required, _team in attendees.values() if required)


def check_room_free(meeting: Meeting) -> None:
    """No two meetings in one room at once, across every occurrence of both. Runs after saving
    (django-scheduler expands only saved events) inside the caller's transaction, which a
    refusal rolls back; the room row is locked so two bookings cannot pass the check together."""
    if meeting.room_id is None:
        return
    MeetingRoom.objects.select_for_update().filter(pk=meeting.room_id).first()
    mine = [s for s in selectors.occurrences_of(meeting, meeting.starts_at, meeting.ends_at) if not s.cancelled]
    others = (
        Meeting.objects.filter(room_id=meeting.room_id, cancelled_at=None, starts_at__lt=meeting.ends_at)
        .filter(ends_at__gt=meeting.starts_at)
        .exclude(pk=meeting.pk)
        .select_related("event__rule")
        .prefetch_related("event__occurrence_set")
    )
    for other in others:
        theirs = [s for s in selectors.occurrences_of(other, meeting.starts_at, meeting.ends_at) if not s.cancelled]
        for a in mine:
            for b in theirs:
                if a.start < b.end and b.start < a.end:
                    # Not which meeting holds it: the booker may not be invited to that one.
                    raise Invalid(
                        _("%(room)s is already booked at that time. Choose another time or room.")
                        % {"room": meeting.room.name},
                        fields={"room": "booked"},
                    )
