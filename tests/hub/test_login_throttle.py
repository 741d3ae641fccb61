"""Log-in throttling: guessing passwords is slowed per account and per address, on the hub's log-in
page and the admin's alike, without locking the owner out of a browser they have logged in from."""

import logging

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import PASSWORD, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_limits(settings):
    """Smaller limits than production's, so that each guess (a real password hash) costs less time."""
    settings.LOGIN_FAILURES_PER_ACCOUNT = 4
    settings.LOGIN_FAILURES_PER_ADDRESS = 8


WAIT_TH = "เข้าสู่ระบบไม่สำเร็จหลายครั้งเกินไป โปรดรอ 15 นาทีแล้วลองอีกครั้ง"
WAIT_EN = "Too many failed log-ins. Please wait 15 minutes and try again."


def log_in(client, username, password=PASSWORD, address="203.0.113.7", path="/login/"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def guess(client, username, times=None, address="203.0.113.7", path="/login/"):
    for _ in range(times or settings.LOGIN_FAILURES_PER_ACCOUNT):
        assert log_in(client, username, "wrong guess", address, path).status_code in (200, 400, 429)


def test_after_too_many_wrong_passwords_even_the_right_one_is_refused_with_how_long_to_wait(client):
    make_person("somchai")
    guess(client, "somchai")
    response = log_in(client, "somchai")
    assert response.status_code == 429
    assert (
        settings.LOGIN_FAILURE_WINDOW_SECONDS - 60
        < int(response["Retry-After"])
        <= settings.LOGIN_FAILURE_WINDOW_SECONDS
    )
    html = response.content.decode()
    assert WAIT_TH in html
    assert 'value="somchai"' in html  # the form keeps the username
    assert "_auth_user_id" not in client.session


def test_the_refusal_speaks_english_to_who_chose_english(client):
    make_person("somchai")
    guess(client, "somchai")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = log_in(client, "somchai")
    assert response.status_code == 429
    assert WAIT_EN in response.content.decode()


def test_one_wrong_password_fewer_than_the_limit_still_lets_the_right_one_in(client):
    make_person("somchai")
    guess(client, "somchai", times=settings.LOGIN_FAILURES_PER_ACCOUNT - 1)
    assert log_in(client, "somchai").status_code == 302


def test_the_account_count_holds_whatever_the_address_or_the_case_of_the_name(client):
    make_person("somchai")
    for number in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        log_in(Client(), "SomChai " if number % 2 else "somchai", "wrong guess", address=f"198.51.100.{number}")
    assert log_in(Client(), "somchai", address="192.0.2.1").status_code == 429


def test_one_address_guessing_across_many_accounts_is_refused_and_another_address_is_not(client):
    people = [make_person(f"staff{n}").user.username for n in range(4)]
    per_account = settings.LOGIN_FAILURES_PER_ADDRESS // len(people) + 1
    assert per_account < settings.LOGIN_FAILURES_PER_ACCOUNT
    for username in people:
        guess(client, username, times=per_account, address="203.0.113.7")
    fresh = make_person("fresh").user.username
    assert log_in(client, fresh, address="203.0.113.7").status_code == 429
    assert log_in(Client(), fresh, address="203.0.113.8").status_code == 302


def test_every_address_of_one_ipv6_network_counts_as_one(client):
    make_person("somchai")
    for number in range(settings.LOGIN_FAILURES_PER_ADDRESS):
        log_in(Client(), f"nobody{number}", "wrong", address=f"2001:db8:1:2::{number:x}")
    assert log_in(Client(), "somchai", address="2001:db8:1:2:ffff::1").status_code == 429
    assert log_in(Client(), "somchai", address="2001:db8:1:3::1").status_code == 302


def test_a_browser_that_logged_in_before_still_logs_in_while_others_flood_the_account():
    make_person("somchai")
    own = Client()
    assert log_in(own, "somchai", address="192.0.2.10").status_code == 302
    own.post("/logout/")
    attacker = Client()
    guess(attacker, "somchai", times=settings.LOGIN_FAILURES_PER_ACCOUNT + 5, address="203.0.113.66")
    assert log_in(attacker, "somchai", address="203.0.113.66").status_code == 429
    assert log_in(Client(), "somchai", address="192.0.2.10").status_code == 429  # a browser never used
    assert log_in(own, "somchai", address="192.0.2.10").status_code == 302


def test_a_trusted_browser_that_guesses_is_throttled_on_its_own():
    make_person("somchai")
    own = Client()
    log_in(own, "somchai")
    own.post("/logout/")
    guess(own, "somchai")
    assert log_in(own, "somchai").status_code == 429
    assert log_in(Client(), "somchai", address="192.0.2.99").status_code == 302  # the account is not locked


def test_a_browser_trusted_for_one_account_is_not_trusted_for_another():
    make_person("somchai")
    make_person("somsri")
    browser = Client()
    log_in(browser, "somchai")
    browser.post("/logout/")
    guess(Client(), "somsri", address="203.0.113.66")
    assert log_in(browser, "somsri").status_code == 429


def test_a_forged_device_cookie_earns_no_trust():
    make_person("somchai")
    guess(Client(), "somchai", address="203.0.113.66")
    forger = Client()
    forger.cookies["ksp_device"] = '[["x","y"]]:forged:signature'
    assert log_in(forger, "somchai").status_code == 429


def test_the_admin_log_in_is_throttled_too(client):
    person = make_person("boss")
    person.user.is_staff = True
    person.user.save()
    guess(client, "boss", path="/admin/login/")
    response = log_in(client, "boss", path="/admin/login/")
    assert response.status_code == 429
    assert WAIT_TH in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_hub_and_the_admin_share_one_count(client):
    person = make_person("boss")
    person.user.is_staff = True
    person.user.save()
    guess(client, "boss", path="/login/")
    assert log_in(client, "boss", path="/admin/login/").status_code == 429


def test_each_refusal_is_logged_with_the_account_and_address_but_never_the_password(client, caplog):
    make_person("somchai")
    guess(client, "somchai")
    with caplog.at_level(logging.WARNING, logger="hub.login_throttle"):
        log_in(client, "somchai", "the-real-secret-9", address="203.0.113.7")
    records = [record for record in caplog.records if record.name == "hub.login_throttle"]
    assert len(records) == 1
    message = records[0].getMessage()
    assert "somchai" in message and "203.0.113.7" in message
    assert "the-real-secret-9" not in caplog.text and PASSWORD not in caplog.text
