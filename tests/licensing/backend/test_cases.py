"""Who sees a case, in the pages and the API, and the record of every look at one (PDPA)."""

import pytest

from licensing.models import Case, CaseView
from tests.factories import make_person
from tests.licensing.backend.conftest import deliver, event

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(client, secret, backend_org):
    deliver(client, event())
    return Case.objects.get()


def test_each_look_at_a_case_is_logged_with_who_when_and_what(client, case, backend_org):
    officer = backend_org["officer"].user
    client.force_login(officer)
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    answer = client.get(f"/api/v1/cases/{case.pk}")
    assert answer.status_code == 200 and answer.json()["applicant_name"] == "นางสาวสมหญิง ใจงาม"
    views = list(CaseView.objects.order_by("at", "pk").values_list("viewer", "what", "case"))
    assert views == [(officer.pk, "page", case.pk), (officer.pk, "api", case.pk)]
    # The list shows no applicant details, so it is no look at them.
    listing = client.get("/api/v1/cases")
    assert listing.status_code == 200 and [c["number"] for c in listing.json()] == [case.number]
    assert "applicant_name" not in listing.json()[0] and "สมหญิง" not in client.get("/cases/").content.decode()
    assert CaseView.objects.count() == 2


def test_someone_elses_case_is_not_found_and_their_look_is_not_logged(client, case, backend_org):
    client.force_login(backend_org["outsider"].user)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    answer = client.get(f"/api/v1/cases/{case.pk}")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/cases/999999").json() == answer.json()  # an unknown id looks the same
    assert client.get("/api/v1/cases").json() == []
    assert case.number not in client.get("/cases/").content.decode()
    assert not CaseView.objects.exists()


def test_the_assignee_team_manager_teammates_and_admins_see_it(client, case, backend_org):
    admin = make_person("caseadmin").user
    admin.is_superuser = True
    admin.save()
    for person in ("officer", "manager", "teammate"):
        client.force_login(backend_org[person].user)
        assert client.get(f"/cases/{case.pk}/").status_code == 200, person
    client.force_login(admin)
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 200


def test_an_expert_sees_only_the_cases_whose_room_they_were_invited_to(client, secret, backend_org):
    deliver(client, event(number="KSP-69-000201"))
    deliver(client, event(number="KSP-69-000202"))
    invited, other = Case.objects.get(number="KSP-69-000201"), Case.objects.get(number="KSP-69-000202")
    expert = backend_org["expert"]
    client.force_login(expert.user)
    assert client.get("/api/v1/cases").json() == []
    assert client.get(f"/cases/{invited.pk}/").status_code == 404

    client.force_login(backend_org["officer"].user)  # the assignee invites the expert
    answer = client.post(f"/cases/{invited.pk}/invite/", {"people": [expert.pk]})
    assert answer.status_code == 302
    assert invited.room.members.filter(pk=expert.user_id).exists()

    client.force_login(expert.user)
    assert [c["number"] for c in client.get("/api/v1/cases").json()] == [invited.number]
    assert client.get(f"/cases/{invited.pk}/").status_code == 200
    assert client.get(f"/cases/{other.pk}/").status_code == 404
    assert client.get(f"/api/v1/cases/{other.pk}").status_code == 404


def test_only_the_assignee_the_manager_or_an_admin_may_invite(client, case, backend_org):
    client.force_login(backend_org["teammate"].user)  # sees the case, may not invite to it
    answer = client.post(
        f"/api/v1/cases/{case.pk}/invite", {"people": [backend_org["expert"].pk]}, content_type="application/json"
    )
    assert answer.status_code == 403
    assert not case.room.members.filter(pk=backend_org["expert"].user_id).exists()
    client.force_login(backend_org["manager"].user)
    answer = client.post(
        f"/api/v1/cases/{case.pk}/invite", {"people": [backend_org["expert"].pk]}, content_type="application/json"
    )
    assert answer.status_code == 200
    assert case.room.members.filter(pk=backend_org["expert"].user_id).exists()


def test_the_case_page_shows_details_histories_and_links(client, secret, backend_org):
    deliver(client, event())
    deliver(client, event("case.updated", status="under_review", minutes=30))
    case = Case.objects.get()
    client.force_login(backend_org["officer"].user)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    for text in ("KSP-69-000123", "นางสาวสมหญิง ใจงาม", "x-xxxx-xxxxx-12-3", "เชียงใหม่", "อยู่ระหว่างพิจารณา"):
        assert text in page
    assert page.index("ยื่นคำขอแล้ว") < page.index("อยู่ระหว่างพิจารณา", page.index("ประวัติสถานะ"))
    assert f'href="/chats/{case.room_id}/"' in page and 'href="https://licensing.ksp.test/cases/KSP-69-000123"' in page
    api = client.get(f"/api/v1/cases/{case.pk}").json()
    assert [s["status"] for s in api["status_history"]] == ["submitted", "under_review"]
    assert api["assignments"][0]["assignee"]["id"] == backend_org["officer"].pk
