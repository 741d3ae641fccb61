"""Rooms in real browsers: creating, joining, inviting, leaving and removing show in every open tab
of the people concerned at once, and take nobody back to a room they have left behind."""

import pytest
from playwright.sync_api import expect

from chat.models import Membership, Room
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


def test_an_owner_adds_and_removes_people_and_a_member_leaves_each_tab_changing_at_once(
    hub_server, browser, two_browsers  # noqa: F811
):
    somchai = make_person("somchai")
    somsri = make_person("somsri", first_name_th="สมศรี", last_name_th="มีสุข", title_th="นางสาว")
    wichai = make_person("wichai", first_name_th="วิชัย", last_name_th="รักงาน", nickname="ต้น")
    group = create_room(kind=Room.Kind.PRIVATE, name="ทีมทะเบียน", owner=somchai.user, members=[somsri.user])
    own = create_room(kind=Room.Kind.PRIVATE, name="งานของวิชัย", owner=wichai.user, members=[])
    first, second = two_browsers
    third = browser.new_context(locale="th-TH")
    try:
        a, b = open_room(hub_server, group, (first, "somchai"), (second, "somsri"))
        (c,) = open_room(hub_server, own, (third, "wichai"))

        # Added by the nickname he goes by: his open tab lists the group at once.
        a.get_by_text("สมาชิก 2 คน").click()
        a.get_by_label("เพิ่มคน").fill("ต้น")
        a.get_by_role("option", name="นายวิชัย รักงาน (ต้น)").click()
        a.get_by_role("button", name="เพิ่ม", exact=True).click()
        expect(c.locator(".chat-sidebar").get_by_role("link", name="ทีมทะเบียน")).to_be_visible()
        a.get_by_text("สมาชิก 3 คน").click()
        expect(a.locator("#member-list")).to_contain_text("นายวิชัย รักงาน")
        assert_accessible(a)

        # Removed: her tab on the room leaves it, and the room is gone from her sidebar.
        a.get_by_role("button", name="นำ นางสาวสมศรี มีสุข ออกจากห้อง").click()
        expect(b).not_to_have_url(f"{hub_server.url}/chats/{group.pk}/")
        b.locator("#live-status[data-state=open]").wait_for()
        expect(b.locator(".chat-sidebar").get_by_role("link", name="ทีมทะเบียน")).to_have_count(0)
        assert not Membership.objects.filter(room=group, user=somsri.user).exists()

        # Leaving: anyone but the last owner.
        c.locator(".chat-sidebar").get_by_role("link", name="ทีมทะเบียน").click()
        c.get_by_text("สมาชิก 2 คน").click()
        c.get_by_role("button", name="ออกจากห้องนี้").click()
        expect(c.locator(".chat-sidebar").get_by_role("link", name="ทีมทะเบียน")).to_have_count(0)
        assert not Membership.objects.filter(room=group, user=wichai.user).exists()
        a.get_by_text("สมาชิก 1 คน").click()  # the owner's page shows it without a reload
        a.get_by_role("button", name="ออกจากห้องนี้").click()
        expect(a.get_by_text("คุณเป็นเจ้าของห้องนี้เพียงคนเดียว จึงออกจากห้องไม่ได้")).to_be_visible()
    finally:
        third.close()


def test_a_private_group_is_created_with_its_members_chosen_by_name(hub_server, two_browsers):  # noqa: F811
    somchai = make_person("somchai")
    make_person("somsri", first_name_th="สมศรี", last_name_th="มีสุข", title_th="นางสาว", first_name_en="Somsri")
    home = create_room(kind=Room.Kind.PRIVATE, name="ทีมทะเบียน", owner=somchai.user, members=[])
    first, _ = two_browsers
    (a,) = open_room(hub_server, home, (first, "somchai"))
    a.get_by_text("สร้างห้องหรือกลุ่ม").click()
    a.get_by_label("ชื่อ", exact=True).fill("คณะทำงานปีใหม่")
    a.get_by_label("ประเภท").select_option("private")
    members = a.get_by_label("สมาชิก", exact=True)
    members.fill("somsri")  # English names find Thai staff too
    members.press("ArrowDown")
    members.press("Enter")
    expect(a.get_by_role("button", name="นำ นางสาวสมศรี มีสุข ออก")).to_be_visible()
    assert_accessible(a)
    a.get_by_role("button", name="สร้าง", exact=True).click()
    a.get_by_role("heading", name="คณะทำงานปีใหม่").wait_for()
    created = Room.objects.get(name="คณะทำงานปีใหม่")
    members = set(created.memberships.values_list("user__username", "role"))
    assert members == {("somchai", "owner"), ("somsri", "member")}
