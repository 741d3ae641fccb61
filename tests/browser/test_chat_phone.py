"""The chat page on a 360×740 phone: one pane at a time (rooms, conversation, thread), only the
messages scroll, the composer is always on screen, and nothing needs a hover or a Shift key."""

import pytest
from playwright.sync_api import expect

from chat.models import Message
from chat.services import send_message
from tests.browser.test_chat import log_in, pair  # noqa: F401 (a fixture)
from tests.browser.test_chat_composing import covered
from tests.conftest import assert_accessible

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def on_screen(page, control) -> bool:
    box = control.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 740 and not covered(page, control)


def test_on_a_phone_each_pane_fills_the_screen_with_its_composer_in_reach(hub_server, browser, pair):  # noqa: F811
    somchai, _somsri, room = pair
    for n in range(4):  # more than a phone's screen of messages
        send_message(somchai.user, room.pk, "\n".join(f"รายงานฉบับที่ {n}.{line}" for line in range(8)), client_id=f"r{n}")
    send_message(somchai.user, room.pk, "ใครว่างตรวจเอกสารบ้างครับ", client_id="question")
    phone = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="th-TH")
    try:
        page = phone.new_page()
        log_in(page, hub_server, "somsri")
        page.goto(f"{hub_server.url}/chats/{room.pk}/")
        page.locator("#live-status[data-state=open]").wait_for()

        # The conversation alone: the page itself does not scroll, its messages do.
        expect(page.get_by_role("heading", name="ห้องและกลุ่ม")).to_be_hidden()
        assert page.evaluate("document.scrollingElement.scrollHeight <= innerHeight")
        assert page.evaluate("(el => el.scrollHeight > el.clientHeight)(document.getElementById('messages-scroll'))")
        composer = page.get_by_label("ส่งข้อความถึง ทีมทะเบียน")
        send = page.locator("#composer").get_by_role("button", name="ส่ง", exact=True)
        for control in (composer, send, page.locator("#composer").get_by_text("แนบไฟล์")):
            assert on_screen(page, control)
        expect(page.get_by_text("Shift+Enter", exact=False)).to_be_hidden()
        assert_accessible(page)

        # Enter is a new line on a phone's keyboard; the button sends.
        composer.tap()
        composer.press_sequentially("บรรทัดแรก")
        composer.press("Enter")
        composer.press_sequentially("บรรทัดสอง")
        send.tap()
        page.locator("#messages .message", has_text="บรรทัดสอง").wait_for()
        assert Message.objects.filter(body="บรรทัดแรก\nบรรทัดสอง").exists()

        # A message's actions are there without hovering; the thread takes the screen.
        question = page.locator("#messages .message", has_text="ใครว่างตรวจเอกสารบ้างครับ")
        reply = question.get_by_role("button", name="ตอบกลับ")
        assert on_screen(page, reply)
        reply.tap()
        thread_input = page.get_by_label("ตอบกลับในเธรด")
        expect(thread_input).to_be_visible()
        expect(composer).to_be_hidden()
        assert on_screen(page, thread_input)
        assert_accessible(page)
        page.get_by_role("button", name="ปิด").tap()
        expect(composer).to_be_visible()

        # Back to the list of rooms, and the browser's Back returns to the conversation.
        page.get_by_role("link", name="กลับไปที่รายการแชท").tap()
        rooms = page.get_by_role("heading", name="ห้องและกลุ่ม")
        expect(rooms).to_be_visible()
        expect(composer).to_be_hidden()
        assert on_screen(page, page.locator(".chat-sidebar").get_by_role("link", name="ทีมทะเบียน"))
        assert_accessible(page)
        page.go_back()
        expect(composer).to_be_visible()
        expect(rooms).to_be_hidden()
    finally:
        phone.close()


def test_on_a_phone_search_results_take_the_screen(hub_server, browser, pair):  # noqa: F811
    somchai, _somsri, room = pair
    send_message(somchai.user, room.pk, "วาระการประชุมประจำเดือน", client_id="agenda")
    phone = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="th-TH")
    try:
        page = phone.new_page()
        log_in(page, hub_server, "somsri")
        page.goto(f"{hub_server.url}/chats/?rooms=1")
        rooms = page.get_by_role("heading", name="ห้องและกลุ่ม")
        expect(rooms).to_be_visible()
        page.get_by_role("searchbox", name="ค้นหาข้อความ").fill("ประชุม")
        page.keyboard.press("Enter")
        result = page.locator(".search-results .message", has_text="วาระการประชุมประจำเดือน")
        expect(result).to_be_visible()
        expect(rooms).to_be_hidden()
        assert_accessible(page)
        page.get_by_role("link", name="กลับไปที่รายการแชท").tap()
        expect(rooms).to_be_visible()
    finally:
        phone.close()
