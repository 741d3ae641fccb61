"""Writes of meetings: schedule, change and cancel meetings and single occurrences; answer invitations.

Each write checks everything first and saves inside one transaction: a refusal leaves nothing behind.
Times, rules and exceptions are django-scheduler's (schedule.Event, Rule, Occurrence).
"""

import datetime as dt
import logging
import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from schedule.models import Calendar, Event, Occurrence, Rule

from chat import services as chat_services
from directory import selectors as directory
from directory.models import Person
from hub.errors import Forbidden, Invalid, NotFound, TooLarge
from meetings import expert_links, selectors, tasks
from meetings import recurrence as rec
from meetings.checks import (  # noqa: F401 (Draft and the limits are part of this module's interface)
    MAX_ATTENDEES,
    MAX_NOTE_CHARS,
    Checked,
    Draft,
    aware,
    check_draft,
    check_room_free,
    check_times,
    organiser_of,
)
from meetings.models import Attendee, CalendarFeed, Meeting, ViewerTimeZone

logger = logging.getLogger(__name__)

# --- Scheduling ----------------------------------------------------------------------------------


def schedule_meeting(user: AbstractBaseUser, draft: Draft) -> Meeting:
    organiser = organiser_of(user)
    checked = check_draft(user, draft)
    with transaction.atomic():
        calendar = Calendar.objects.create(name=f"meeting {secrets.token_hex(6)}", slug=f"m-{secrets.token_hex(8)}")
        event = Event(calendar=calendar, creator=user)
        _write_event(event, draft, checked)
        meeting = Meeting(event=event, organiser=organiser, sequence=0)
        _copy_fields(meeting, draft, checked)
        _refresh_span(meeting)
        meeting.save()
        check_room_free(meeting)
        _write_attendees(meeting, checked.attendees)
        members = [a.person.user for a in meeting.attendees.select_related("person__user") if a.person.user_id]
        meeting.chat_room = chat_services.create_room(kind="meeting", name=meeting.title, owner=user, members=members)
        meeting.save(update_fields=["chat_room"])
        _mail_after_commit(meeting.pk)
    return meeting


def update_meeting(user: AbstractBaseUser, meeting_id: int, draft: Draft) -> Meeting:
    """Change the whole series. Exceptions still on the new rule are kept; when the times change,
    answers go back to "not answered" (people must say whether the new time suits them)."""
    with transaction.atomic():
        meeting = _editable(user, meeting_id, lock=True)
        event = meeting.event
        if meeting.cancelled_at:
            raise Invalid(_("This meeting was cancelled and cannot be changed."))
        checked = check_draft(user, draft, meeting=meeting)
        before = (event.start, event.end, event.rule.params if event.rule else "", event.end_recurring_period)
        _write_event(event, draft, checked)
        after = (event.start, event.end, event.rule.params if event.rule else "", event.end_recurring_period)
        if before != after:
            _keep_exceptions_on_rule(meeting, old_duration=before[1] - before[0])
            meeting.attendees.update(response=Attendee.Response.PENDING, responded_at=None)
        _copy_fields(meeting, draft, checked)
        meeting.sequence += 1
        _refresh_span(meeting)
        meeting.save()
        check_room_free(meeting)
        removed = _sync_attendees(meeting, checked.attendees)
        _mail_after_commit(meeting.pk, removed)
    return meeting


def cancel_meeting(user: AbstractBaseUser, meeting_id: int) -> Meeting:
    """Cancel the whole series. The meeting and its chat room stay, for minutes and follow-ups."""
    with transaction.atomic():
        meeting = _editable(user, meeting_id, lock=True)
        if meeting.cancelled_at is None:
            meeting.cancelled_at = timezone.now()
            meeting.sequence += 1
            meeting.save(update_fields=["cancelled_at", "sequence", "updated_at"])
            _mail_after_commit(meeting.pk)
    return meeting


def move_occurrence(
    user: AbstractBaseUser, meeting_id: int, key: str, start: dt.datetime, end: dt.datetime
) -> Occurrence:
    """Give one occurrence of a series another time (a schedule.Occurrence, moved)."""
    with transaction.atomic():
        meeting = _editable(user, meeting_id, lock=True)
        tz = rec.zone(meeting.timezone)
        start, end = aware(start, tz), aware(end, tz)
        check_times(start, end)
        occurrence = _occurrence(meeting, key)
        if occurrence.cancelled:
            raise Invalid(_("That meeting was cancelled; it cannot be moved."))
        occurrence.start, occurrence.end = start, end
        occurrence.save()
        meeting.sequence += 1
        _refresh_span(meeting)
        meeting.save(update_fields=["sequence", "starts_at", "ends_at", "updated_at"])
        check_room_free(meeting)
        _mail_after_commit(meeting.pk)
    return occurrence


def cancel_occurrence(user: AbstractBaseUser, meeting_id: int, key: str) -> Occurrence:
    with transaction.atomic():
        meeting = _editable(user, meeting_id, lock=True)
        occurrence = _occurrence(meeting, key)
        if occurrence.end <= timezone.now():
            raise Invalid(_("That meeting is over; it can no longer be cancelled."))
        occurrence.cancelled = True
        occurrence.save()
        meeting.sequence += 1
        meeting.save(update_fields=["sequence", "updated_at"])
        _mail_after_commit(meeting.pk)
    return occurrence


# --- Answers -------------------------------------------------------------------------------------


def respond(user: AbstractBaseUser, meeting_id: int, response: str, note: str = "") -> Attendee:
    """An invitee accepts, accepts tentatively or declines the meeting, with a note."""
    meeting = selectors.meeting_for(user, meeting_id)
    if response not in {Attendee.Response.ACCEPTED, Attendee.Response.TENTATIVE, Attendee.Response.DECLINED}:
        raise Invalid(_("Answer accept, tentative or decline."), fields={"response": response})
    note = (note or "").strip()
    if len(note) > MAX_NOTE_CHARS:
        raise TooLarge(_("A note has at most %(max)d characters.") % {"max": MAX_NOTE_CHARS}, fields={"note": "long"})
    if meeting.cancelled_at:
        raise Invalid(_("This meeting was cancelled."))
    attendee = meeting.attendees.filter(person__user=user).first()
    if attendee is None:
        raise Forbidden(_("Only people invited to this meeting can answer."))
    attendee.response, attendee.note, attendee.responded_at = response, note, timezone.now()
    attendee.save(update_fields=["response", "note", "responded_at"])
    return attendee


# --- Minutes -------------------------------------------------------------------------------------

MAX_MINUTES_CHARS = 50_000


def post_minutes(user: AbstractBaseUser, meeting_id: int, text: str) -> Meeting:
    """The organiser or the chair writes the minutes; attendees read them on the meeting page, and
    the meeting's chat room is told (the first time, and again when they change)."""
    text = (text or "").strip()
    if len(text) > MAX_MINUTES_CHARS:
        raise TooLarge(
            _("Minutes have at most %(max)d characters.") % {"max": MAX_MINUTES_CHARS}, fields={"minutes": "long"}
        )
    with transaction.atomic():
        meeting = _editable(user, meeting_id, lock=True)
        if text == meeting.minutes:
            return meeting
        first = not meeting.minutes
        meeting.minutes = text
        meeting.minutes_by = directory.person_of(user)
        meeting.minutes_updated_at = timezone.now()
        meeting.save(update_fields=["minutes", "minutes_by", "minutes_updated_at", "updated_at"])
        if meeting.chat_room_id and text:
            notice = _("The minutes of this meeting are posted") if first else _("The minutes were updated")
            body = f"{notice}: /meetings/{meeting.pk}/#minutes"
            stamp = meeting.minutes_updated_at.strftime("%Y%m%d%H%M%S%f")
            chat_services.send_message(user, meeting.chat_room_id, body, client_id=f"minutes-{meeting.pk}-{stamp}")
    return meeting


# --- The zone a person reads times in ------------------------------------------------------------


def choose_time_zone(user: AbstractBaseUser, name: str) -> str:
    """A person (an expert abroad) reads every time in this zone; "" for Asia/Bangkok again."""
    person = directory.person_of(user)
    if person is None:
        raise Forbidden()
    if not name or name == "Asia/Bangkok":
        ViewerTimeZone.objects.filter(person=person).delete()
        return ""
    rec.zone(name)  # refuses unknown names and fixed offsets
    ViewerTimeZone.objects.update_or_create(person=person, defaults={"timezone": name})
    return name


# --- Calendar feed ------------------------------------------------------------------------------


def renew_feed(user: AbstractBaseUser) -> CalendarFeed:
    """Give the person a new private feed URL; the old one stops working at once."""
    person = directory.person_of(user)
    if person is None:
        raise Forbidden()
    CalendarFeed.objects.filter(person=person).delete()
    return CalendarFeed.objects.create(person=person)


# --- Writing -------------------------------------------------------------------------------------


def _write_event(event: Event, draft: Draft, checked: Checked) -> None:
    event.title = draft.title
    event.description = draft.agenda or ""
    event.start, event.end = checked.start, checked.end
    recurrence = draft.recurrence
    event.end_recurring_period = rec.end_of_series(recurrence, checked.tz)
    if recurrence.repeats:
        frequency, params = rec.rule_fields(recurrence)
        rule = event.rule or Rule(name="meeting", description="meeting")
        rule.frequency, rule.params = frequency, params
        rule.save()
        event.rule = rule
        # The series starts at its first occurrence (a weekly Mon/Thu meeting entered for a
        # Tuesday starts on Thursday), as RFC 5545 expects of DTSTART.
        first = rec.original_starts(event, checked.tz, limit=1)
        if first and first[0] != event.start:
            duration = event.end - event.start
            event.start, event.end = first[0], first[0] + duration
    else:
        old_rule, event.rule = event.rule, None
        if old_rule is not None:
            event.save()
            old_rule.delete()
    event.save()


def _copy_fields(meeting: Meeting, draft: Draft, checked: Checked) -> None:
    meeting.title = draft.title
    meeting.agenda = draft.agenda or ""
    meeting.timezone = draft.timezone
    meeting.chair = checked.chair
    meeting.room = checked.room
    meeting.quorum = draft.quorum
    meeting.quorum_of = draft.quorum_of


def _refresh_span(meeting: Meeting) -> None:
    event = meeting.event
    tz = rec.zone(meeting.timezone)
    starts = rec.original_starts(event, tz)
    if not starts:
        raise Invalid(_("That rule gives no meeting at all: check the weekdays and the last date."))
    duration = event.end - event.start
    moved = list(event.occurrence_set.all())
    meeting.starts_at = min([starts[0], *(o.start for o in moved)])
    meeting.ends_at = max([starts[-1] + duration, *(o.end for o in moved)])


def _keep_exceptions_on_rule(meeting: Meeting, old_duration: dt.timedelta) -> None:
    """After the series changed, keep the exceptions whose original time the new rule still has."""
    event = meeting.event
    starts = set(rec.original_starts(event, rec.zone(meeting.timezone)))
    duration = event.end - event.start
    for occurrence in event.occurrence_set.all():
        if occurrence.original_start not in starts:
            occurrence.delete()
            continue
        was_moved = occurrence.moved
        occurrence.original_end = occurrence.original_start + duration
        if not was_moved:
            occurrence.start, occurrence.end = occurrence.original_start, occurrence.original_end
        occurrence.save()


def _write_attendees(meeting: Meeting, attendees: dict[int, tuple[bool, int | None]]) -> None:
    Attendee.objects.bulk_create(
        Attendee(meeting=meeting, person_id=person_id, required=required, via_team_id=team_id)
        for person_id, (required, team_id) in attendees.items()
    )


def _mail_after_commit(meeting_id: int, removed: list[int] | None = None) -> None:
    """Queue the invitation e-mails once the change is stored (a job cannot see uncommitted rows)."""

    def enqueue():
        try:
            tasks.send_invitations(meeting_id, list(removed or []))
        except Exception:  # a queue that is down must not turn a saved change into an error page
            logger.exception("Could not queue the invitations of meeting %s", meeting_id)

    transaction.on_commit(enqueue)


def _sync_attendees(meeting: Meeting, attendees: dict[int, tuple[bool, int | None]]) -> list[int]:
    """Bring the list in line; returns the ids of the people taken off it."""
    current = {a.person_id: a for a in meeting.attendees.select_related("person__user")}
    gone = [a for person_id, a in current.items() if person_id not in attendees]
    Attendee.objects.filter(pk__in=[a.pk for a in gone]).delete()
    expert_links.revoke(meeting, [a.person_id for a in gone])  # their links stop at once
    for person_id, (required, team_id) in attendees.items():
        if person_id in current and (current[person_id].required, current[person_id].via_team_id) != (
            required,
            team_id,
        ):
            Attendee.objects.filter(pk=current[person_id].pk).update(required=required, via_team_id=team_id)
    _write_attendees(meeting, {k: v for k, v in attendees.items() if k not in current})
    if meeting.chat_room is None:
        return [a.person_id for a in gone]
    keep = {meeting.organiser_id, *(() if meeting.chair_id is None else (meeting.chair_id,))}
    for attendee in gone:
        if attendee.person.user_id and attendee.person_id not in keep:
            chat_services.remove_member(meeting.chat_room, attendee.person.user)
    added = Person.objects.filter(pk__in=[k for k in attendees if k not in current], user__isnull=False)
    chat_services.add_members(meeting.chat_room, [person.user for person in added.select_related("user")])
    return [a.person_id for a in gone]


@transaction.atomic
def withdraw_expert_link(user: AbstractBaseUser, meeting_id: int, person_id: int, send_new: bool = False) -> int:
    """The organiser or the chair stops an invited expert's links at once (a lost or forwarded
    e-mail, a new browser); with send_new, a fresh link is e-mailed. Returns how many were stopped."""
    meeting = _editable(user, meeting_id)
    if not meeting.attendees.filter(person_id=person_id, person__kind=Person.Kind.EXPERT).exists():
        raise NotFound(_("This expert is not invited to the meeting."))
    stopped = expert_links.revoke(meeting, [person_id])
    if send_new:

        def enqueue():
            try:
                tasks.send_expert_link(meeting.pk, person_id)
            except Exception:  # a queue that is down must not turn the withdrawal into an error page
                logger.exception("Could not queue a new link for meeting %s", meeting.pk)

        transaction.on_commit(enqueue)
    return stopped


# --- Lookups -------------------------------------------------------------------------------------


def _editable(user: AbstractBaseUser, meeting_id: int, lock: bool = False) -> Meeting:
    meeting = selectors.meeting_for(user, meeting_id)
    if not selectors.can_edit(user, meeting):
        raise Forbidden(_("Only the organiser or the chair can change this meeting."))
    if lock:
        # OF self: the rule is an outer join, which PostgreSQL cannot lock.
        meeting = Meeting.objects.select_for_update(of=("self",)).select_related("event__rule").get(pk=meeting.pk)
    return meeting


def _occurrence(meeting: Meeting, key: str) -> Occurrence:
    """The persisted occurrence for this original start, made when first needed."""
    original_start = selectors.parse_key(key)
    event = meeting.event
    if original_start not in set(rec.original_starts(event, rec.zone(meeting.timezone))):
        raise NotFound(_("This meeting has no occurrence at that time."))
    occurrence = event.occurrence_set.filter(original_start=original_start).first()
    if occurrence is None:
        end = original_start + (event.end - event.start)
        occurrence = Occurrence(
            event=event, start=original_start, end=end, original_start=original_start, original_end=end
        )
    return occurrence
