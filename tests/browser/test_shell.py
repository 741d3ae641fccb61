"""The shell in a real browser: the rail says which sections are not open yet, where it lists them."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_chat import log_in
from tests.factories import make_person

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 360, "height": 740}])
def test_the_rail_and_the_home_page_open_every_section_a_staff_member_may_use(hub_server, browser, viewport):
    make_person("somchai")
    context = browser.new_context(locale="th-TH", viewport=viewport)
    try:
        page = context.new_page()
        log_in(page, hub_server, "somchai")
        rail = page.get_by_role("navigation", name="เมนูหลัก")
        expect(rail.get_by_role("link", name="แดชบอร์ด")).to_have_count(0)  # managers only
        expect(rail.get_by_text("เร็ว ๆ นี้")).to_have_count(0)  # every section is open
        for name in ("หน้าหลัก", "แชท", "การประชุม", "เรื่องพิจารณา", "ทำเนียบบุคลากร"):
            expect(rail.get_by_role("link", name=name)).to_have_accessible_name(name)
        start = page.get_by_role("region", name="เริ่มต้นใช้งาน")
        expect(start.get_by_role("link", name="เรื่องพิจารณา")).to_have_accessible_name("เรื่องพิจารณา")
        expect(start.get_by_role("link", name="การประชุม")).to_have_accessible_name("การประชุม")
    finally:
        context.close()
