"""Log-in, log-out, language and error pages, as a person in a browser meets them."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, make_person

pytestmark = pytest.mark.django_db


def test_login_page_speaks_thai_first_even_to_an_english_browser(client):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="th">' in html
    assert "เข้าสู่ระบบ" in html
    assert "ชื่อผู้ใช้" in html and "รหัสผ่าน" in html


def test_wrong_password_is_refused_with_a_clear_thai_message(client):
    make_person("somchai")
    response = client.post("/login/", {"username": "somchai", "password": "not it"})
    assert response.status_code == 400
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_lands_on_home_with_the_persons_thai_name(client):
    make_person("somchai", team=None, position_th="นักวิชาการศึกษา")
    response = client.post("/login/", {"username": "somchai", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    html = response.content.decode()
    assert "สวัสดี นายสมชาย ใจดี" in html
    assert "นักวิชาการศึกษา" in html


def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_logout_link_asks_first_and_post_ends_the_session(client):
    person = make_person()
    client.force_login(person.user)
    asked = client.get("/logout/")
    assert asked.status_code == 200
    assert "ออกจากระบบ Khurusapha ONE หรือไม่" in asked.content.decode()
    assert client.get("/").status_code == 200, "a GET must not log anyone out"
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_switching_to_english_is_remembered(client):
    person = make_person()
    client.force_login(person.user)
    response = client.post("/language/", {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Hello, Mr Somchai Jaidee" in html
    assert "Log out" in html
    client.post("/language/", {"language": "th", "next": "/"})
    assert "ออกจากระบบ" in client.get("/").content.decode()


def test_unknown_page_gets_a_localised_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "ไม่พบหน้าที่ต้องการ" in response.content.decode()


def test_home_shows_todays_date_in_the_buddhist_era(client):
    from django.utils import timezone

    person = make_person()
    client.force_login(person.user)
    html = client.get("/").content.decode()
    assert str(timezone.localdate().year + 543) in html


def test_left_rail_marks_the_current_page(client):
    person = make_person()
    client.force_login(person.user)
    html = client.get("/").content.decode()
    assert 'aria-current="page"' in html
    for label in ("แชท", "การประชุม", "เรื่องพิจารณา", "ทำเนียบบุคลากร"):
        assert label in html
    assert "แดชบอร์ด" not in html  # for managers only (tests/dashboard/test_access.py)


def test_every_thai_message_is_translated():
    import polib
    from django.conf import settings

    catalogue = polib.pofile(str(settings.BASE_DIR / "frontend/locale/th/LC_MESSAGES/django.po"))
    untranslated = [entry.msgid for entry in catalogue if not entry.translated() and not entry.obsolete]
    assert untranslated == []


def test_a_signed_in_person_sent_back_to_the_login_page_lands_home(client):
    person = make_person()
    client.force_login(person.user)
    response = client.get("/login/?next=/login/")
    assert response.status_code == 302 and response.url == "/"


def test_login_never_redirects_to_another_site(client):
    make_person("somchai")
    response = client.post("/login/?next=https://evil.example/", {"username": "somchai", "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/"


def test_an_unknown_host_gets_a_localised_400_page(client):
    response = client.get("/login/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "คำขอไม่ถูกต้อง" in response.content.decode()
