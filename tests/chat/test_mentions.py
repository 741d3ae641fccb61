"""Mentions as an invited expert: only people and teams the expert may see become links."""

import pytest

from chat.models import Room
from chat.services import create_room
from directory.models import Person
from hub.tokens import issue_token
from tests.factories import make_person, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_room():
    licensing = make_team(code="licensing", name_th="กลุ่มงานออกใบอนุญาต", name_en="Licensing")
    it = make_team(code="it-systems", name_th="กลุ่มงานระบบสารสนเทศ", name_en="IT Systems")
    hr = make_team(code="adm-hr", name_th="กลุ่มงานบริหารบุคคล", name_en="Human Resources")
    somchai = make_person("somchai", team=licensing)
    make_person("itstaff", team=it)
    make_person("hrstaff", team=hr)
    expert = make_person("expert", kind=Person.Kind.EXPERT, first_name_th="วิชาญ")
    room = create_room(kind=Room.Kind.CASE, name="KSP-69-000123", owner=somchai.user, members=[expert.user])
    return {"room": room, "expert": expert, "somchai": somchai, "teams": (licensing, it, hr)}


def _post(client, person, path, body, method="post"):
    token = issue_token(person.user, "test")
    return getattr(client, method)(
        f"/api/v1{path}", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def test_an_expert_mentioning_teams_they_may_not_see_learns_nothing_of_them(client, case_room):
    licensing, it, hr = case_room["teams"]
    body = "@it-systems @adm-hr @licensing @somchai ช่วยดูด้วยครับ"
    sent = _post(client, case_room["expert"], f"/rooms/{case_room['room'].pk}/messages", {"body": body})
    assert sent.status_code == 201
    html = sent.json()["html"]
    # The team of someone in the expert's case room, and that person, are theirs to see.
    assert f'<a class="mention" href="/people/?team={licensing.pk}">@กลุ่มงานออกใบอนุญาต</a>' in html
    assert f'<a class="mention" href="/people/{case_room["somchai"].pk}/">' in html
    # Other teams stay as typed: neither their names nor their ids reach the expert.
    assert "@it-systems @adm-hr" in html
    for team in (it, hr):
        assert team.name_th not in html and f"team={team.pk}" not in html

    edited = _post(client, case_room["expert"], f"/messages/{sent.json()['id']}", {"body": "@adm-hr"}, "patch")
    assert edited.status_code == 200
    assert edited.json()["html"] == "<p>@adm-hr</p>"


def test_staff_still_mention_any_team(client, case_room):
    _licensing, it, _hr = case_room["teams"]
    sent = _post(client, case_room["somchai"], f"/rooms/{case_room['room'].pk}/messages", {"body": "@it-systems"})
    assert f'href="/people/?team={it.pk}">@กลุ่มงานระบบสารสนเทศ</a>' in sent.json()["html"]


def test_an_expert_cannot_mention_a_fellow_member_of_a_group_they_may_not_see(client, case_room):
    # A private group is not an invitation: it lets no one see anyone (directory.selectors).
    hrstaff = Person.objects.get(user__username="hrstaff")
    group = create_room(kind=Room.Kind.PRIVATE, name="กลุ่ม", owner=hrstaff.user, members=[case_room["expert"].user])
    sent = _post(client, case_room["expert"], f"/rooms/{group.pk}/messages", {"body": "@hrstaff @adm-hr"})
    assert sent.status_code == 201
    assert sent.json()["html"] == "<p>@hrstaff @adm-hr</p>"
