"""Unread messages outside the chat page: the rail's chat entry and the tab's title count them live,
and mark those that are for the person."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_chat import log_in, open_room, pair, two_browsers  # noqa: F401 (fixtures)
from tests.conftest import assert_accessible

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_the_rail_and_the_title_count_new_messages_on_the_home_page(hub_server, two_browsers, pair):  # noqa: F811
    _somchai, _somsri, room = pair
    first, second = two_browsers
    (a,) = open_room(hub_server, room, (first, "somchai"))
    b = second.new_page()
    log_in(b, hub_server, "somsri")  # lands on the home page
    badge = b.get_by_role("navigation", name="เมนูหลัก").get_by_role("link", name="แชท")
    expect(badge).to_have_accessible_name("แชท")

    a.get_by_label("ส่งข้อความถึง ทีมทะเบียน").fill("ส่งรายงานประจำเดือนแล้วครับ")
    a.keyboard.press("Enter")
    expect(badge).to_have_accessible_name("แชท ยังไม่ได้อ่าน 1 ข้อความ")
    expect(b).to_have_title("(1) หน้าหลัก · Khurusapha ONE")

    a.get_by_label("ส่งข้อความถึง ทีมทะเบียน").fill("@somsri ช่วยตรวจด้วยครับ")
    a.keyboard.press("Enter")
    expect(badge).to_have_accessible_name("แชท ยังไม่ได้อ่าน 2 ข้อความ มีข้อความถึงคุณ")
    expect(b).to_have_title("(2) หน้าหลัก · Khurusapha ONE")
    assert_accessible(b)

    b.reload()  # drawn by the server the same way
    expect(badge).to_have_accessible_name("แชท ยังไม่ได้อ่าน 2 ข้อความ มีข้อความถึงคุณ")
    b.goto(f"{hub_server.url}/chats/{room.pk}/")  # read: the counts go
    expect(badge).to_have_accessible_name("แชท")
    expect(b).to_have_title("ทีมทะเบียน · Khurusapha ONE")
