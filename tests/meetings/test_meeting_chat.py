"""The meeting's chat room on its page, the page an expert's open tabs go to when their link's
session ends, and the clearing away of link sessions that are over."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from chat import services as chat_services
from meetings import expert_links, services, tasks
from meetings.models import ExpertLinkSession
from tests.meetings.conftest import at, draft, next_monday
from tests.meetings.test_expert_links import open_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(org):
    people = {org["colleague"].pk: True, org["expert"].pk: True}
    return services.schedule_meeting(org["organiser"].user, draft(at(next_monday(), 10), people=people))


def meeting_page(client, meeting) -> str:
    response = client.get(f"/meetings/{meeting.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def chat_of(html: str) -> str | None:
    """The opening tag of the page's #chat, if it has one."""
    found = re.search(r'<section [^>]*id="chat"[^>]*>', html)
    return found.group(0) if found else None


def test_members_of_the_room_see_its_conversation_and_a_composer_on_the_meeting_page(client, org, meeting):
    chat_services.send_message(org["colleague"].user, meeting.chat_room_id, "ส่งเอกสาร **วาระที่ 2** แล้วค่ะ", "c-1")
    for person in (org["organiser"], org["colleague"]):
        client.force_login(person.user)
        html = meeting_page(client, meeting)
        tag = chat_of(html)
        assert tag is not None, person
        assert f'data-room="{meeting.chat_room_id}"' in tag and f'data-me="{person.user_id}"' in tag
        assert 'data-last-seq="1"' in tag  # chat.js syncs from here after its socket says hello
        assert "<strong>วาระที่ 2</strong>" in html  # the message as the chat renders it
        assert 'id="composer-input"' in html and 'id="chat-labels"' in html and "js/chat.js" in html
        assert f'href="/chats/{meeting.chat_room_id}/"' in html  # the whole room on the chat page


def test_someone_who_sees_the_meeting_but_is_not_in_its_room_gets_no_chat(client, org, meeting):
    chat_services.send_message(org["organiser"].user, meeting.chat_room_id, "เรื่องภายในห้อง", "c-2")
    chat_services.remove_member(meeting.chat_room, org["colleague"].user)
    client.force_login(org["colleague"].user)
    html = meeting_page(client, meeting)
    assert chat_of(html) is None and "เรื่องภายในห้อง" not in html and "js/chat.js" not in html


def test_an_experts_link_shows_the_chat_and_names_the_page_to_go_to_when_it_ends(org, meeting):
    expert = Client()
    open_link(expert, f"/meetings/invited/{expert_links.issue(meeting, org['expert'])}/")
    html = meeting_page(expert, meeting)
    assert chat_of(html) is not None
    assert f'data-session-ended="/meetings/invited/ended/{meeting.pk}/"' in html

    staff = Client()
    staff.force_login(org["colleague"].user)
    assert "data-session-ended" not in meeting_page(staff, meeting)  # staff log in again: /login/


def test_the_ended_page_names_the_organiser_only_to_a_browser_that_opened_one_of_the_meetings_links(org, meetings):
    meeting, other, _room = meetings
    expert = Client()
    open_link(expert, f"/meetings/invited/{expert_links.issue(meeting, org['expert'])}/")
    services.withdraw_expert_link(org["organiser"].user, meeting.pk, org["expert"].pk)
    organiser = org["organiser"]

    page = expert.get(f"/meetings/invited/ended/{meeting.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "ลิงก์เชิญของคุณใช้ไม่ได้แล้ว" in html
    assert organiser.display_name in html and f'href="mailto:{organiser.email}"' in html and meeting.title in html

    # Anyone else who types the address (or the expert, for a meeting whose link they never opened
    # in this browser) learns nothing of who organises what.
    for client, meeting_id in [(Client(), meeting.pk), (expert, other.pk), (expert, 99999)]:
        html = client.get(f"/meetings/invited/ended/{meeting_id}/").content.decode()
        assert organiser.email not in html and meeting.title not in html and other.title not in html
        assert "ติดต่อผู้ที่เชิญคุณ" in html

    expert.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = expert.get(f"/meetings/invited/ended/{meeting.pk}/").content.decode()
    assert "Your invitation link no longer works" in html and "contact the organiser" in html


@pytest.fixture
def meetings(org):
    meeting = services.schedule_meeting(
        org["organiser"].user, draft(at(next_monday(), 10), people={org["expert"].pk: True}, title="คณะที่ 1")
    )
    other = services.schedule_meeting(
        org["organiser"].user, draft(at(next_monday(), 14), people={org["expert"].pk: True}, title="คณะที่ 2")
    )
    return meeting, other, None


def test_the_records_of_link_sessions_that_are_over_are_cleared_away(org, meeting, jobs_run_now):
    browsers = [Client() for _ in range(3)]
    for browser in browsers:
        open_link(browser, f"/meetings/invited/{expert_links.issue(meeting, org['expert'])}/")
    live, expired, _logged_out = (browser.session.session_key for browser in browsers)
    Session.objects.filter(session_key=expired).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    browsers[2].post("/logout/")
    assert ExpertLinkSession.objects.count() == 3

    tasks.forget_ended_expert_sessions()  # Huey keeps no results of periodic tasks: look at the rows
    assert list(ExpertLinkSession.objects.values_list("session_key", flat=True)) == [live]
    assert expert_links.forget_ended_sessions() == 0  # nothing more: safe to run again, anywhere

    # The live one is still known, so withdrawing the link still ends it.
    services.withdraw_expert_link(org["organiser"].user, meeting.pk, org["expert"].pk)
    assert not Session.objects.filter(session_key=live).exists()
    assert browsers[0].get(f"/meetings/{meeting.pk}/").status_code == 302


def test_the_clearing_away_runs_every_hour():
    hour = dt.datetime(2026, 12, 1, 9, 0)
    runs = [hour + dt.timedelta(minutes=m) for m in range(60)]
    assert sum(tasks.forget_ended_expert_sessions.task_class().validate_datetime(t) for t in runs) == 1
