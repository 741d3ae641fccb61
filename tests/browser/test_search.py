"""Message search in a real browser: results dated as the rest of the hub dates things, with the
words searched for marked."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from chat.models import Message
from chat.services import send_message
from tests.browser.test_chat import log_in, pair  # noqa: F401 (a fixture)
from tests.conftest import assert_accessible

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_search_results_show_thai_dates_and_mark_the_words_searched_for(hub_server, page, pair):  # noqa: F811
    somchai, _somsri, room = pair
    message, _ = send_message(somchai.user, room.pk, "วาระประชุม<b>กรรมการ</b> & คณะกรรมการ **ด่วน**", client_id="a")
    Message.objects.filter(pk=message.pk).update(created_at=dt.datetime(2026, 11, 30, 8, 53, tzinfo=dt.UTC))

    log_in(page, hub_server, "somsri")
    page.goto(f"{hub_server.url}/chats/{room.pk}/")
    page.get_by_role("searchbox", name="ค้นหาข้อความ").fill("กรรมการ &")
    page.keyboard.press("Enter")
    result = page.locator(".search-results .message")
    expect(result).to_have_count(1)
    expect(result.locator("time")).to_have_text("30 พฤศจิกายน 2569 15:53 น.")
    expect(result.locator("mark")).to_have_text(["กรรมการ", "&", "กรรมการ"])
    expect(result.locator(".message-body")).to_contain_text("วาระประชุม<b>กรรมการ</b> & คณะกรรมการ ด่วน")
    expect(result.locator("strong")).to_have_text("ด่วน")
    assert_accessible(page)
