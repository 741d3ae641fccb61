"""The committee panel of a case in a real browser: the assignee sees the proposed experts and time,
confirms a time with the Thai date and time fields, then records the resolution; the panel passes
axe-core on a desktop and on a phone."""

import datetime as dt
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from licensing import committee
from licensing.models import CommitteeReview, OutgoingNote
from tests.browser.test_meetings import log_in
from tests.conftest import assert_accessible
from tests.factories import make_person, make_team
from tests.licensing.committee.conftest import COMMITTEE, expert, make_case
from tests.meetings.conftest import next_monday

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
# Set SCREENSHOTS=<dir> to keep what the browser showed.
SHOTS = Path(os.environ["SCREENSHOTS"]) if os.environ.get("SCREENSHOTS") else None


def shot(page, name: str) -> None:
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.locator("#committee").screenshot(path=SHOTS / f"{name}.png")
        page.screenshot(path=SHOTS / f"{name}-page.png", full_page=True)


def proposed_case():
    """A case with its room and a proposed committee, as the webhook leaves it."""
    team = make_team("licence-cases", name_th="กลุ่มงานใบอนุญาต", name_en="Licences")
    team.manager = make_person("manager", first_name_th="ประภา", team=team)
    team.save()
    assignee = make_person("assignee", first_name_th="สมศรี", last_name_th="มีสุข", team=team)
    for name in ("กนก", "จิรา", "ดารา"):
        expert(name, "teacher", affiliation="มหาวิทยาลัยขอนแก่น")
    with override_settings(**COMMITTEE):
        case = make_case({"team": team, "assignee": assignee})
        return case, committee.propose_review(case, "evt-browser")


@pytest.mark.parametrize("viewport", [(1366, 850), (360, 740)], ids=["desktop", "phone"])
def test_the_assignee_confirms_the_committee_and_records_its_resolution(hub_server, browser, viewport):
    # Off Playwright's thread: the notices' after-commit fan-out runs its own event loop.
    with ThreadPoolExecutor(1) as pool:
        case, review = pool.submit(proposed_case).result()
    context = browser.new_context(locale="th-TH", viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    log_in(page, hub_server, "assignee")

    page.goto(f"{hub_server.url}/cases/{case.pk}/")
    panel = page.locator("#committee")
    expect(panel.get_by_role("heading", name="การพิจารณาของคณะกรรมการ")).to_be_visible()
    expect(panel).to_contain_text("นายกนก ใจดี")
    expect(panel).to_contain_text("เวลาที่เสนอ:")
    assert_accessible(page)
    shot(page, f"proposed-{viewport[0]}")

    day = next_monday(2) + dt.timedelta(days=1)
    panel.get_by_label("วันที่", exact=True).fill(day.isoformat())
    panel.get_by_label("เริ่ม", exact=True).fill("13:30")
    panel.get_by_label("สิ้นสุด", exact=True).fill("15:00")
    panel.get_by_role("button", name="ยืนยันและส่งหนังสือเชิญ").click()
    expect(page.get_by_text("นัดประชุมคณะกรรมการแล้ว")).to_be_visible()
    expect(panel.get_by_role("link", name="13:30 น.")).to_be_visible()
    review.refresh_from_db()
    assert review.state == CommitteeReview.State.INVITED
    assert_accessible(page)
    shot(page, f"invited-{viewport[0]}")

    panel.get_by_label("อนุมัติ", exact=True).check()
    panel.get_by_label("เห็นด้วย", exact=True).fill("1")
    panel.get_by_role("button", name="บันทึกมติ").click()
    expect(page.get_by_text("ไม่ครบองค์ประชุม")).to_be_visible()
    panel.get_by_label("อนุมัติ", exact=True).check()
    panel.get_by_label("เห็นด้วย", exact=True).fill("2")
    panel.get_by_label("งดออกเสียง", exact=True).fill("1")
    panel.get_by_label("หมายเหตุถึงระบบใบอนุญาต").fill("คุณวุฒิครบตามเกณฑ์")
    panel.get_by_role("button", name="บันทึกมติ").click()
    expect(panel).to_contain_text("มติ: อนุมัติ")
    expect(panel).to_contain_text("เห็นด้วย 2 ไม่เห็นด้วย 0 งดออกเสียง 1")
    # No Huey consumer runs beside this server: the note waits in the outbox, and the panel says so.
    expect(panel).to_contain_text("รอส่งไปยังระบบใบอนุญาตเป็นข้อเสนอ")
    assert OutgoingNote.objects.filter(case=case, kind="recommendation").count() == 1
    assert_accessible(page)
    shot(page, f"resolved-{viewport[0]}")
    context.close()
