"""The case page's assignment card in real browsers: the manager reassigns with a reason (refused
without one), a member takes a queued case on a phone; axe-core passes on both."""

import pytest
from playwright.sync_api import expect

from licensing import case_rooms, routing
from licensing.models import TeamCaseSettings
from tests.browser.test_meetings import log_in
from tests.conftest import assert_accessible
from tests.factories import make_person, make_team
from tests.licensing.conftest import MONDAY, WEEKEND, make_case

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def team():
    team = make_team("reg-licence", name_th="กลุ่มงานออกใบอนุญาต", name_en="Licence Issuance")
    manager = make_person("malee", first_name_th="มาลี", last_name_th="ศรีสุข", team=team)
    team.manager = manager
    team.save()
    TeamCaseSettings.objects.create(team=team, is_default=True)
    return {
        "manager": manager,
        "anan": make_person("anan", first_name_th="อนันต์", last_name_th="ดีงาม", team=team),
        "busaba": make_person("busaba", first_name_th="บุษบา", last_name_th="ใจดี", title_th="นางสาว", team=team),
    }


def test_the_manager_reassigns_with_a_reason(hub_server, browser, team):
    routing.route_case(make_case(), now=MONDAY)
    case = team["anan"].user.cases_assigned.get()
    case_rooms.open_case_room(case)
    context = browser.new_context(locale="th-TH", viewport={"width": 1366, "height": 850})
    page = context.new_page()
    log_in(page, hub_server, "malee")
    page.goto(f"{hub_server.url}/cases/{case.pk}/")
    card = page.locator("#assignment")
    expect(card).to_contain_text("นายอนันต์ ดีงาม")
    assert_accessible(page)
    card.get_by_label("โอนเรื่องให้").select_option(label="นางสาวบุษบา ใจดี")
    card.get_by_label("เหตุผล").fill("   ")
    card.get_by_role("button", name="โอนเรื่อง").click()
    expect(page.get_by_text("โปรดระบุเหตุผลที่โอนเรื่อง")).to_be_visible()
    card = page.locator("#assignment")
    card.get_by_label("โอนเรื่องให้").select_option(label="นางสาวบุษบา ใจดี")
    card.get_by_label("เหตุผล").fill("อนันต์ลาพักร้อน")
    card.get_by_role("button", name="โอนเรื่อง").click()
    expect(page.get_by_text("โอนเรื่องให้ผู้รับผิดชอบใหม่แล้ว")).to_be_visible()
    expect(page.locator("#assignment .as-history")).to_contain_text("อนันต์ลาพักร้อน")
    expect(page.locator("#assignment dl")).to_contain_text("นางสาวบุษบา ใจดี")
    context.close()


def test_a_member_takes_a_queued_case_on_a_phone(hub_server, browser, team):
    routing.route_case(make_case(), now=WEEKEND)  # nobody online on a Saturday: the team's queue
    case = team["manager"].team.cases.get()
    context = browser.new_context(locale="th-TH", viewport={"width": 360, "height": 740})
    page = context.new_page()
    log_in(page, hub_server, "busaba")
    page.goto(f"{hub_server.url}/cases/{case.pk}/")
    expect(page.locator("#assignment")).to_contain_text("รอในคิวของกลุ่มงาน")
    assert_accessible(page)
    page.get_by_role("button", name="รับเรื่องนี้").click()
    expect(page.get_by_text("คุณรับเรื่องนี้แล้ว")).to_be_visible()
    expect(page.locator("#assignment dl")).to_contain_text("นางสาวบุษบา ใจดี")
    assert not page.get_by_role("button", name="รับเรื่องนี้").count()
    context.close()
