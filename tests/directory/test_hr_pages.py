"""HR's side of the directory: the import page, the admin's manager-loop check, the status menu."""

import io

import pytest
from django.contrib.auth.models import Permission

from directory.models import Person
from tests.factories import make_person, make_team

pytestmark = pytest.mark.django_db

GOOD_CSV = "email,first_name_th,last_name_th,team\nnew.person@ksp.or.th,มานี,มีนา,hr-team\n"


def upload(text: str, name: str = "people.csv") -> io.BytesIO:
    data = io.BytesIO(text.encode("utf-8"))
    data.name = name
    return data


@pytest.fixture
def hr(client):
    make_team(code="hr-team")
    person = make_person("hr")
    person.user.user_permissions.add(Permission.objects.get(codename="add_person"))
    client.force_login(person.user)
    return person


def test_only_hr_may_open_the_import_page(client):
    client.force_login(make_person("staff").user)
    assert client.get("/people/import/").status_code == 403


def test_checking_a_file_reports_and_saves_nothing(client, hr):
    response = client.post("/people/import/", {"file": upload(GOOD_CSV), "dry_run": "1"})
    assert response.status_code == 200
    assert "ไฟล์พร้อมนำเข้า" in response.content.decode()
    assert not Person.objects.filter(email="new.person@ksp.or.th").exists()


def test_importing_a_good_file_saves_everyone(client, hr):
    response = client.post("/people/import/", {"file": upload(GOOD_CSV), "import": "1"}, follow=True)
    assert response.status_code == 200
    assert Person.objects.get(email="new.person@ksp.or.th").first_name_th == "มานี"


def test_a_bad_file_lists_each_problem_by_line_and_column(client, hr):
    bad = GOOD_CSV + "not-an-email,มานะ,ใจกล้า,hr-team\n"
    response = client.post("/people/import/", {"file": upload(bad), "import": "1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<td>3</td><td>email</td>" in html
    assert not Person.objects.filter(email="new.person@ksp.or.th").exists()


def test_a_file_over_the_size_limit_is_refused_with_a_thai_message_and_nothing_saved(client, hr):
    row = "new.person@ksp.or.th,มานี,มีนา,hr-team\n"
    big = "email,first_name_th,last_name_th,team\n" + row * (10 * 1024 * 1024 // len(row.encode()) + 1)
    response = client.post("/people/import/", {"file": upload(big), "import": "1"})
    assert response.status_code == 400
    assert "ไฟล์ใหญ่เกิน 10 MB โปรดแบ่งเป็นหลายไฟล์ ไฟล์ละไม่เกิน 10000 คน" in response.content.decode()
    assert not Person.objects.filter(email="new.person@ksp.or.th").exists()


def test_the_admin_refuses_a_manager_loop(admin_client):
    a = make_person("a")
    b = make_person("b", manager=a)
    response = admin_client.post(
        f"/admin/directory/person/{a.pk}/change/",
        {
            "kind": "staff",
            "first_name_th": a.first_name_th,
            "last_name_th": a.last_name_th,
            "email": a.email,
            "manager": b.pk,
            "work_pattern": "{}",
            "expertise": "[]",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert "loop" in response.content.decode() or "วน" in response.content.decode()
    a.refresh_from_db()
    assert a.manager is None


def test_the_status_menu_works_without_scripts(client):
    person = make_person("somchai")
    client.force_login(person.user)
    response = client.post("/people/me/presence/", {"status": "busy"}, HTTP_REFERER="http://testserver/people/")
    assert response.status_code == 302 and response.url == "http://testserver/people/"
    person.refresh_from_db()
    assert person.presence_choice == "busy"
    assert 'value="busy" checked' in client.get("/").content.decode()
    foreign = client.post("/people/me/presence/", {"status": "auto"}, HTTP_REFERER="https://evil.example/")
    assert foreign.url == "/"
