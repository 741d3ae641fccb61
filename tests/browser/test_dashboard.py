"""The managers' dashboard in a real browser: charts drawn, a person's status changing live, axe-core."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from chat.models import Message, Room
from dashboard import rollups
from tests.browser.test_directory import log_in
from tests.conftest import assert_accessible
from tests.factories import make_person, make_team

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_manager_opens_the_dashboard_sees_charts_and_a_status_change_live(hub_server, browser, page):
    team = make_team(name_th="กลุ่มงานออกใบอนุญาต", name_en="Licensing Team")
    manager = make_person("wichai", first_name_th="วิชัย", team=team)
    team.manager = manager
    team.save()
    somchai = make_person("somchai", first_name_th="สมชาย", team=team, work_pattern={"mon": "home", "tue": "home"})
    room = Room.objects.create(kind="channel", name="ทีม")
    for n in range(6):
        sent = Message.objects.create(room=room, seq=n + 1, author=somchai.user, body="ไม่มีใครอ่าน")
        Message.objects.filter(pk=sent.pk).update(created_at=timezone.now() - dt.timedelta(days=n, hours=n))
    rollups.fold_messages(now=timezone.now() + dt.timedelta(minutes=5))

    log_in(page, hub_server, "wichai")
    page.get_by_role("navigation", name="เมนูหลัก").get_by_role("link", name="แดชบอร์ด").click()
    page.get_by_role("heading", name="แดชบอร์ด", exact=True).wait_for()
    page.locator("body[data-charts-drawn=true]").wait_for(timeout=10_000)
    canvas = page.locator("#chart-days")
    assert canvas.bounding_box()["height"] > 100
    # Chart.js drew on the canvas: some pixel is no longer transparent.
    assert canvas.evaluate(
        "c => c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some((v, i) => i % 4 === 3 && v > 0)"
    )
    assert "ไม่มีใครอ่าน" not in page.content()
    row = page.locator(".dash-table tbody tr", has_text="นายสมชาย ใจดี")
    assert row.locator("td").nth(3).inner_text() == "6"  # messages sent in the last 7 days
    assert_accessible(page)
    available = page.locator("[data-count-status=available] .stat-value")
    before = int(available.inner_text())

    other = browser.new_context(locale="th-TH")
    try:
        log_in(other.new_page(), hub_server, "somchai")
        row.locator(".presence[data-status=available]").wait_for(timeout=5_000)
        assert row.locator(".presence-label").inner_text() == "ว่าง"
        page.wait_for_function(
            f"document.querySelector('[data-count-status=available] .stat-value').textContent === '{before + 1}'"
        )
    finally:
        other.close()
    assert_accessible(page)

    page.get_by_role("radio", name="30 วัน").check()
    page.get_by_role("button", name="แสดง").click()
    page.locator("body[data-charts-drawn=true]").wait_for()
    assert "days=30" in page.url


def test_the_dashboard_works_on_a_phone(hub_server, browser):
    team = make_team(name_th="กลุ่มงานออกใบอนุญาต", name_en="Licensing Team")
    team.manager = make_person("wichai", first_name_th="วิชัย", team=team)
    team.save()
    make_person("somchai", first_name_th="สมชาย", team=team)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="th-TH")
    page = context.new_page()
    try:
        log_in(page, hub_server, "wichai")
        page.goto(hub_server.url + "/dashboard/")
        page.locator("body[data-charts-drawn=true]").wait_for(timeout=10_000)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert_accessible(page)
    finally:
        context.close()


def test_the_printed_report_is_one_a4_page_even_for_twenty_teams(hub_server, browser, page):
    from django.contrib.auth.models import Permission

    leader = make_person("leader", first_name_th="เลขา")
    leader.user.user_permissions.add(Permission.objects.get(codename="view_all_teams"))
    for n in range(20):
        team = make_team(name_th=f"กลุ่มงานที่ {n}", name_en=f"Team {n}")
        for _ in range(25):
            make_person(team=team)
    log_in(page, hub_server, "leader")
    page.goto(hub_server.url + "/dashboard/report/?days=90")
    page.get_by_role("heading", name="รายงานแดชบอร์ด").wait_for()
    assert page.get_by_role("table", name="รายกลุ่มงาน").is_visible()
    assert "2569" in page.content() or "25" in page.content()
    pdf = page.pdf(format="A4", print_background=True)
    Path("test-artifacts").mkdir(exist_ok=True)
    Path("test-artifacts/dashboard-report.pdf").write_bytes(pdf)
    page.set_viewport_size({"width": 794, "height": 1123})
    page.emulate_media(media="print")
    page.screenshot(path="test-artifacts/dashboard-report.png", full_page=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1  # one page object: one A4 page
    assert_accessible(page)
