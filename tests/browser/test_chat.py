"""Chat in real browsers: two people talk live; a server restart loses nothing; threads, pins and
archiving change on the other person's page as they happen, without a reload."""

import pytest
from playwright.sync_api import expect

from chat.models import Message, Room
from chat.services import create_room, delete_message, edit_message, react, send_message
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


@pytest.fixture
def two_browsers(browser):
    """Two people's browsers, each with its own cookies, closed after the test."""
    first, second = browser.new_context(locale="th-TH"), browser.new_context(locale="th-TH")
    yield first, second
    first.close()
    second.close()


def open_room(server, room, *contexts):
    """Each person's page on the room, connected."""
    pages = []
    for context, username in contexts:
        page = context.new_page()
        log_in(page, server, username)
        page.goto(f"{server.url}/chats/{room.pk}/")
        page.locator("#live-status[data-state=open]").wait_for()
        pages.append(page)
    return pages


def act_on(message, action: str) -> None:
    """Use one of the buttons that appear over a message when the pointer is on it."""
    message.hover()
    message.locator(".message-actions").get_by_role("button", name=action, exact=True).click()


def test_two_people_exchange_messages_live(hub_server, two_browsers, pair):
    _somchai, _somsri, room = pair
    first, second = two_browsers
    a, b = open_room(hub_server, room, (first, "somchai"), (second, "somsri"))
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


def test_after_a_reconnect_the_page_shows_edits_deletions_and_reactions_made_meanwhile(start_server, browser, pair):
    somchai, somsri, room = pair
    kept = send_message(somsri.user, room.pk, "ประชุมบ่ายสอง", client_id="kept")[0]
    gone = send_message(somsri.user, room.pk, "ข้อความที่จะลบ", client_id="gone")[0]
    liked = send_message(somsri.user, room.pk, "เอกสารพร้อมแล้ว", client_id="liked")[0]
    server = start_server()
    context = browser.new_context(locale="th-TH")
    try:
        page = context.new_page()
        log_in(page, server, "somchai")
        page.goto(f"{server.url}/chats/{room.pk}/")
        page.locator("#live-status[data-state=open]").wait_for()
        page.locator(".message", has_text="ข้อความที่จะลบ").wait_for()

        server.stop()
        page.locator("#live-status[data-state=closed]").wait_for(timeout=10_000)
        edit_message(somsri.user, kept.pk, "ประชุมบ่ายสามแทน")
        delete_message(somsri.user, gone.pk)
        react(somsri.user, liked.pk, "🙏", add=True)

        restarted = start_server(port=int(server.url.rsplit(":", 1)[1]))
        page.locator("#live-status[data-state=open]").wait_for(timeout=30_000)
        page.locator(".message", has_text="ประชุมบ่ายสามแทน").wait_for(timeout=10_000)
        page.locator(f"#m{gone.pk}.is-deleted").wait_for(timeout=10_000)
        page.locator(f"#m{liked.pk} .reaction", has_text="🙏").wait_for(timeout=10_000)
        assert page.locator(".message", has_text="ข้อความที่จะลบ").count() == 0
        assert page.locator(".message", has_text="ประชุมบ่ายสอง").count() == 0
        restarted.stop()
    finally:
        context.close()
    assert somchai


def test_a_picture_chosen_in_the_composer_reaches_the_other_person(hub_server, two_browsers, pair):
    import io

    from PIL import Image

    _somchai, _somsri, room = pair
    picture = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 30, 30)).save(picture, "PNG")
    first, second = two_browsers
    a, b = open_room(hub_server, room, (first, "somchai"), (second, "somsri"))
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


def test_the_other_persons_open_thread_shows_a_reply_arrive_be_edited_reacted_to_pinned_and_deleted(
    hub_server, two_browsers, pair
):
    somchai, _somsri, room = pair
    send_message(somchai.user, room.pk, "ประชุมพรุ่งนี้กี่โมงครับ", client_id="root")
    first, second = two_browsers
    a, b = open_room(hub_server, room, (first, "somchai"), (second, "somsri"))
    for page in (a, b):
        act_on(page.locator("#messages .message", has_text="ประชุมพรุ่งนี้กี่โมงครับ"), "ตอบกลับ")
        expect(page.locator("#thread-pane")).to_contain_text("ประชุมพรุ่งนี้กี่โมงครับ")
    b_root = b.locator("#messages .message", has_text="ประชุมพรุ่งนี้กี่โมงครับ")
    b_pane = b.locator("#thread-messages")

    # A reply arrives in the other person's open thread, and the count shows under the first message.
    a.get_by_label("ตอบกลับในเธรด").fill("สิบโมงเช้าครับ")
    a.keyboard.press("Enter")
    b_reply = b_pane.locator(".message").last
    expect(b_reply).to_contain_text("สิบโมงเช้าครับ")
    expect(b_root.get_by_role("button", name="1 คำตอบ")).to_be_visible()
    expect(b_pane).to_contain_text("1 คำตอบ")

    # Edited: the new words, marked as edited; the old ones are gone.
    a_reply = a.locator("#thread-messages .message").last
    act_on(a_reply, "แก้ไข")
    a_reply.get_by_role("textbox", name="แก้ไข").fill("เลื่อนเป็นบ่ายสองโมงครับ")
    a_reply.get_by_role("button", name="บันทึก").click()
    expect(b_reply).to_contain_text("เลื่อนเป็นบ่ายสองโมงครับ")
    expect(b_reply).to_contain_text("(แก้ไขแล้ว)")
    expect(b_pane).not_to_contain_text("สิบโมงเช้าครับ")

    # Reacted to: the reply in the pane, and the thread's first message in both of its places.
    act_on(a_reply, "กดถูกใจ")
    expect(b_reply.get_by_role("button", name="👍 1")).to_be_visible()
    act_on(a.locator("#messages .message", has_text="ประชุมพรุ่งนี้กี่โมงครับ"), "กดถูกใจ")
    expect(b_root.get_by_role("button", name="👍 1")).to_be_visible()
    expect(b_pane.locator(".message").first.get_by_role("button", name="👍 1")).to_be_visible()

    # Pinned: marked in the pane, and listed with the room's pinned messages.
    act_on(a_reply, "ปักหมุด")
    expect(b_reply).to_contain_text("ปักหมุดแล้ว")
    b.get_by_text("ปักหมุด 1 ข้อความ").click()
    expect(b.locator("#pinned")).to_contain_text("เลื่อนเป็นบ่ายสองโมงครับ")
    assert_accessible(b)

    # Deleted: a tombstone in the pane; a deleted message is no longer pinned.
    a.once("dialog", lambda dialog: dialog.accept())
    act_on(a_reply, "ลบ")
    expect(b_reply).to_contain_text("ข้อความนี้ถูกลบแล้ว")
    expect(b_pane).not_to_contain_text("เลื่อนเป็นบ่ายสองโมงครับ")
    expect(b.get_by_text("ปักหมุด 1 ข้อความ")).to_be_hidden()
    expect(b_root.get_by_role("button", name="1 คำตอบ")).to_be_visible()


def test_a_pin_shows_in_the_other_persons_pinned_list_without_a_reload(hub_server, two_browsers, pair):
    _somchai, somsri, room = pair
    send_message(somsri.user, room.pk, "เอกสารประกอบการประชุมอยู่ในไดรฟ์กลาง", client_id="doc")
    first, second = two_browsers
    a, b = open_room(hub_server, room, (first, "somchai"), (second, "somsri"))
    composer = b.get_by_label("ส่งข้อความถึง ทีมทะเบียน")
    composer.fill("ร่างที่ยังไม่ได้ส่ง")  # a reload would lose it
    expect(b.get_by_text("ปักหมุด 1 ข้อความ")).to_be_hidden()

    act_on(a.locator("#messages .message", has_text="เอกสารประกอบการประชุม"), "ปักหมุด")
    b.get_by_text("ปักหมุด 1 ข้อความ").click()
    pinned = b.locator("#pinned").get_by_role("link")
    expect(pinned).to_have_text("นางสาวสมศรี มีสุข: เอกสารประกอบการประชุมอยู่ในไดรฟ์กลาง")
    expect(b.locator("#messages .message", has_text="เอกสารประกอบการประชุม")).to_contain_text("ปักหมุดแล้ว")
    expect(composer).to_have_value("ร่างที่ยังไม่ได้ส่ง")

    act_on(a.locator("#messages .message", has_text="เอกสารประกอบการประชุม"), "เลิกปักหมุด")
    expect(b.get_by_text("ปักหมุด 1 ข้อความ")).to_be_hidden()
    expect(b.locator("#messages .message", has_text="เอกสารประกอบการประชุม")).not_to_contain_text("ปักหมุดแล้ว")
    expect(composer).to_have_value("ร่างที่ยังไม่ได้ส่ง")


def test_archiving_turns_the_composers_into_a_read_only_notice_live_and_opening_again_brings_them_back(
    hub_server, two_browsers, pair
):
    somchai, _somsri, room = pair
    send_message(somchai.user, room.pk, "สรุปงานไตรมาสนี้", client_id="summary")
    notice = "ห้องนี้เก็บถาวรแล้ว: อ่านข้อความได้ แต่ไม่มีใครส่งข้อความใหม่ได้"
    first, second = two_browsers
    a, b = open_room(hub_server, room, (first, "somchai"), (second, "somsri"))
    conversation = b.get_by_role("region", name="ทีมทะเบียน")
    thread = b.get_by_role("complementary", name="เธรด")
    composer = b.get_by_label("ส่งข้อความถึง ทีมทะเบียน")
    composer.fill("ร่างก่อนเก็บถาวร")
    act_on(b.locator("#messages .message", has_text="สรุปงานไตรมาสนี้"), "ตอบกลับ")
    expect(thread.get_by_label("ตอบกลับในเธรด")).to_be_visible()
    expect(conversation.get_by_text(notice)).to_be_hidden()

    a.get_by_role("button", name="เก็บถาวร", exact=True).click()
    expect(conversation.get_by_text(notice)).to_be_visible()
    expect(conversation.get_by_text("เก็บถาวร: อ่านได้อย่างเดียว")).to_be_visible()
    expect(composer).to_be_hidden()
    expect(thread.get_by_text(notice)).to_be_visible()
    expect(thread.get_by_label("ตอบกลับในเธรด")).to_be_hidden()
    expect(a.get_by_role("region", name="ทีมทะเบียน").get_by_text(notice)).to_be_visible()
    expect(a.get_by_role("button", name="เปิดใช้อีกครั้ง")).to_be_visible()
    room.refresh_from_db()
    assert room.archived_at is not None

    a.get_by_role("button", name="เปิดใช้อีกครั้ง").click()
    expect(composer).to_be_visible()
    expect(composer).to_have_value("ร่างก่อนเก็บถาวร")  # the same page all along
    expect(conversation.get_by_text(notice)).to_be_hidden()
    expect(thread.get_by_label("ตอบกลับในเธรด")).to_be_visible()
    conversation.get_by_role("button", name="ส่ง", exact=True).click()
    expect(a.locator("#messages .message", has_text="ร่างก่อนเก็บถาวร")).to_be_visible()
