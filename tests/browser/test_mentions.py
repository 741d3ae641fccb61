"""Mentions in real browsers: "@" offers the room's people by Thai or English name or nickname, and
the message and the toast show the person's name in the reader's language."""

import pytest
from playwright.sync_api import expect

from chat.models import Message, Room
from chat.services import create_room
from tests.browser.test_chat import open_room, two_browsers  # noqa: F401 (a fixture)
from tests.conftest import assert_accessible
from tests.factories import make_person

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_at_offers_people_by_thai_name_and_readers_see_the_name_in_their_language(
    hub_server,
    browser,
    two_browsers,  # noqa: F811
):
    somchai = make_person("somchai")
    somsri = make_person(
        "somsri",
        first_name_th="สมศรี",
        last_name_th="มีสุข",
        title_th="นางสาว",
        first_name_en="Somsri",
        last_name_en="Meesuk",
        title_en="Ms",
    )
    room = create_room(kind=Room.Kind.PRIVATE, name="ทีมทะเบียน", owner=somchai.user, members=[somsri.user])
    elsewhere = create_room(kind=Room.Kind.PRIVATE, name="งานสารบรรณ", owner=somsri.user, members=[])
    first, second = two_browsers
    (a,) = open_room(hub_server, room, (first, "somchai"))
    (b,) = open_room(hub_server, elsewhere, (second, "somsri"))
    english = browser.new_context(locale="th-TH")
    try:
        (c,) = open_room(hub_server, room, (english, "somchai"))
        english.add_cookies([{"name": "ksp_language", "value": "en", "url": hub_server.url}])
        c.reload()
        c.locator("#live-status[data-state=open]").wait_for()

        composer = a.get_by_label("ส่งข้อความถึง ทีมทะเบียน")
        composer.press_sequentially("ฝากคุณ @สมศ")
        options = a.get_by_role("listbox", name="บุคคลและกลุ่มงานที่กล่าวถึงได้").get_by_role("option")
        expect(options).to_have_count(1)
        expect(options.first).to_contain_text("นางสาวสมศรี มีสุข")
        assert_accessible(a)
        composer.press("Enter")  # chooses; does not send
        expect(composer).to_have_value("ฝากคุณ @somsri ")
        assert not Message.objects.exists()
        composer.press_sequentially("ตรวจเอกสารด้วยครับ")
        composer.press("Enter")

        message = a.locator("#messages .message", has_text="ตรวจเอกสาร")
        expect(message.get_by_role("link", name="@นางสาวสมศรี มีสุข")).to_be_visible()
        toast = b.locator(".toast")
        expect(toast).to_contain_text("ฝากคุณ @นางสาวสมศรี มีสุข ตรวจเอกสารด้วยครับ")
        english_message = c.locator("#messages .message", has_text="ตรวจเอกสาร")
        expect(english_message.get_by_role("link", name="@Ms Somsri Meesuk")).to_be_visible()
        assert english_message.locator(".mention").inner_text() == "@Ms Somsri Meesuk"  # the Thai name hidden
        expect(english_message.locator(".message-author")).to_have_text("Mr Somchai Jaidee")  # arrived live
    finally:
        english.close()
