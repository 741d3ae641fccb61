"""Attendance per occurrence, from the meeting page's IFrame API events: who joined the call, who is
in it now, and the quorum by attendance."""

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directory import selectors as directory
from directory import services as directory_services
from hub.errors import Invalid
from meetings import jitsi, selectors
from meetings.models import Attendance, Meeting

EVENTS = ("joined", "left")


def record(user: AbstractBaseUser, meeting_id: int, event: str, now: dt.datetime | None = None) -> Attendance:
    """The person joined or left the call of the occurrence that is open now (invitees only)."""
    if event not in EVENTS:
        raise Invalid(_("The event is joined or left."), fields={"event": event})
    now = now or timezone.now()
    meeting = selectors.meeting_for(user, meeting_id)
    slot = jitsi.open_occurrence(meeting, now) if meeting.cancelled_at is None else None
    if slot is None:
        raise Invalid(_("The call opens 15 minutes before the meeting starts."), fields={"join": "not_open"})
    return record_for(meeting, directory.person_of(user), slot, event, now)


def record_for(meeting: Meeting, person, slot, event: str, now: dt.datetime) -> Attendance:
    """Store that the person joined or left the call of that occurrence (checked by the caller)."""
    joined = event == "joined"
    key = {"meeting": meeting, "person": person, "original_start": slot.original_start}
    with transaction.atomic():
        row = Attendance.objects.select_for_update().filter(**key).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = Attendance.objects.create(
                        **key,
                        first_joined_at=now,
                        in_call=joined,
                        last_left_at=None if joined else now,
                        ends_at=slot.end,
                    )
                    _announce(person)
                    return row
            except IntegrityError:  # another tab of theirs made it at the same moment
                row = Attendance.objects.select_for_update().get(**key)
        row.in_call = joined
        if not joined:
            row.last_left_at = now
        row.ends_at = slot.end
        row.save(update_fields=["in_call", "last_left_at", "ends_at"])
        _announce(person)
    return row


def _announce(person) -> None:
    """Everyone who sees the person learns they are (no longer) in a meeting, once this is stored."""
    if person.user_id:
        transaction.on_commit(lambda: directory_services.announce_presence(person.user_id))


def people_in_a_call(person_ids: list[int], now: dt.datetime | None = None) -> set[int]:
    """Of these people, those in a meeting's call now: the directory's in_meeting presence."""
    now = now or timezone.now()
    # Those in a call now are few (ends_at is indexed); a page of 500 people's ids bound one by
    # one into the query cost more than reading them all.
    in_call = Attendance.objects.filter(in_call=True, ends_at__gt=now).values_list("person_id", flat=True)
    return set(in_call).intersection(person_ids)


def of_occurrence(meeting: Meeting, original_start: dt.datetime) -> dict[int, Attendance]:
    """Person id → their attendance of that occurrence."""
    return {a.person_id: a for a in Attendance.objects.filter(meeting=meeting, original_start=original_start)}


def quorum_by_attendance(meeting: Meeting, attendees, present: dict[int, Attendance]) -> selectors.Quorum | None:
    """The quorum counted among those who joined the call (the pool as for answers)."""
    if meeting.quorum is None:
        return None
    if meeting.quorum_of == Meeting.QuorumOf.EXPERTS:
        pool = [a for a in attendees if a.person.is_expert]
    else:
        pool = [a for a in attendees if a.required]
    counted = sum(1 for a in pool if a.person_id in present)
    return selectors.Quorum(needed=meeting.quorum, counted=counted, of=meeting.quorum_of)


def latest_slot(meeting: Meeting, now: dt.datetime):
    """The occurrence whose attendance the page shows: the one open now, else the last one held."""
    open_now = jitsi.open_occurrence(meeting, now)
    if open_now is not None:
        return open_now
    held = [
        s
        for s in selectors.occurrences_of(meeting, now - dt.timedelta(days=400), now)
        if not s.cancelled and s.start <= now
    ]
    return held[-1] if held else None
