"""Who sees whom: staff see everyone; experts only the people of the rooms they were invited to."""

import pytest

from chat.models import Room
from chat.services import create_room
from directory.selectors import search_people
from directory.services import refresh_search_documents
from tests.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    staff = make_person("staff", first_name_th="สมชาย")
    colleague = make_person("colleague", first_name_th="สมศรี")
    expert = make_person("expert", first_name_th="ประเวศ", kind="expert")
    other_expert = make_person("other", first_name_th="วิจารณ์", kind="expert")
    create_room(kind=Room.Kind.MEETING, name="คณะอนุกรรมการ", owner=staff.user, members=[expert.user])
    refresh_search_documents()
    return {"staff": staff, "colleague": colleague, "expert": expert, "other_expert": other_expert}


def test_staff_see_all_staff_and_experts(people):
    found = {p.first_name_th for p in search_people(people["staff"].user).people}
    assert found == {"สมชาย", "สมศรี", "ประเวศ", "วิจารณ์"}


def test_an_expert_sees_only_people_sharing_a_room_and_themself(people):
    found = {p.first_name_th for p in search_people(people["expert"].user).people}
    assert found == {"สมชาย", "ประเวศ"}


def test_an_expert_cannot_open_a_hidden_profile_page_by_guessing_its_id(client, people):
    client.force_login(people["expert"].user)
    assert client.get(f"/people/{people['staff'].pk}/").status_code == 200
    for hidden in (people["colleague"], people["other_expert"]):
        assert client.get(f"/people/{hidden.pk}/").status_code == 404
        assert client.get(f"/people/{hidden.pk}/vcard/").status_code == 404
        assert client.get(f"/people/{hidden.pk}/org/").status_code == 404


def test_the_api_shows_an_expert_no_more_than_the_page(client, people):
    from hub.tokens import issue_token

    token = issue_token(people["expert"].user, "test")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    listed = client.get("/api/v1/people", **auth).json()
    assert {p["name_th"] for p in listed["results"]} == {"นายสมชาย ใจดี", "นายประเวศ ใจดี"}
    assert listed["count"] == 2
    hidden = client.get(f"/api/v1/people/{people['colleague'].pk}", **auth)
    unknown = client.get("/api/v1/people/999999", **auth)
    # A hidden person and a person who does not exist look the same.
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json() == unknown.json()
    assert client.get("/api/v1/teams", **auth).json() == []


def test_the_org_chart_of_an_expert_shows_no_hidden_manager(client, people):
    people["staff"].manager = people["colleague"]
    people["staff"].save()
    client.force_login(people["expert"].user)
    html = client.get(f"/people/{people['staff'].pk}/org/").content.decode()
    assert "สมศรี" not in html


def test_anonymous_visitors_are_sent_to_log_in(client, people):
    assert client.get("/people/").status_code == 302
    assert client.get(f"/people/{people['staff'].pk}/").status_code == 302
    assert client.get("/api/v1/people").status_code == 401


def test_an_experts_profile_lists_the_meetings_they_are_invited_to(client, people):
    client.force_login(people["staff"].user)
    html = client.get(f"/people/{people['expert'].pk}/").content.decode()
    assert "ได้รับเชิญเข้าร่วม" in html and "คณะอนุกรรมการ" in html


def test_a_private_group_with_an_expert_does_not_widen_what_they_see(people):
    create_room(kind=Room.Kind.PRIVATE, name="กลุ่มย่อย", owner=people["colleague"].user, members=[people["expert"].user])
    found = {p.first_name_th for p in search_people(people["expert"].user).people}
    assert found == {"สมชาย", "ประเวศ"}


def test_an_expert_sees_only_the_invitations_they_share_and_no_hidden_stand_in(client, people):
    import datetime as dt

    from directory.models import Person

    create_room(
        kind=Room.Kind.CASE,
        name="KSP-69-000123 (ลับ)",
        owner=people["colleague"].user,
        members=[people["other_expert"].user, people["expert"].user],
    )
    create_room(
        kind=Room.Kind.CASE,
        name="KSP-69-000999 (ลับกว่า)",
        owner=people["colleague"].user,
        members=[people["other_expert"].user],
    )
    client.force_login(people["expert"].user)
    html = client.get(f"/people/{people['other_expert'].pk}/").content.decode()
    assert "KSP-69-000123" in html and "KSP-69-000999" not in html

    today = dt.date.today()
    stranger = make_person("stranger", first_name_th="มานพ")
    Person.objects.filter(pk=people["staff"].pk).update(
        out_of_office_from=today, out_of_office_until=today, out_of_office_delegate=stranger
    )
    html = client.get(f"/people/{people['staff'].pk}/").content.decode()
    assert "ไม่อยู่ที่สำนักงาน" in html and "มานพ" not in html
    from hub.tokens import issue_token

    token = issue_token(people["expert"].user, "t")
    shown = client.get(f"/api/v1/people/{people['staff'].pk}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert shown["out_of_office"]["delegate"] is None
