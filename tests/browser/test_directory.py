"""The directory in a real browser: search a Thai name, open the profile, watch presence change live."""

import pytest

from directory.services import refresh_search_documents
from tests.conftest import assert_accessible
from tests.factories import PASSWORD, make_person, make_team

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def log_in(page, server, username):
    page.goto(server.url + "/login/")
    page.get_by_label("ชื่อผู้ใช้").fill(username)
    page.get_by_label("รหัสผ่าน").fill(PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.locator("#live-status[data-state=open]").wait_for(timeout=10_000)


def test_search_a_thai_name_open_the_profile_and_see_presence_change_live(hub_server, browser, page):
    team = make_team(name_th="กลุ่มงานออกใบอนุญาต", name_en="Licensing Team")
    make_person("wichai", first_name_th="วิชัย", team=team)
    make_person(
        "somchai",
        first_name_th="สมชาย",
        last_name_th="ใจดี",
        nickname="ต้น",
        team=team,
        position_th="นักวิชาการศึกษาชำนาญการ",
    )
    make_person("somsri", first_name_th="สมศรี", team=team)
    refresh_search_documents()

    log_in(page, hub_server, "wichai")
    page.get_by_role("navigation", name="เมนูหลัก").get_by_role("link", name="ทำเนียบบุคลากร").click()
    page.get_by_role("heading", name="ทำเนียบบุคลากร").wait_for()
    assert_accessible(page)

    page.get_by_label("ชื่อ ชื่อเล่น ตำแหน่ง ความเชี่ยวชาญ หรือกลุ่มงาน").fill("สมช")
    card = page.locator(".person-card", has_text="นายสมชาย ใจดี")
    card.wait_for()
    page.locator(".person-card", has_text="สมศรี").wait_for(state="detached")
    assert card.locator(".presence").get_attribute("data-status") == "offline"
    assert_accessible(page)

    # สมชาย logs in from another browser: his card turns available without a reload.
    other = browser.new_context(locale="th-TH")
    try:
        log_in(other.new_page(), hub_server, "somchai")
        card.locator(".presence[data-status=available]").wait_for(timeout=5_000)
        assert card.locator(".presence-label").inner_text() == "ว่าง"
    finally:
        other.close()
    # Offline once the grace period for a page change is over (PRESENCE_OFFLINE_GRACE_SECONDS, 5 s).
    card.locator(".presence[data-status=offline]").wait_for(timeout=15_000)

    card.get_by_role("link", name="นายสมชาย ใจดี").click()
    page.get_by_role("heading", name="นายสมชาย ใจดี (ต้น)").wait_for()
    assert page.get_by_text("นักวิชาการศึกษาชำนาญการ").first.is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="แผนผังองค์กร").click()
    page.get_by_role("heading", name="แผนผังองค์กร").wait_for()
    assert_accessible(page)


def test_the_directory_works_on_a_phone(hub_server, browser):
    make_person("wichai", first_name_th="วิชัย")
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="th-TH")
    page = context.new_page()
    try:
        log_in(page, hub_server, "wichai")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert_accessible(page)
        page.goto(hub_server.url + "/people/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert_accessible(page)
    finally:
        context.close()
