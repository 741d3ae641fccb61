"""/api/v1 endpoints of meetings: occurrences in a window, scheduling, changes, cancellations,
answers, free times and the join link; the same rules as the pages (meetings.services/selectors)."""

import datetime as dt

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from directory import selectors as directory
from hub.errors import Invalid
from hub.params import Id
from meetings import availability, ics, jitsi, selectors, services, webhook
from meetings import recurrence as rec
from meetings.models import Attendee, Meeting

router = Router(tags=["meetings"])


class RecurrenceIO(Schema):
    frequency: str = ""  # "", daily, weekly, monthly
    weekdays: list[int] = []  # 0 = Monday (weekly)
    until: dt.date | None = None
    count: int | None = None


class AttendeeIn(Schema):
    person: int
    required: bool = True


class MeetingIn(Schema):
    title: str
    agenda: str = ""
    start: dt.datetime  # ISO 8601; without an offset it is read in `timezone`
    end: dt.datetime
    timezone: str = "Asia/Bangkok"
    recurrence: RecurrenceIO | None = None
    chair: int | None = None
    room: int | None = None
    quorum: int | None = None
    quorum_of: str = "attendees"
    attendees: list[AttendeeIn] = []
    teams: list[int] = []


class PersonRef(Schema):
    id: int
    name: str
    kind: str


class AttendeeOut(Schema):
    person: PersonRef
    required: bool
    team: int | None
    response: str
    note: str
    responded_at: dt.datetime | None


class RoomRef(Schema):
    id: int
    name: str


class QuorumOut(Schema):
    needed: int
    counted: int
    of: str
    met: bool


class MeetingOut(Schema):
    id: int
    title: str
    agenda: str
    organiser: PersonRef
    chair: PersonRef | None
    timezone: str
    start: dt.datetime
    end: dt.datetime
    recurrence: RecurrenceIO
    room: RoomRef | None
    quorum: QuorumOut | None
    cancelled: bool
    sequence: int
    chat_room: int | None
    minutes: str
    minutes_updated_at: dt.datetime | None
    can_edit: bool
    attendees: list[AttendeeOut]
    url: str


class OccurrenceOut(Schema):
    meeting: int
    key: str
    title: str
    start: dt.datetime
    end: dt.datetime
    original_start: dt.datetime
    cancelled: bool
    moved: bool
    my_response: str | None


class MoveIn(Schema):
    start: dt.datetime
    end: dt.datetime


class AnswerIn(Schema):
    response: str  # accepted, tentative, declined
    note: str = ""


class MinutesIn(Schema):
    minutes: str


class FreeTimeOut(Schema):
    start: dt.datetime
    end: dt.datetime


class JoinOut(Schema):
    url: str
    domain: str
    room: str
    jwt: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    moderator: bool


class WindowQuery(Schema):
    start: dt.datetime
    end: dt.datetime


class FreeTimeQuery(Schema):
    # Bounded here so that no number reaches date arithmetic that would overflow.
    people: list[Id] = []
    minutes: int = Field(60, ge=1, le=12 * 60)
    after: dt.datetime | None = None
    days: int = Field(14, ge=1, le=availability.MAX_SEARCH_DAYS)
    count: int = Field(5, ge=1, le=20)


def _draft(payload: MeetingIn) -> services.Draft:
    recurrence = payload.recurrence or RecurrenceIO()
    return services.Draft(
        title=payload.title,
        agenda=payload.agenda,
        start=payload.start,
        end=payload.end,
        timezone=payload.timezone,
        recurrence=rec.Recurrence(
            frequency=recurrence.frequency, weekdays=recurrence.weekdays, until=recurrence.until, count=recurrence.count
        ),
        chair_id=payload.chair,
        room_id=payload.room,
        quorum=payload.quorum,
        quorum_of=payload.quorum_of,
        people={a.person: a.required for a in payload.attendees},
        teams=dict.fromkeys(payload.teams, True),
    )


def _person_ref(person) -> dict | None:
    return None if person is None else {"id": person.pk, "name": person.display_name, "kind": person.kind}


def _meeting_out(request, meeting: Meeting) -> dict:
    meeting = selectors.meeting_for(request.auth, meeting.pk)  # fresh, with its event
    attendees = selectors.attendees_of(meeting)
    quorum = selectors.quorum_of(meeting, attendees)
    recurrence = rec.recurrence_of(meeting.event)
    tz = rec.zone(meeting.timezone)  # times with the meeting's own offset
    return {
        "id": meeting.pk,
        "title": meeting.title,
        "agenda": meeting.agenda,
        "organiser": _person_ref(meeting.organiser),
        "chair": _person_ref(meeting.chair),
        "timezone": meeting.timezone,
        "start": meeting.event.start.astimezone(tz),
        "end": meeting.event.end.astimezone(tz),
        "recurrence": recurrence.__dict__,
        "room": None if meeting.room is None else {"id": meeting.room.pk, "name": meeting.room.name},
        "quorum": None if quorum is None else {**quorum.__dict__, "met": quorum.met},
        "cancelled": meeting.cancelled_at is not None,
        "sequence": meeting.sequence,
        "chat_room": meeting.chat_room_id,
        "minutes": meeting.minutes,
        "minutes_updated_at": meeting.minutes_updated_at,
        "can_edit": selectors.can_edit(request.auth, meeting),
        "attendees": [
            {
                "person": _person_ref(a.person),
                "required": a.required,
                "team": a.via_team_id,
                "response": a.response,
                "note": a.note,
                "responded_at": a.responded_at,
            }
            for a in attendees
        ],
        "url": f"/meetings/{meeting.pk}/",
    }


def _slot_out(slot, my_response: str | None) -> dict:
    tz = rec.zone(slot.meeting.timezone)
    return {
        "meeting": slot.meeting.pk,
        "key": slot.key,
        "title": slot.meeting.title,
        "start": slot.start.astimezone(tz),
        "end": slot.end.astimezone(tz),
        "original_start": slot.original_start.astimezone(tz),
        "cancelled": slot.cancelled,
        "moved": slot.moved,
        "my_response": my_response,
    }


@router.get("/meetings/occurrences", response=list[OccurrenceOut], summary="My meetings' occurrences in a window")
def occurrences(request, window: Query[WindowQuery]):
    if window.end <= window.start or window.end - window.start > selectors.MAX_WINDOW:
        raise Invalid(_("Ask for a window of at most 92 days."), fields={"end": "range"})
    person = directory.person_of(request.auth)
    if person is None:
        return []
    slots = selectors.occurrences_for(person, window.start, window.end)
    answers = dict(
        Attendee.objects.filter(person=person, meeting_id__in={s.meeting.pk for s in slots}).values_list(
            "meeting_id", "response"
        )
    )
    return [_slot_out(slot, answers.get(slot.meeting.pk)) for slot in slots]


@router.post("/meetings", response={201: MeetingOut}, summary="Schedule a meeting (staff)")
def schedule(request, payload: MeetingIn):
    meeting = services.schedule_meeting(request.auth, _draft(payload))
    return Status(201, _meeting_out(request, meeting))


@router.get("/meetings/free-times", response=list[FreeTimeOut], summary="Next free times of people")
def free_times(request, query: Query[FreeTimeQuery]):
    found = availability.find_times(
        request.auth,
        query.people,
        dt.timedelta(minutes=query.minutes),
        after=query.after,
        days=query.days,
        count=min(max(query.count, 1), 20),
    )
    return [{"start": start, "end": end} for start, end in found]


# Fixed paths come before /meetings/{meeting_id}: the routes are tried in order.
class AttendanceEventOut(Schema):
    recorded: str  # joined, left, or ignored (a room, person or time this hub does not know)


@router.post(
    "/meetings/attendance-events",
    auth=None,
    response={200: AttendanceEventOut},
    summary="The Jitsi deployment's participant events, signed (X-KSP-Signature); see docs/meetings.md",
)
def attendance_event(request):
    return {"recorded": webhook.receive(request.headers.get("X-KSP-Signature", ""), request.body)}


@router.get("/meetings/{meeting_id}", response=MeetingOut, summary="A meeting (organiser, chair, invitees)")
def meeting(request, meeting_id: int):
    return _meeting_out(request, selectors.meeting_for(request.auth, meeting_id))


@router.put("/meetings/{meeting_id}", response=MeetingOut, summary="Change the whole series (organiser, chair)")
def update(request, meeting_id: int, payload: MeetingIn):
    return _meeting_out(request, services.update_meeting(request.auth, meeting_id, _draft(payload)))


@router.post("/meetings/{meeting_id}/cancel", response=MeetingOut, summary="Cancel the meeting or whole series")
def cancel(request, meeting_id: int):
    return _meeting_out(request, services.cancel_meeting(request.auth, meeting_id))


@router.patch("/meetings/{meeting_id}/occurrences/{key}", response=OccurrenceOut, summary="Move one occurrence")
def move_occurrence(request, meeting_id: int, key: str, payload: MoveIn):
    services.move_occurrence(request.auth, meeting_id, key, payload.start, payload.end)
    return _occurrence_out(request, meeting_id, key)


@router.post("/meetings/{meeting_id}/occurrences/{key}/cancel", response=OccurrenceOut, summary="Cancel one occurrence")
def cancel_occurrence(request, meeting_id: int, key: str):
    services.cancel_occurrence(request.auth, meeting_id, key)
    return _occurrence_out(request, meeting_id, key)


def _occurrence_out(request, meeting_id: int, key: str) -> dict:
    meeting = selectors.meeting_for(request.auth, meeting_id)
    original = selectors.parse_key(key)
    occurrence = meeting.event.occurrence_set.get(original_start=original)
    slot = selectors.Slot(
        meeting=meeting,
        start=occurrence.start,
        end=occurrence.end,
        original_start=occurrence.original_start,
        cancelled=occurrence.cancelled,
        moved=occurrence.moved,
    )
    invitation = selectors.invitation_of(request.auth, meeting)
    return _slot_out(slot, invitation.response if invitation else None)


@router.put("/meetings/{meeting_id}/minutes", response=MeetingOut, summary="Post the minutes (organiser, chair)")
def minutes(request, meeting_id: int, payload: MinutesIn):
    return _meeting_out(request, services.post_minutes(request.auth, meeting_id, payload.minutes))


@router.put("/meetings/{meeting_id}/answer", response=AttendeeOut, summary="Answer an invitation")
def answer(request, meeting_id: int, payload: AnswerIn):
    attendee = services.respond(request.auth, meeting_id, payload.response, payload.note)
    return {
        "person": _person_ref(attendee.person),
        "required": attendee.required,
        "team": attendee.via_team_id,
        "response": attendee.response,
        "note": attendee.note,
        "responded_at": attendee.responded_at,
    }


@router.get("/meetings/{meeting_id}/join", response=JoinOut, summary="The join link of the call (invitees only)")
def join(request, meeting_id: int):
    link = jitsi.join_link(request.auth, meeting_id)
    return {
        "url": link.url,
        "domain": link.domain,
        "room": link.room,
        "jwt": link.token,
        "opens_at": link.opens_at,
        "closes_at": link.closes_at,
        "moderator": link.moderator,
    }


@router.get(
    "/meetings/{meeting_id}/ics",
    summary="The meeting as an iCalendar file (text/calendar), its whole series with exceptions",
    response={200: str},
    openapi_extra={"responses": {200: {"content": {"text/calendar": {"schema": {"type": "string"}}}}}},
)
def meeting_ics(request, meeting_id: int):
    meeting = selectors.meeting_for(request.auth, meeting_id)
    body = ics.meeting_calendar(meeting, f"{request.scheme}://{request.get_host()}")
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")
