"""Starting a direct message in a real browser: from a profile, from a directory card, and by typing
a name in the chat page's picker; invited experts get none of these."""

import pytest
from playwright.sync_api import expect

from chat.models import Room
from chat.services import create_room
from directory.services import refresh_search_documents
from tests.browser.test_chat import log_in
from tests.conftest import assert_accessible
from tests.factories import make_person

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_direct_message_starts_from_the_profile_the_card_or_the_picker(hub_server, page):
    make_person("somsri", first_name_th="สมศรี", last_name_th="มีสุข", title_th="นางสาว")
    somchai = make_person("somchai", nickname="ต้น")
    refresh_search_documents()
    log_in(page, hub_server, "somsri")

    page.goto(f"{hub_server.url}/people/{somchai.pk}/")
    page.get_by_role("button", name="ส่งข้อความ", exact=True).click()
    composer = page.get_by_label("ส่งข้อความถึง นายสมชาย ใจดี")
    expect(composer).to_be_visible()
    direct = Room.objects.get(kind=Room.Kind.DIRECT)
    assert page.url == f"{hub_server.url}/chats/{direct.pk}/"

    page.goto(f"{hub_server.url}/people/")
    page.get_by_label("ชื่อ ชื่อเล่น ตำแหน่ง ความเชี่ยวชาญ หรือกลุ่มงาน").fill("ต้น")
    card = page.locator(".person-card", has_text="นายสมชาย ใจดี")
    assert_accessible(page)
    card.get_by_role("button", name="ส่งข้อความถึง นายสมชาย ใจดี").click()
    expect(composer).to_be_visible()
    assert page.url == f"{hub_server.url}/chats/{direct.pk}/"

    page.get_by_text("ส่งข้อความส่วนตัว").click()
    person = page.get_by_role("combobox", name="บุคคล")
    page.get_by_role("button", name="เปิด", exact=True).click()  # nobody chosen yet: the box says so
    assert person.evaluate("box => box.validationMessage") == "โปรดเลือกบุคคลจากรายการ"
    person.fill("ต้น")
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_text(["นายสมชาย ใจดี (ต้น)"])
    assert_accessible(page)
    person.press("Enter")
    expect(person).to_have_value("นายสมชาย ใจดี (ต้น)")
    page.get_by_role("button", name="เปิด", exact=True).click()
    page.wait_for_url(f"{hub_server.url}/chats/{direct.pk}/")
    assert Room.objects.filter(kind=Room.Kind.DIRECT).count() == 1


def test_an_invited_expert_is_offered_no_direct_message(hub_server, page):
    somchai = make_person("somchai")
    make_person("expert", kind="expert", first_name_th="วรวิทย์")
    expert_user = somchai.user.__class__.objects.get(username="expert")
    room = create_room(kind=Room.Kind.MEETING, name="ประชุมคณะอนุกรรมการ", owner=somchai.user, members=[expert_user])
    log_in(page, hub_server, "expert")
    page.goto(f"{hub_server.url}/people/{somchai.pk}/")
    page.get_by_role("heading", name="นายสมชาย ใจดี").wait_for()
    expect(page.get_by_role("button", name="ส่งข้อความ")).to_have_count(0)
    page.goto(f"{hub_server.url}/chats/{room.pk}/")
    expect(page.get_by_text("ส่งข้อความส่วนตัว")).to_have_count(0)
