"""Chat in real browsers: two people talk live; a server restart loses nothing."""

import pytest

from chat.models import Message, Room
from chat.services import create_room, send_message
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
def pair():
    somchai = make_person("somchai")
    somsri = make_person("somsri", first_name_th="สมศรี", last_name_th="มีสุข", title_th="นางสาว")
    room = create_room(kind=Room.Kind.PRIVATE, name="ทีมทะเบียน", owner=somchai.user, members=[somsri.user])
    return somchai, somsri, room


def test_two_people_exchange_messages_live(hub_server, browser, pair):
    _somchai, _somsri, room = pair
    first, second = browser.new_context(locale="th-TH"), browser.new_context(locale="th-TH")
    try:
        a, b = first.new_page(), second.new_page()
        log_in(a, hub_server, "somchai")
        log_in(b, hub_server, "somsri")
        a.goto(f"{hub_server.url}/chats/{room.pk}/")
        b.goto(f"{hub_server.url}/chats/{room.pk}/")
        b.locator("#live-status[data-state=open]").wait_for()
        a.locator("#live-status[data-state=open]").wait_for()
        assert_accessible(a)

        a.get_by_label("ส่งข้อความถึง ทีมทะเบียน").fill("สวัสดีครับ **ทุกคน**")
        a.keyboard.press("Enter")
        b.locator(".message", has_text="สวัสดีครับ ทุกคน").locator("strong", has_text="ทุกคน").wait_for(timeout=5_000)

        b.get_by_label("ส่งข้อความถึง ทีมทะเบียน").fill("บรรทัดแรก")
        b.keyboard.press("Shift+Enter")
        b.keyboard.type("บรรทัดสอง")
        b.get_by_role("button", name="ส่ง", exact=True).click()
        a.locator(".message", has_text="บรรทัดสอง").wait_for(timeout=5_000)
        assert "บรรทัดแรก" in a.locator(".message", has_text="บรรทัดสอง").inner_text()
        assert_accessible(b)
    finally:
        first.close()
        second.close()
    assert list(Message.objects.filter(room=room).values_list("seq", flat=True).order_by("seq")) == [1, 2]


def test_after_a_server_restart_the_page_shows_what_was_sent_meanwhile_and_sends_its_outbox(
    start_server, browser, pair
):
    _somchai, somsri, room = pair
    server = start_server()
    context = browser.new_context(locale="th-TH")
    try:
        page = context.new_page()
        log_in(page, server, "somchai")
        page.goto(f"{server.url}/chats/{room.pk}/")
        page.locator("#live-status[data-state=open]").wait_for()

        server.stop()
        page.locator("#live-status[data-state=closed]").wait_for(timeout=10_000)
        send_message(somsri.user, room.pk, "ส่งตอนเซิร์ฟเวอร์ดับ", client_id="meanwhile")
        page.get_by_label("ส่งข้อความถึง ทีมทะเบียน").fill("พิมพ์ตอนหลุดการเชื่อมต่อ")
        page.keyboard.press("Enter")
        page.locator(".outbox-item", has_text="พิมพ์ตอนหลุดการเชื่อมต่อ").wait_for()

        restarted = start_server(port=int(server.url.rsplit(":", 1)[1]))
        page.locator("#live-status[data-state=open]").wait_for(timeout=30_000)
        page.locator(".message", has_text="ส่งตอนเซิร์ฟเวอร์ดับ").wait_for(timeout=10_000)
        page.locator(".message", has_text="พิมพ์ตอนหลุดการเชื่อมต่อ").wait_for(timeout=10_000)
        page.locator(".outbox-item").wait_for(state="detached", timeout=10_000)
        restarted.stop()
    finally:
        context.close()
    bodies = list(Message.objects.filter(room=room).order_by("seq").values_list("body", flat=True))
    assert bodies == ["ส่งตอนเซิร์ฟเวอร์ดับ", "พิมพ์ตอนหลุดการเชื่อมต่อ"]


def test_a_picture_chosen_in_the_composer_reaches_the_other_person(hub_server, browser, pair):
    import io

    from PIL import Image

    _somchai, _somsri, room = pair
    picture = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 30, 30)).save(picture, "PNG")
    first, second = browser.new_context(locale="th-TH"), browser.new_context(locale="th-TH")
    try:
        a, b = first.new_page(), second.new_page()
        log_in(a, hub_server, "somchai")
        log_in(b, hub_server, "somsri")
        for page in (a, b):
            page.goto(f"{hub_server.url}/chats/{room.pk}/")
            page.locator("#live-status[data-state=open]").wait_for()
        a.locator("#attach-input").set_input_files(
            files=[{"name": "แผนที่.png", "mimeType": "image/png", "buffer": picture.getvalue()}]
        )
        image = b.locator(".message .files img[alt='แผนที่.png']")
        image.wait_for(timeout=10_000)
        assert (
            b.evaluate("src => fetch(src).then(r => r.headers.get('content-type'))", image.get_attribute("src"))
            == "image/png"
        )
        assert_accessible(b)
    finally:
        first.close()
        second.close()
