"""A person's profile: what they may change themselves, their photo, and their vCard."""

import datetime as dt
import io

import pytest
from PIL import Image

from directory.models import Person
from tests.factories import make_person, make_team

pytestmark = pytest.mark.django_db


def picture(size=(800, 600), fmt="PNG") -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(data, fmt)
    data.seek(0)
    data.name = f"me.{fmt.lower()}"
    return data


@pytest.fixture
def somchai(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    person = make_person("somchai", team=make_team(), position_th="นักวิชาการศึกษา")
    client.force_login(person.user)
    return person


def test_a_person_edits_nickname_mobile_skills_and_work_pattern(client, somchai):
    response = client.post(
        "/people/me/",
        {
            "nickname": "ต้น",
            "mobile": "081-234-5678",
            "skills": "Python, งานทะเบียน",
            "day_mon": "office",
            "day_tue": "home",
            "day_wed": "office",
        },
    )
    assert response.status_code == 302
    somchai.refresh_from_db()
    assert (somchai.nickname, somchai.mobile) == ("ต้น", "081-234-5678")
    assert somchai.work_pattern == {"mon": "office", "tue": "home", "wed": "office"}
    profile = client.get(f"/people/{somchai.pk}/").content.decode()
    assert "(ต้น)" in profile and "081-234-5678" in profile
    # The new nickname is searchable at once.
    assert "นายสมชาย ใจดี" in client.get("/people/", {"q": "ต้น"}).content.decode()


def test_position_team_and_manager_cannot_be_changed_by_the_person(client, somchai):
    boss = make_person("boss")
    client.post("/people/me/", {"nickname": "ต้น", "position_th": "ผู้อำนวยการ", "manager": boss.pk})
    somchai.refresh_from_db()
    assert somchai.position_th == "นักวิชาการศึกษา" and somchai.manager is None


def test_out_of_office_with_a_delegate_shows_on_the_profile(client, somchai):
    delegate = make_person("delegate", first_name_th="สมศรี", title_th="นางสาว", team=somchai.team)
    today = dt.date.today()
    response = client.post(
        "/people/me/",
        {
            "out_of_office_from": today.isoformat(),
            "out_of_office_until": (today + dt.timedelta(days=3)).isoformat(),
            "out_of_office_delegate": delegate.pk,
            "out_of_office_note": "ไปราชการต่างจังหวัด",
        },
    )
    assert response.status_code == 302
    html = client.get(f"/people/{somchai.pk}/").content.decode()
    assert "ไปราชการต่างจังหวัด" in html and "นางสาวสมศรี ใจดี" in html
    # The form shows the dates back in the ISO form <input type=date> reads, in Thai too, so
    # saving something else keeps them.
    form = client.get("/people/me/").content.decode()
    assert f'value="{today.isoformat()}"' in form
    client.post(
        "/people/me/",
        {
            "phone_ext": "9999",
            "out_of_office_from": today.isoformat(),
            "out_of_office_until": (today + dt.timedelta(days=3)).isoformat(),
            "out_of_office_delegate": delegate.pk,
        },
    )
    somchai.refresh_from_db()
    assert somchai.out_of_office_from == today and somchai.phone_ext == "9999"


def test_out_of_office_that_ends_before_it_starts_is_refused_and_nothing_is_saved(client, somchai):
    response = client.post(
        "/people/me/",
        {
            "nickname": "ต้น",
            "out_of_office_from": "2026-12-10",
            "out_of_office_until": "2026-12-01",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    somchai.refresh_from_db()
    assert somchai.nickname == "" and somchai.out_of_office_from is None


def test_a_photo_is_stored_as_a_square_jpeg_and_served_only_to_those_who_may_see(client, somchai):
    response = client.post("/people/me/photo/", {"photo": picture()})
    assert response.status_code == 302
    somchai.refresh_from_db()
    served = client.get(f"/people/{somchai.pk}/photo/")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(b"".join(served.streaming_content)))
    assert image.format == "JPEG" and image.size == (320, 320)
    client.logout()
    assert client.get(f"/people/{somchai.pk}/photo/").status_code == 302


def test_a_20_mb_photo_is_refused_with_a_clear_message(client, somchai):
    big = io.BytesIO(b"\xff" * (20 * 1024 * 1024))
    big.name = "huge.jpg"
    response = client.post("/people/me/photo/", {"photo": big})
    assert response.status_code == 400
    assert "20.0 MB" in response.content.decode()
    somchai.refresh_from_db()
    assert not somchai.photo


def test_an_html_file_posing_as_a_photo_is_refused(client, somchai):
    fake = io.BytesIO(b"<html><script>alert(1)</script></html>")
    fake.name = "photo.jpg"
    response = client.post("/people/me/photo/", {"photo": fake})
    assert response.status_code == 400
    somchai.refresh_from_db()
    assert not somchai.photo


def test_vcard_download(client, somchai):
    Person.objects.filter(pk=somchai.pk).update(phone_ext="2110", mobile="081-234-5678", nickname="ต้น")
    Person.objects.filter(pk=somchai.pk).update(skills="x\rURL:https://evil.example")
    response = client.get(f"/people/{somchai.pk}/vcard/")
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    card = response.content.decode()
    assert card.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\n")
    assert "FN:นายสมชาย ใจดี\r\n" in card
    assert "NICKNAME:ต้น\r\n" in card
    assert "TEL;TYPE=CELL:081-234-5678\r\n" in card
    assert "EMAIL;TYPE=INTERNET,WORK:somchai@ksp.test\r\n" in card
    assert "\r\nURL:" not in card and "\rURL:" not in card  # a stray CR in a field starts no property


def test_org_chart_walks_up_to_the_top_and_down_to_reports(client, somchai):
    director = make_person("director", first_name_th="ประเสริฐ")
    manager = make_person("manager", first_name_th="จันทร์เพ็ญ", manager=director)
    Person.objects.filter(pk=somchai.pk).update(manager=manager)
    html = client.get(f"/people/{manager.pk}/org/").content.decode()
    html = html[html.index('<ol class="org-chain"') :]
    assert html.index("ประเสริฐ") < html.index("จันทร์เพ็ญ") < html.index("สมชาย")


def test_api_lists_people_with_presence_and_pages_by_cursor(client, somchai):
    for n in range(3):
        make_person(f"p{n}", first_name_th=f"ทดลอง{n}")
    from directory.services import refresh_search_documents

    refresh_search_documents()
    first = client.get("/api/v1/people", {"q": "ทดลอง", "limit": 2}).json()
    assert first["count"] == 3 and len(first["results"]) == 2 and first["next_cursor"] == "2"
    assert first["results"][0]["presence"] == "offline"
    rest = client.get("/api/v1/people", {"q": "ทดลอง", "limit": 2, "cursor": first["next_cursor"]}).json()
    assert [p["name_th"] for p in rest["results"]] == ["นายทดลอง2 ใจดี"] and rest["next_cursor"] is None
    one = client.get(f"/api/v1/people/{somchai.pk}").json()
    assert one["team"]["name_th"] == "กลุ่มงานทดสอบ" and one["vcard_url"] == f"/people/{somchai.pk}/vcard/"
    teams = client.get("/api/v1/teams").json()
    assert [team["code"] for team in teams] == [somchai.team.code]


def test_api_refuses_a_ten_thousand_character_search(client, somchai):
    response = client.get("/api/v1/people", {"q": "ก" * 10_000}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid",
        "message": "Search for at most 100 characters.",
        "fields": {"q": "Too long."},
    }


def test_openapi_describes_the_directory(client, somchai):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/people", "/api/v1/people/{person_id}", "/api/v1/teams"} <= set(paths)


def test_a_vcards_file_name_is_the_persons_name_with_an_ascii_fallback(client):
    viewer = make_person("viewer")
    person = make_person(
        "somsri", first_name_th="สมศรี", last_name_th="มีสุข", first_name_en="Somsri", last_name_en="Meesuk"
    )
    client.force_login(viewer.user)
    response = client.get(f"/people/{person.pk}/vcard/")
    assert response["Content-Disposition"] == (
        "attachment; filename=\"mr-somsri-meesuk.vcf\"; "
        "filename*=UTF-8''%E0%B8%99%E0%B8%B2%E0%B8%A2%E0%B8%AA%E0%B8%A1%E0%B8%A8%E0%B8%A3%E0%B8%B5%20"
        "%E0%B8%A1%E0%B8%B5%E0%B8%AA%E0%B8%B8%E0%B8%82.vcf"
    )
