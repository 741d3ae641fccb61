"""The meeting's chat beside its call, in real browsers: an invitee sends from the meeting page and
another reads it on the chat page; it works when the call cannot load; on a phone the call comes
first and the chat under it. An expert with a personal link chats from the meeting page, and when
the organiser withdraws the link, the expert's open page ends on a page saying so, not the log-in."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_meetings import log_in
from tests.conftest import assert_accessible
from tests.factories import make_person

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

SECRET = "a-secret-of-at-least-32-bytes-for-hs256"


@pytest.fixture
def standin():
    from meetings.jitsi_standin import StandIn

    server = StandIn().start()
    yield server
    server.stop()


@pytest.fixture
def call_server(start_server, standin):
    jitsi = {"JITSI_DOMAIN": standin.domain, "JITSI_SCHEME": "http", "JITSI_APP_ID": "khurusapha"}
    return start_server(**jitsi, JITSI_APP_SECRET=SECRET)


def meeting_now(organiser, *invitees, title="ประชุมด่วน"):
    """A meeting whose call is open now (it starts in five minutes)."""
    from meetings import services

    now = timezone.localtime()
    return services.schedule_meeting(
        organiser.user,
        services.Draft(
            title=title,
            start=now + dt.timedelta(minutes=5),
            end=now + dt.timedelta(minutes=65),
            people={person.pk: True for person in invitees},
        ),
    )


def box(page, selector):
    return page.locator(selector).bounding_box()


def test_an_invitee_chats_beside_the_call_and_another_reads_it_on_the_chat_page(browser, call_server, standin):
    organiser = make_person("somchai")
    make_person("somsri", first_name_th="สมศรี", last_name_th="มีสุข", title_th="นางสาว")
    make_person("wilai", first_name_th="วิไล", last_name_th="ใจงาม", title_th="นาง")
    from directory.models import Person

    meeting = meeting_now(organiser, *Person.objects.filter(user__username__in=["somsri", "wilai"]))
    wide = browser.new_context(locale="th-TH", viewport={"width": 1366, "height": 850})
    phone = browser.new_context(locale="th-TH", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    try:
        somsri = wide.new_page()
        log_in(somsri, call_server, "somsri")
        somsri.goto(f"{call_server.url}/meetings/{meeting.pk}/")
        in_call = somsri.frame_locator("#call-frame iframe")
        expect(in_call.get_by_role("heading", name="Stand-in video call")).to_be_visible()
        chat = somsri.get_by_role("region", name="แชทของการประชุม")
        expect(chat).to_be_visible()
        expect(chat).to_have_attribute("data-room", str(meeting.chat_room_id))
        call, beside = box(somsri, "#call"), box(somsri, "#chat")
        assert beside["x"] >= call["x"] + call["width"] and abs(beside["y"] - call["y"]) < 2  # side by side
        assert beside["x"] + beside["width"] <= 1366
        assert_accessible(somsri)

        wilai = phone.new_page()
        log_in(wilai, call_server, "wilai")
        wilai.goto(f"{call_server.url}/chats/{meeting.chat_room_id}/")
        wilai.locator("#live-status[data-state=open]").wait_for(timeout=10_000)

        somsri.get_by_label("ส่งข้อความถึง ประชุมด่วน").fill("เริ่มประชุมได้เลยค่ะ **วาระที่ 1**")
        somsri.keyboard.press("Enter")
        expect(chat.locator(".message-body", has_text="เริ่มประชุมได้เลยค่ะ")).to_be_visible()
        expect(chat.locator(".message-body strong")).to_have_text("วาระที่ 1")
        expect(wilai.locator("#messages .message-body", has_text="เริ่มประชุมได้เลยค่ะ")).to_be_visible()

        # And back: a reply on the chat page arrives on the meeting page, live.
        wilai.get_by_label("ส่งข้อความถึง ประชุมด่วน").fill("รับทราบค่ะ")
        wilai.get_by_role("button", name="ส่ง", exact=True).click()
        expect(chat.locator(".message-body", has_text="รับทราบค่ะ")).to_be_visible()

        # On a phone: the call first, the chat under it, its composer within the screen's width.
        wilai.goto(f"{call_server.url}/meetings/{meeting.pk}/")
        wilai.locator("#live-status[data-state=open]").wait_for(timeout=10_000)
        expect(wilai.locator("#call-frame iframe")).to_be_visible()
        call, below = box(wilai, "#call"), box(wilai, "#chat")
        assert below["y"] >= call["y"] + call["height"]
        assert below["x"] >= 0 and below["x"] + below["width"] <= 360
        expect(wilai.locator("#chat .message-body", has_text="รับทราบค่ะ")).to_be_visible()
        wilai.get_by_label("ส่งข้อความถึง ประชุมด่วน").fill("ส่งจากโทรศัพท์")
        send = wilai.locator("#composer").get_by_role("button", name="ส่ง", exact=True)
        send.scroll_into_view_if_needed()
        sent = send.bounding_box()
        assert sent["x"] + sent["width"] <= 360
        send.click()
        expect(chat.locator(".message-body", has_text="ส่งจากโทรศัพท์")).to_be_visible()
        assert_accessible(wilai)

        # The call's script cannot load: the link to a new tab, and the chat still works.
        standin.stop()
        somsri.reload()
        expect(somsri.locator("#call-fallback")).to_contain_text("แสดงห้องประชุมวิดีโอในหน้านี้ไม่ได้")
        somsri.locator("#live-status[data-state=open]").wait_for(timeout=10_000)
        expect(somsri.get_by_role("link", name="เข้าร่วมในแท็บใหม่")).to_be_visible()
        somsri.get_by_label("ส่งข้อความถึง ประชุมด่วน").fill("ภาพไม่ขึ้น ใช้แท็บใหม่แทนนะคะ")
        somsri.keyboard.press("Enter")
        expect(wilai.locator("#chat .message-body", has_text="ภาพไม่ขึ้น")).to_be_visible()
        assert_accessible(somsri)
    finally:
        wide.close()
        phone.close()


def test_an_expert_chats_from_the_meeting_page_and_lands_on_the_withdrawn_page(browser, call_server):
    """No password: the link opens the meeting, its call and its chat. When the organiser stops
    the link, the expert's open page is closed at once (the socket's 4401) and ends on a page that
    says so and whom to ask, not on the log-in page they have no password for."""
    from meetings import expert_links

    organiser_person = make_person("somchai", first_name_th="สมชาย", last_name_th="ใจดี", title_th="นาย")
    colleague = make_person("somsri", first_name_th="สมศรี", last_name_th="มีสุข", title_th="นางสาว")
    expert_person = make_person("prawet", first_name_th="ประเวศ", kind="expert")
    meeting = meeting_now(organiser_person, colleague, expert_person, title="คณะอนุกรรมการ")
    link = call_server.url + f"/meetings/invited/{expert_links.issue(meeting, expert_person)}/"
    expert_context = browser.new_context(locale="th-TH", viewport={"width": 1366, "height": 850})
    organiser_context = browser.new_context(locale="th-TH", viewport={"width": 1280, "height": 900})
    try:
        expert = expert_context.new_page()
        expert.goto(link)
        expert.get_by_role("button", name="เปิดการประชุม").click()
        expect(expert.get_by_role("heading", name="คณะอนุกรรมการ", exact=True)).to_be_visible()
        expert.locator("#live-status[data-state=open]").wait_for(timeout=10_000)
        expect(expert.locator("#call-frame iframe")).to_be_visible()
        chat = expert.get_by_role("region", name="แชทของการประชุม")
        expect(chat).to_be_visible()
        expert.get_by_label("ส่งข้อความถึง คณะอนุกรรมการ").fill("สวัสดีครับ ผมพร้อมแล้ว")
        expert.keyboard.press("Enter")
        expect(chat.locator(".message-body", has_text="สวัสดีครับ ผมพร้อมแล้ว")).to_be_visible()
        expect(chat.locator("#outbox li")).to_have_count(0)  # acknowledged: stored
        assert_accessible(expert)

        organiser = organiser_context.new_page()
        log_in(organiser, call_server, "somchai")
        organiser.goto(f"{call_server.url}/meetings/{meeting.pk}/")
        expect(organiser.locator("#chat .message-body", has_text="สวัสดีครับ ผมพร้อมแล้ว")).to_be_visible()
        organiser.get_by_label("ส่งข้อความถึง คณะอนุกรรมการ").fill("ยินดีต้อนรับครับ")
        organiser.keyboard.press("Enter")
        expect(chat.locator(".message-body", has_text="ยินดีต้อนรับครับ")).to_be_visible()

        organiser.get_by_text("ลิงก์ส่วนตัว").click()
        organiser.get_by_role("button", name="ยกเลิกลิงก์", exact=True).click()
        expect(organiser.get_by_text("ลิงก์ของผู้ทรงคุณวุฒิใช้ไม่ได้แล้ว")).to_be_visible()

        expect(expert).to_have_url(re.compile(rf"/meetings/invited/ended/{meeting.pk}/$"))
        expect(expert.get_by_role("heading", name="ลิงก์เชิญของคุณใช้ไม่ได้แล้ว")).to_be_visible()
        expect(expert.get_by_text("นายสมชาย ใจดี")).to_be_visible()
        expect(expert.get_by_role("link", name=organiser_person.email)).to_have_attribute(
            "href", f"mailto:{organiser_person.email}"
        )
        assert_accessible(expert)
        expert.get_by_role("button", name="English").click()
        expect(expert.get_by_role("heading", name="Your invitation link no longer works")).to_be_visible()
        expect(expert.get_by_text("contact the organiser")).to_be_visible()
    finally:
        expert_context.close()
        organiser_context.close()
