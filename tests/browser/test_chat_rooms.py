"""Rooms in real browsers: creating, joining, inviting, leaving and removing show in every open tab
of the people concerned at once, and take nobody back to a room they have left behind."""

import pytest
from playwright.sync_api import expect

from chat.models import Room
from chat.services import create_room
from tests.browser.test_chat import open_room, two_browsers  # noqa: F401 (a fixture)
from tests.conftest import assert_accessible
from tests.factories import make_person

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def open_tab(context, server, room):
    """One more tab of a person already logged in, on the room, connected."""
    page = context.new_page()
    page.goto(f"{server.url}/chats/{room.pk}/")
    page.locator("#live-status[data-state=open]").wait_for()
    return page


def test_a_channel_joined_or_created_in_one_tab_shows_in_the_other_and_the_first_stays_on_it(
    hub_server, two_browsers  # noqa: F811
):
    somchai = make_person("somchai")
    wichai = make_person("wichai", first_name_th="วิชัย")
    home = create_room(kind=Room.Kind.PRIVATE, name="ทีมทะเบียน", owner=somchai.user, members=[])
    helpdesk = create_room(kind=Room.Kind.CHANNEL, name="ไอที-ช่วยเหลือ", owner=wichai.user, members=[])
    context, _ = two_browsers
    (first,) = open_room(hub_server, home, (context, "somchai"))
    second = open_tab(context, hub_server, home)
    draft = second.get_by_label("ส่งข้อความถึง ทีมทะเบียน")
    draft.fill("ร่างที่ยังไม่ได้ส่ง")  # a reload would lose it

    first.get_by_role("button", name="# ไอที-ช่วยเหลือ").click()
    expect(second.locator(".chat-sidebar").get_by_role("link", name="ไอที-ช่วยเหลือ")).to_be_visible()
    expect(second.get_by_role("button", name="# ไอที-ช่วยเหลือ")).to_have_count(0)
    first.locator("#live-status[data-state=open]").wait_for()
    assert first.url == f"{hub_server.url}/chats/{helpdesk.pk}/"
    expect(first.get_by_label("ส่งข้อความถึง ไอที-ช่วยเหลือ")).to_be_visible()

    first.get_by_text("สร้างห้องหรือกลุ่ม").click()
    first.get_by_label("ชื่อ", exact=True).fill("คณะทำงานปีใหม่")
    first.get_by_label("ประเภท").select_option("private")
    first.get_by_role("button", name="สร้าง", exact=True).click()
    new_link = second.locator(".chat-sidebar").get_by_role("link", name="คณะทำงานปีใหม่")
    expect(new_link).to_be_visible()
    created = Room.objects.get(name="คณะทำงานปีใหม่")
    first.locator("#live-status[data-state=open]").wait_for()
    assert first.url == f"{hub_server.url}/chats/{created.pk}/"
    expect(first.get_by_label("ส่งข้อความถึง คณะทำงานปีใหม่")).to_be_visible()
    expect(draft).to_have_value("ร่างที่ยังไม่ได้ส่ง")
    assert_accessible(second)
    new_link.click()
    expect(second).to_have_url(f"{hub_server.url}/chats/{created.pk}/")
