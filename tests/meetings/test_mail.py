"""Invitation e-mails over real SMTP (aiosmtpd on loopback): Thai and English, the .ics with
METHOD:REQUEST or METHOD:CANCEL, queued on Huey after commit, each sent once per person and change."""

import icalendar
import pytest

from meetings import mail, services
from meetings.models import InvitationSent
from tests.meetings.conftest import at, draft, next_monday

pytestmark = pytest.mark.django_db


def calendar_of(message) -> icalendar.Calendar:
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    return icalendar.Calendar.from_ical(part.get_content())


def test_invitees_get_one_bilingual_invitation_with_the_ics_once_the_meeting_is_saved(
    org, smtp, jobs_run_now, django_capture_on_commit_callbacks
):
    inbox, _ = smtp
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.schedule_meeting(
            org["organiser"].user,
            draft(at(next_monday(), 10), agenda="วาระที่ 1", people={org["colleague"].pk: True, org["expert"].pk: True}),
        )
    assert sorted(m["To"] for m in inbox.messages) == sorted([org["colleague"].email, org["expert"].email])
    (message,) = inbox.to(org["expert"].email)
    assert str(message["Subject"]).strip() == f"เชิญประชุม: {meeting.title} / Invitation: {meeting.title}"
    assert message["Reply-To"] == org["organiser"].email
    text = message.get_body(("plain",)).get_content()
    assert "คุณได้รับเชิญเข้าร่วมประชุม" in text and "You are invited to a meeting" in text
    assert str(next_monday().year + 543) in text and "วาระที่ 1" in text
    # The expert has no password: a personal link instead of the page (tests/meetings/test_expert_links.py).
    assert "https://one.ksp.test/meetings/invited/" in text
    calendar = calendar_of(message)
    assert calendar["METHOD"] == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert event["SEQUENCE"] == 0 and event["DTSTART"].dt == at(next_monday(), 10)

    # A second consumer, a retry or a restart runs the same job again: nothing is sent twice.
    assert mail.send_invitations(meeting.pk) == 0
    assert len(inbox.messages) == 2


def test_changes_send_updates_removed_people_and_cancellations_get_method_cancel(
    org, smtp, jobs_run_now, django_capture_on_commit_callbacks
):
    inbox, _ = smtp
    user = org["organiser"].user
    people = {org["colleague"].pk: True, org["expert"].pk: True}
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.schedule_meeting(user, draft(at(next_monday(), 10), people=people))
    with django_capture_on_commit_callbacks(execute=True):
        services.update_meeting(user, meeting.pk, draft(at(next_monday(), 11), people={org["colleague"].pk: True}))
    removed = inbox.to(org["expert"].email)[-1]
    assert calendar_of(removed)["METHOD"] == "CANCEL" and str(removed["Subject"]).strip().startswith("ยกเลิก:")
    changed = inbox.to(org["colleague"].email)[-1]
    assert calendar_of(changed)["METHOD"] == "REQUEST" and calendar_of(changed).walk("VEVENT")[0]["SEQUENCE"] == 1
    assert str(changed["Subject"]).strip().startswith("เปลี่ยนแปลง:")
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_meeting(user, meeting.pk)
    cancelled = calendar_of(inbox.to(org["colleague"].email)[-1])
    assert cancelled["METHOD"] == "CANCEL" and cancelled.walk("VEVENT")[0]["SEQUENCE"] == 2
    assert [len(inbox.to(p.email)) for p in (org["colleague"], org["expert"], org["organiser"])] == [3, 2, 0]


def test_a_mail_server_that_is_down_leaves_nothing_claimed_so_the_retry_sends(org, smtp):
    inbox, server = smtp
    meeting = services.schedule_meeting(
        org["organiser"].user, draft(at(next_monday(), 10), people={org["colleague"].pk: True})
    )
    server.stop()
    with pytest.raises(OSError):
        mail.send_invitations(meeting.pk)
    assert not InvitationSent.objects.exists()
    server.start()
    assert mail.send_invitations(meeting.pk) == 1
    assert len(inbox.to(org["colleague"].email)) == 1
