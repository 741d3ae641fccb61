"""Reaching a colleague from the directory in a real browser: found by their extension, saved as a
contact that an outside phone can dial, in a file named after them."""

import pytest
from playwright.sync_api import expect

from directory.services import refresh_search_documents
from tests.browser.test_chat import log_in
from tests.conftest import assert_accessible
from tests.factories import make_person

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_an_extension_finds_the_person_and_their_vcard_dials_it_through_the_main_number(hub_server, page):
    make_person("wichai", first_name_th="วิชัย")
    make_person("somchai", nickname="ต้น", phone_ext="5110")
    make_person("somsri", first_name_th="สมศรี", first_name_en="Somsri", phone_ext="5120")
    refresh_search_documents()
    log_in(page, hub_server, "wichai")

    page.goto(f"{hub_server.url}/people/")
    page.get_by_label("ชื่อ ชื่อเล่น ตำแหน่ง ความเชี่ยวชาญ หรือกลุ่มงาน").fill("5110")
    cards = page.locator(".person-card")
    expect(cards).to_have_count(1)
    expect(cards).to_contain_text("นายสมชาย ใจดี")
    assert_accessible(page)

    cards.get_by_role("link", name="นายสมชาย ใจดี").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="บันทึกรายชื่อติดต่อ (vCard)").click()
    assert download.value.suggested_filename == "นายสมชาย ใจดี.vcf"
    card = download.value.path().read_bytes().decode()
    assert "TEL;TYPE=WORK,VOICE:+66 2 280 0000 ext. 5110\r\n" in card
