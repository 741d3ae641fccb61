"""A person logs in through the real page in Debian's chromium, and every page visited passes axe."""

import pytest
from playwright.sync_api import expect

from tests.conftest import assert_accessible
from tests.factories import PASSWORD, make_person, make_team

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_log_in_see_home_live_switch_to_english_and_log_out(hub_server, page):
    team = make_team(name_th="กลุ่มงานออกใบอนุญาต", name_en="Licensing Team")
    make_person("somchai", team=team, position_th="นักวิชาการศึกษา", position_en="Education Officer")
    make_person("somsri", team=team, first_name_th="สมศรี", first_name_en="Somsri", title_th="นางสาว", title_en="Ms")

    page.goto(hub_server.url + "/")
    assert page.url.startswith(hub_server.url + "/login/")
    assert_accessible(page)

    page.get_by_label("ชื่อผู้ใช้").fill("somchai")
    page.get_by_label("รหัสผ่าน").fill("wrong password")
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.get_by_role("alert").get_by_text("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง").wait_for()
    assert_accessible(page)

    page.get_by_label("ชื่อผู้ใช้").fill("somchai")
    page.get_by_label("รหัสผ่าน").fill(PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.get_by_role("heading", name="สวัสดี นายสมชาย ใจดี").wait_for()
    assert page.get_by_text("นางสาวสมศรี ใจดี").is_visible()
    # The tab's socket is open: the status in the top bar says so.
    page.locator("#live-status[data-state=open]").wait_for(timeout=10_000)
    assert page.locator("#live-status").inner_text().strip() == "ออนไลน์"
    assert_accessible(page)

    page.get_by_role("button", name="EN").click()
    page.get_by_role("heading", name="Hello, Mr Somchai Jaidee").wait_for()
    assert_accessible(page)

    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Cases").click()
    page.get_by_role("heading", name="Cases", exact=True).wait_for()
    assert_accessible(page)
    expect(page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Dashboard")).to_have_count(0)

    page.get_by_role("button", name="Log out").click()
    page.get_by_role("heading", name="Log in").wait_for()
    page.goto(hub_server.url + "/")
    assert "/login/" in page.url


def test_keyboard_user_can_skip_to_the_main_content(hub_server, page):
    make_person("somchai")
    page.goto(hub_server.url + "/login/")
    page.get_by_label("ชื่อผู้ใช้").fill("somchai")
    page.get_by_label("รหัสผ่าน").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="สวัสดี นายสมชาย ใจดี").wait_for()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="ข้ามไปยังเนื้อหาหลัก")
    assert skip.evaluate("element => element === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
