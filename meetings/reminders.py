"""Reminders before each occurrence, over the socket and by e-mail, exactly once per person and
occurrence; none for declined meetings or cancelled occurrences. A Huey periodic task calls
`send_due` every minute (meetings/tasks.py); any number of consumers may run it at once."""

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from directory import selectors as directory
from directory.models import Person
from hub import realtime
from hub.dates import format_date
from hub.errors import Forbidden, Invalid
from meetings import selectors
from meetings.models import Attendee, Meeting, ReminderSent, ReminderSetting

logger = logging.getLogger(__name__)
DEFAULT_MINUTES = 10
CHOICES = (0, 5, 10, 15, 30, 60)


def minutes_for(person: Person) -> int:
    setting = ReminderSetting.objects.filter(person=person).first()
    return DEFAULT_MINUTES if setting is None else setting.minutes


def choose_minutes(user: AbstractBaseUser, minutes: int) -> ReminderSetting:
    """A person chooses how long before their meetings they are reminded (0: never)."""
    person = directory.person_of(user)
    if person is None:
        raise Forbidden()
    if minutes not in CHOICES:
        raise Invalid(
            _("Choose one of %(choices)s minutes.") % {"choices": ", ".join(map(str, CHOICES))},
            fields={"minutes": minutes},
        )
    setting, _created = ReminderSetting.objects.update_or_create(person=person, defaults={"minutes": minutes})
    return setting


def send_due(now: dt.datetime | None = None) -> int:
    """Remind everyone whose reminder time for a coming occurrence has come; returns how many."""
    now = now or timezone.now()
    horizon = now + dt.timedelta(minutes=max(CHOICES))
    meetings = (
        Meeting.objects.filter(cancelled_at=None, starts_at__lte=horizon, ends_at__gt=now)
        .select_related("event__rule", "organiser", "chair")
        .prefetch_related("event__occurrence_set")
    )
    sent = 0
    for meeting in meetings:
        slots = [s for s in selectors.occurrences_of(meeting, now, horizon) if not s.cancelled and s.start > now]
        if not slots:
            continue
        people = _people_of(meeting)
        leads = {s.person_id: s.minutes for s in ReminderSetting.objects.filter(person__in=people)}
        for slot in slots:
            for person in people:
                lead = dt.timedelta(minutes=leads.get(person.pk, DEFAULT_MINUTES))
                if lead and slot.start - lead <= now:
                    sent += _remind_once(meeting, slot, person, now)
    return sent


def _people_of(meeting: Meeting) -> list[Person]:
    """Attendees who have not declined, and the organiser and chair."""
    attending = {
        a.person_id: a.person
        for a in meeting.attendees.select_related("person").exclude(response=Attendee.Response.DECLINED)
    }
    for person in (meeting.organiser, meeting.chair):
        if person is not None:
            attending.setdefault(person.pk, person)
    return list(attending.values())


def _remind_once(meeting: Meeting, slot, person: Person, now: dt.datetime) -> int:
    minutes = max(round((slot.start - now).total_seconds() / 60), 1)
    try:
        with transaction.atomic():
            # Claimed with the sending: a second consumer waits on this row and then skips it; a
            # failed e-mail rolls the claim back and the next minute's run tries again.
            ReminderSent.objects.create(meeting=meeting, person=person, original_start=slot.original_start)
            if person.user_id:
                realtime.publish_to_user(person.user_id, _event(meeting, slot, minutes))  # after commit
            if person.email:
                _email(meeting, slot, person, minutes).send()
    except IntegrityError:
        return 0
    return 1


def _event(meeting: Meeting, slot, minutes: int) -> dict:
    texts = {}
    for language in ("th", "en"):
        with translation.override(language):
            texts[language] = _("Starts in %(minutes)d minutes") % {"minutes": minutes}
    return {
        "type": "notification",
        "kind": "reminder",
        "meeting": meeting.pk,
        "title": meeting.title,
        "start": slot.start,
        "url": f"/meetings/{meeting.pk}/",
        "text_th": texts["th"],
        "text_en": texts["en"],
    }


def _email(meeting: Meeting, slot, person: Person, minutes: int) -> EmailMessage:
    url = f"{settings.SITE_URL}/meetings/{meeting.pk}/"
    parts = []
    for language in ("th", "en"):
        with translation.override(language):
            when = f"{format_date(slot.start, 'full')}, {format_date(slot.start, 'time')}"
            parts.append(
                (
                    _("Reminder: %(title)s") % {"title": meeting.title},
                    _("“%(title)s” starts in %(minutes)d minutes (%(when)s). Join the call on the meeting page:")
                    % {"title": meeting.title, "minutes": minutes, "when": when}
                    + f"\n{url}",
                )
            )
    (subject_th, body_th), (subject_en, body_en) = parts
    return EmailMessage(
        subject=f"{subject_th} / {subject_en}", body=f"{body_th}\n\n-----\n\n{body_en}\n", to=[person.email]
    )
