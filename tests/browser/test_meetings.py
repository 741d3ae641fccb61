"""Meetings in real browsers: the organiser schedules a meeting with the form, the invitee answers in
a second browser, and the organiser sees the answer; every page passes axe-core, desktop and phone."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from directory.services import refresh_search_documents
from meetings.models import Meeting
from tests.conftest import assert_accessible
from tests.factories import PASSWORD, make_person

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def log_in(page, server, username):
    page.goto(server.url + "/login/")
    page.get_by_label("ชื่อผู้ใช้").fill(username)
    page.get_by_label("รหัสผ่าน").fill(PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.locator("#live-status[data-state=open]").wait_for(timeout=10_000)


@pytest.fixture
def two_browsers(browser):
    first = browser.new_context(locale="th-TH", viewport={"width": 1280, "height": 900})
    second = browser.new_context(locale="th-TH", viewport={"width": 360, "height": 740})
    yield first, second
    first.close()
    second.close()


def test_schedule_a_meeting_the_invitee_answers_and_the_organiser_sees_it(hub_server, two_browsers):
    make_person("somchai")
    make_person("somsri", first_name_th="สมศรี", last_name_th="มีสุข", title_th="นางสาว")
    refresh_search_documents()
    organiser_context, invitee_context = two_browsers
    day = timezone.localdate() + dt.timedelta(days=7)

    organiser = organiser_context.new_page()
    log_in(organiser, hub_server, "somchai")
    organiser.get_by_role("link", name="การประชุม").first.click()
    expect(organiser.get_by_role("heading", name="การประชุมของฉัน")).to_be_visible()
    assert_accessible(organiser)
    organiser.get_by_role("link", name="นัดประชุม").click()
    organiser.get_by_label("ชื่อเรื่อง").fill("ประชุมพิจารณาคำขอต่ออายุ")
    organiser.get_by_label("ระเบียบวาระ").fill("วาระที่ 1 คำขอค้างพิจารณา")
    organiser.get_by_label("วันที่", exact=True).fill(day.isoformat())
    organiser.get_by_label("เริ่ม", exact=True).fill("13:00")
    organiser.get_by_label("สิ้นสุด", exact=True).fill("14:00")
    organiser.get_by_label("เพิ่มบุคลากรหรือผู้ทรงคุณวุฒิ").fill("สมศรี")
    organiser.get_by_role("button", name="เพิ่ม นางสาวสมศรี มีสุข").click()
    expect(organiser.locator("#chosen")).to_contain_text("นางสาวสมศรี มีสุข")
    organiser.get_by_role("button", name="หาเวลาว่าง").click()
    expect(organiser.locator("#free-times [data-use-time]").first).to_be_visible()
    assert_accessible(organiser)
    organiser.get_by_role("button", name="นัดประชุมและส่งคำเชิญ").click()
    expect(organiser.get_by_role("heading", name="ประชุมพิจารณาคำขอต่ออายุ")).to_be_visible()
    meeting = Meeting.objects.get()
    assert [a.person.first_name_th for a in meeting.attendees.all()] == ["สมศรี"]

    invitee = invitee_context.new_page()
    log_in(invitee, hub_server, "somsri")
    invitee.goto(f"{hub_server.url}/meetings/?date={day.isoformat()}")
    invitee.get_by_role("link", name="ประชุมพิจารณาคำขอต่ออายุ").click()
    expect(invitee.get_by_role("heading", name="คำตอบของคุณ")).to_be_visible()
    assert_accessible(invitee)
    invitee.get_by_label("หมายเหตุ (ถ้ามี)").fill("ขอเข้าช้า 10 นาที")
    invitee.get_by_role("button", name="เข้าร่วม", exact=True).click()
    expect(invitee.locator(".flash")).to_contain_text("ส่งคำตอบถึงผู้จัดการประชุมแล้ว")

    organiser.reload()
    row = organiser.locator(f'[data-attendee="{meeting.attendees.get().person_id}"]')
    expect(row).to_contain_text("เข้าร่วม")
    expect(row).to_contain_text("ขอเข้าช้า 10 นาที")
    assert_accessible(organiser)

    organiser.goto(f"{hub_server.url}/meetings/?view=month&date={day.isoformat()}")
    expect(organiser.locator(".mt-month")).to_contain_text("ประชุมพิจารณาคำขอต่ออายุ")
    assert_accessible(organiser)
    invitee.goto(f"{hub_server.url}/meetings/?view=month&date={day.isoformat()}")
    expect(invitee.locator(".mt-month-list")).to_contain_text("ประชุมพิจารณาคำขอต่ออายุ")
    assert_accessible(invitee)


@pytest.fixture
def standin():
    from meetings.jitsi_standin import StandIn

    server = StandIn().start()
    yield server
    server.stop()


def test_the_meeting_page_embeds_the_call_and_falls_back_to_a_link(start_server, page, standin):
    from meetings import services

    organiser = make_person("somchai")
    invitee = make_person("somsri", first_name_th="สมศรี", last_name_th="มีสุข", title_th="นางสาว")
    now = timezone.localtime()
    meeting = services.schedule_meeting(
        organiser.user,
        services.Draft(
            title="ประชุมด่วน",
            start=now + dt.timedelta(minutes=5),
            end=now + dt.timedelta(minutes=45),
            people={invitee.pk: True},
        ),
    )
    server = start_server(
        JITSI_DOMAIN=standin.domain,
        JITSI_SCHEME="http",
        JITSI_APP_ID="khurusapha",
        JITSI_APP_SECRET="a-secret-of-at-least-32-bytes-for-hs256",
    )
    log_in(page, server, "somsri")
    # The page tells the hub she joined (the IFrame API's videoConferenceJoined).
    with page.expect_response(lambda r: r.url.endswith(f"/meetings/{meeting.pk}/attendance/") and r.status == 204):
        page.goto(f"{server.url}/meetings/{meeting.pk}/")
    frame = page.locator("#call-frame iframe")
    expect(frame).to_have_attribute(
        "src", re.compile(rf"^http://{re.escape(standin.domain)}/{meeting.video_room}\?jwt=ey")
    )
    expect(page.frame_locator("#call-frame iframe").get_by_role("heading", name="Stand-in video call")).to_be_visible()
    expect(page.get_by_role("link", name="เข้าร่วมในแท็บใหม่")).to_be_visible()
    assert_accessible(page)
    page.reload()
    expect(page.locator(f'[data-attendee="{invitee.pk}"]')).to_contain_text("อยู่ในห้องประชุม")

    standin.stop()  # the script can no longer load: the page says so and keeps the link
    page.reload()
    expect(page.locator("#call-fallback")).to_contain_text("แสดงห้องประชุมวิดีโอในหน้านี้ไม่ได้")
    expect(page.locator("#call-frame")).to_be_hidden()
    expect(page.get_by_role("link", name="เข้าร่วมในแท็บใหม่")).to_have_attribute("href", f"/meetings/{meeting.pk}/join/")
    assert_accessible(page)


def test_an_expert_opens_the_personal_link_answers_chats_and_is_shut_out_when_it_is_withdrawn(hub_server, two_browsers):
    """No password: the link from the invitation opens the meeting and its chat room; when the
    organiser stops the link the expert's open page is closed at once (the socket's 4401)."""
    from meetings import expert_links, services
    from tests.meetings.conftest import at, draft, next_monday

    organiser_person = make_person("somchai")
    expert_person = make_person("prawet", first_name_th="ประเวศ", kind="expert")
    meeting = services.schedule_meeting(
        organiser_person.user, draft(at(next_monday(), 10), title="คณะอนุกรรมการ", people={expert_person.pk: True})
    )
    link = hub_server.url + f"/meetings/invited/{expert_links.issue(meeting, expert_person)}/"
    organiser_context, expert_context = two_browsers

    expert = expert_context.new_page()
    expert.goto(link)
    assert_accessible(expert)
    expert.get_by_role("button", name="เปิดการประชุม").click()
    expect(expert.get_by_role("heading", name="คณะอนุกรรมการ")).to_be_visible()
    expert.locator("#live-status[data-state=open]").wait_for(timeout=10_000)
    assert_accessible(expert)
    expert.get_by_role("button", name="เข้าร่วม", exact=True).click()
    expect(expert.locator(".mt-answer-accepted").first).to_be_visible()
    expert.get_by_role("link", name="เปิดในหน้าแชท").click()  # the meeting's room on the chat page
    expert.get_by_label("ส่งข้อความถึง คณะอนุกรรมการ").fill("สวัสดีครับ")
    expert.keyboard.press("Enter")
    expect(expert.locator(".message-body", has_text="สวัสดีครับ")).to_be_visible()
    expert.goto(hub_server.url + "/people/")
    expect(expert.get_by_text("ลิงก์นี้เปิดได้เฉพาะการประชุมเดียว")).to_be_visible()
    expert.get_by_role("link", name="กลับไปที่การประชุม").click()
    expert.locator("#live-status[data-state=open]").wait_for(timeout=10_000)

    organiser = organiser_context.new_page()
    log_in(organiser, hub_server, "somchai")
    organiser.goto(hub_server.url + f"/meetings/{meeting.pk}/")
    organiser.get_by_text("ลิงก์ส่วนตัว").click()
    organiser.get_by_role("button", name="ยกเลิกลิงก์", exact=True).click()
    expect(organiser.get_by_text("ลิงก์ของผู้ทรงคุณวุฒิใช้ไม่ได้แล้ว")).to_be_visible()
    # Its socket was closed: the session is gone, and the page says so (no password to log in with).
    expect(expert).to_have_url(re.compile(rf"/meetings/invited/ended/{meeting.pk}/$"))
    expert.goto(link)
    expect(expert.get_by_text("ลิงก์เชิญนี้ถูกผู้จัดประชุมยกเลิกแล้ว")).to_be_visible()
