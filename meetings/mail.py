"""Invitation e-mails in Thai and English with the meeting's .ics (METHOD:REQUEST, or METHOD:CANCEL
for a cancelled meeting and for people taken off the list), sent exactly once per person and change."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from directory.models import Person
from meetings import expert_links, ics, selectors
from meetings import recurrence as rec
from meetings.models import InvitationSent, Meeting

logger = logging.getLogger(__name__)


def send_invitations(meeting_id: int, removed_person_ids: list[int] | None = None) -> int:
    """Mail every attendee the meeting as it now stands, and a cancellation to those removed.
    Returns how many e-mails this call sent; ones already sent for this sequence are skipped."""
    meeting = Meeting.objects.select_related("event__rule", "organiser", "chair", "room").filter(pk=meeting_id).first()
    if meeting is None:
        return 0
    method = "CANCEL" if meeting.cancelled_at else "REQUEST"
    attendees = [a.person for a in meeting.attendees.select_related("person") if a.person_id != meeting.organiser_id]
    removed = list(Person.objects.filter(pk__in=removed_person_ids or []))
    sent = 0
    for person, person_method in [*((p, method) for p in attendees), *((p, "CANCEL") for p in removed)]:
        sent += _send_once(meeting, person, person_method)
    return sent


def _send_once(meeting: Meeting, person: Person, method: str) -> int:
    if not person.email:
        return 0
    try:
        with transaction.atomic():
            # The claim and the sending share a transaction: a failed send leaves no claim (the task's
            # retry sends it), and a second consumer waits on the claim's row and then skips it.
            InvitationSent.objects.create(meeting=meeting, person=person, sequence=meeting.sequence, method=method)
            _message(meeting, person, method, _link_for(meeting, person, method)).send()
    except IntegrityError:
        return 0
    return 1


def _link_for(meeting: Meeting, person: Person, method: str) -> str | None:
    """Experts have no password: their invitation carries a personal link to this meeting only."""
    if method != "REQUEST" or not person.is_expert or person.user_id is None:
        return None
    return expert_links.url_of(expert_links.issue(meeting, person))


def send_expert_link(meeting_id: int, person_id: int) -> int:
    """A new personal link for an invited expert (their earlier ones were withdrawn), by e-mail."""
    meeting = Meeting.objects.select_related("event__rule", "organiser", "chair", "room").filter(pk=meeting_id).first()
    person = Person.objects.filter(pk=person_id, meeting_invitations__meeting=meeting_id).first()
    if meeting is None or meeting.cancelled_at or person is None or not person.email:
        return 0
    with transaction.atomic():  # no link is kept unless its e-mail went out
        link = _link_for(meeting, person, "REQUEST")
        if link is None:
            return 0
        _message(meeting, person, "REQUEST", link).send()
    return 1


def _message(meeting: Meeting, person: Person, method: str, link: str | None = None) -> EmailMultiAlternatives:
    context = _context(meeting, method) | {"expert_link": link}
    with translation.override("th"):
        subject_th = _subject(meeting, method)
        context["recurrence_text"] = rec.describe(context["recurrence"])
        body_th = render_to_string("meetings/email/invitation.txt", context)
    with translation.override("en"):
        subject_en = _subject(meeting, method)
        context["recurrence_text"] = rec.describe(context["recurrence"])
        body_en = render_to_string("meetings/email/invitation.txt", context)
    calendar = ics.meeting_calendar(meeting, settings.SITE_URL, method=method)
    message = EmailMultiAlternatives(
        subject=f"{subject_th} / {subject_en}",
        body=f"{body_th.strip()}\n\n-----\n\n{body_en.strip()}\n",
        to=[person.email],
        reply_to=[meeting.organiser.email],
    )
    # As an alternative part calendar apps offer Accept/Decline; as a file for everyone else.
    message.attach_alternative(calendar.decode(), f"text/calendar; method={method}; charset=UTF-8")
    message.attach("invite.ics" if method == "REQUEST" else "cancel.ics", calendar, "application/ics")
    return message


def _subject(meeting: Meeting, method: str) -> str:
    from django.utils.translation import gettext as _

    if method == "CANCEL":
        return _("Cancelled: %(title)s") % {"title": meeting.title}
    if meeting.sequence:
        return _("Changed: %(title)s") % {"title": meeting.title}
    return _("Invitation: %(title)s") % {"title": meeting.title}


def _context(meeting: Meeting, method: str) -> dict:
    now = timezone.now()
    upcoming = [s for s in selectors.occurrences_of(meeting, now, now + selectors.MAX_WINDOW) if not s.cancelled]
    return {
        "meeting": meeting,
        "method": method,
        "changed": meeting.sequence > 0,
        "first": upcoming[0] if upcoming else None,
        "more": max(len(upcoming) - 1, 0),
        "recurrence": rec.recurrence_of(meeting.event),
        "url": f"{settings.SITE_URL}/meetings/{meeting.pk}/",
    }
