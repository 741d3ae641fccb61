"""A case from the licensing backend in a real browser: the new case's room appears in the
manager's open chat page by itself, and the backend's next event shows in it as a notice, live."""

import pytest
from playwright.sync_api import expect

from licensing.models import Case
from tests.browser.test_chat import log_in
from tests.conftest import assert_accessible
from tests.licensing.backend.conftest import backend_org, hub_with_backend  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_case_from_the_backend_shows_up_live_in_its_room(hub_with_backend, backend_org, page):  # noqa: F811
    server, backend = hub_with_backend
    log_in(page, server, backend_org["manager"].user.username)
    page.goto(f"{server.url}/chats/")
    page.locator("#live-status[data-state=open]").wait_for()

    number = "KSP-69-000901"
    assert [d["status"] for d in backend.send({"type": "case.opened", "case": {"number": number}})] == [202]
    link = page.locator(".chat-sidebar").get_by_role("link", name=f"{number} ·")
    expect(link).to_be_visible(timeout=10_000)  # no reload: the room joined reached the open page
    link.click()
    page.locator("#live-status[data-state=open]").wait_for()
    notices = page.locator("#messages .message.is-notice")
    expect(notices).to_have_count(1)
    expect(notices.first).to_contain_text("ประกาศจากระบบ")
    expect(notices.first).to_contain_text("เรื่องใหม่จากระบบใบอนุญาต")
    case = Case.objects.get(number=number)
    expect(notices.first.get_by_role("link", name="เปิดเรื่องในระบบใบอนุญาต")).to_have_attribute("href", case.url)

    backend.send({"type": "case.updated", "case": {"number": number, "status": "needs_documents"}})
    expect(notices).to_have_count(2)  # live, on the page already open
    expect(notices.nth(1)).to_contain_text("ระบบใบอนุญาตขอเอกสารเพิ่มเติมจากผู้ยื่นคำขอ")
    assert_accessible(page)

    notices.first.get_by_role("link", name="หน้าเรื่องพิจารณา").click()
    expect(page).to_have_url(f"{server.url}/cases/{case.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    expect(page.get_by_text("รอเอกสารเพิ่มเติม").first).to_be_visible()
    assert_accessible(page)
