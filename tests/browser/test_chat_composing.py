"""Writing in real browsers: editing keys work as in the composer; the typing line and the mention
toast get out of the way."""

import pytest
from playwright.sync_api import expect

from chat.models import Message, Room
from chat.services import create_room, send_message
from tests.browser.test_chat import act_on, open_room, pair, two_browsers  # noqa: F401 (fixtures)
from tests.conftest import assert_accessible

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_enter_saves_an_edit_shift_enter_adds_a_line_and_escape_cancels(hub_server, two_browsers, pair):  # noqa: F811
    somchai, _somsri, room = pair
    message, _ = send_message(somchai.user, room.pk, "ประชุมสิบโมง", client_id="first")
    first, second = two_browsers
    a, b = open_room(hub_server, room, (first, "somchai"), (second, "somsri"))
    mine = a.locator(f"#messages .message[data-id='{message.pk}']")

    act_on(mine, "แก้ไข")
    box = mine.get_by_role("textbox", name="แก้ไข")
    box.fill("ประชุมบ่ายสองโมง")
    box.press("Shift+Enter")
    box.press_sequentially("ห้องประชุมใหญ่")
    box.press("Enter")
    theirs = b.locator("#messages .message", has_text="ประชุมบ่ายสองโมง")
    expect(theirs).to_contain_text("ห้องประชุมใหญ่")
    expect(theirs).to_contain_text("(แก้ไขแล้ว)")
    expect(box).to_be_hidden()
    assert Message.objects.get(client_id="first").body == "ประชุมบ่ายสองโมง\nห้องประชุมใหญ่"

    act_on(mine, "แก้ไข")
    box = mine.get_by_role("textbox", name="แก้ไข")
    box.fill("ยกเลิกการประชุม")
    box.press("Escape")
    expect(box).to_be_hidden()
    expect(mine).to_contain_text("ประชุมบ่ายสองโมง")
    expect(mine.get_by_role("button", name="แก้ไข")).to_be_focused()
    assert Message.objects.get(client_id="first").body == "ประชุมบ่ายสองโมง\nห้องประชุมใหญ่"


def test_the_typing_line_goes_when_the_typists_message_arrives(hub_server, two_browsers, pair):  # noqa: F811
    _somchai, _somsri, room = pair
    first, second = two_browsers
    a, b = open_room(hub_server, room, (first, "somchai"), (second, "somsri"))
    typing = b.locator("#typing")

    a.get_by_label("ส่งข้อความถึง ทีมทะเบียน").press_sequentially("ส่งเอกสารแล้ว")
    expect(typing).to_have_text("นายสมชาย ใจดี กำลังพิมพ์…")
    a.keyboard.press("Enter")
    b.locator(".message", has_text="ส่งเอกสารแล้ว").wait_for()
    assert typing.text_content() == ""  # at once, not seconds later


def covered(page, control) -> bool:
    """Whether something else is drawn over the middle of the control."""
    box = control.bounding_box()
    return not page.evaluate(
        "([x, y, el]) => el.contains(document.elementFromPoint(x, y))",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, control.element_handle()],
    )


def test_a_mention_toast_leaves_the_composers_buttons_free_and_can_be_dismissed(hub_server, two_browsers, pair):  # noqa: F811
    _somchai, somsri, room = pair
    elsewhere = create_room(kind=Room.Kind.PRIVATE, name="งานสารบรรณ", owner=somsri.user, members=[])
    first, second = two_browsers
    (a,) = open_room(hub_server, room, (first, "somchai"))
    (b,) = open_room(hub_server, elsewhere, (second, "somsri"))

    a.get_by_label("ส่งข้อความถึง ทีมทะเบียน").fill("@somsri ช่วยดูเอกสารด้วยครับ")
    a.keyboard.press("Enter")
    toast = b.locator(".toast", has_text="ช่วยดูเอกสารด้วยครับ")
    expect(toast).to_be_visible()
    for name in ("แนบไฟล์", "ส่ง"):
        assert not covered(b, b.locator("#composer").get_by_text(name, exact=True))
    assert_accessible(b)
    toast.get_by_role("button", name="ปิด").click()
    expect(toast).to_have_count(0)
