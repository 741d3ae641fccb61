"""Reassigning by hand: the team's manager or the assignee, with a reason the case room shows;
anyone else is refused. Taking a case from the team's queue: the first member to take it has it."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from chat.models import Message
from hub.errors import Forbidden, Invalid, NotFound
from hub.tokens import issue_token
from licensing import case_rooms, routing
from licensing.models import Assignment
from tests.factories import make_person
from tests.licensing.conftest import MONDAY, WEEKEND, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(org):
    """Routed to อนันต์ (the licence team has the fewest open cases there), with its room."""
    routing.route_case(make_case(), now=MONDAY)
    case = org["licence"].cases.get()
    assert case.assignee == org["anan"].user
    case_rooms.open_case_room(case)
    return case


def api(client, person, path, body=None):
    token = issue_token(person.user, "test")
    return client.post(
        f"/api/v1{path}", body or {}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def test_the_manager_reassigns_with_a_reason_that_the_room_shows(org, case):
    routing.reassign_case(org["manager"].user, case.pk, org["busaba"].pk, "อนันต์ลาป่วยครึ่งวัน")
    case.refresh_from_db()
    assert case.assignee == org["busaba"].user
    last = Assignment.objects.filter(case=case).last()
    assert (last.assigned_by, last.reason) == (org["manager"].user, "อนันต์ลาป่วยครึ่งวัน")
    notice = Message.objects.filter(room=case.room, author__isnull=True).last()
    assert "อนันต์ลาป่วยครึ่งวัน" in notice.body and org["busaba"].name_th in notice.body
    assert org["busaba"].user in case.room.members.all()  # the new assignee is seated in the room


def test_the_assignee_may_hand_their_case_to_another_team(org, case):
    routing.reassign_case(org["anan"].user, case.pk, org["chai"].pk, "เป็นคำขอต่ออายุ")
    case.refresh_from_db()
    assert (case.team, case.assignee) == (org["renewal"], org["chai"].user)
    assert org["renewal_manager"].user in case.room.members.all()


def test_the_head_of_the_bureau_may_reassign_too(org, case):
    director = make_person("director", first_name_th="ผู้อำนวยการ")
    org["licence"].bureau.head = director
    org["licence"].bureau.save()
    routing.reassign_case(director.user, case.pk, org["busaba"].pk, "กระจายงาน")
    case.refresh_from_db()
    assert case.assignee == org["busaba"].user


def test_a_reason_is_required_and_nothing_changes_without_one(org, case):
    for reason in ("", "   ", None):
        with pytest.raises(Invalid) as refused:
            routing.reassign_case(org["manager"].user, case.pk, org["busaba"].pk, reason)
        assert "reason" in refused.value.fields
    with pytest.raises(Invalid):
        routing.reassign_case(org["manager"].user, case.pk, org["busaba"].pk, "ก" * 501)
    case.refresh_from_db()
    assert case.assignee == org["anan"].user
    assert Assignment.objects.filter(case=case).count() == 1


def test_a_teammate_who_is_not_the_assignee_is_forbidden(org, case):
    with pytest.raises(Forbidden):
        routing.reassign_case(org["busaba"].user, case.pk, org["busaba"].pk, "ขอรับเอง")


def test_another_teams_manager_is_forbidden_even_when_they_can_see_the_case(org, case):
    case_rooms.invite_people(case, [org["renewal_manager"].user])  # invited to the room: they see it
    with pytest.raises(Forbidden):
        routing.reassign_case(org["renewal_manager"].user, case.pk, org["chai"].pk, "ทีมเราทำเอง")
    # Someone who cannot see the case learns nothing of it: not found, as for a case that is not there.
    with pytest.raises(NotFound):
        routing.reassign_case(org["hr_staff"].user, case.pk, org["hr_staff"].pk, "ขอดู")
    case.refresh_from_db()
    assert case.assignee == org["anan"].user


def test_only_staff_of_a_team_that_takes_cases_may_receive_it(org, case):
    manager = org["manager"].user
    for person, field in ((org["expert"], "person"), (org["hr_staff"], "person"), (org["anan"], "person")):
        with pytest.raises(Invalid) as refused:
            routing.reassign_case(manager, case.pk, person.pk, "ลองดู")
        assert field in refused.value.fields
    with pytest.raises(Invalid):
        routing.reassign_case(manager, case.pk, "not-a-number", "ลองดู")


def test_a_closed_case_no_longer_changes_hands(org, case):
    case.status = "approved"
    case.save()
    with pytest.raises(Invalid):
        routing.reassign_case(org["manager"].user, case.pk, org["busaba"].pk, "ปิดแล้ว")


def test_a_member_takes_a_queued_case_and_the_second_is_too_late(org):
    routing.route_case(make_case(), now=WEEKEND)  # nobody online on a Saturday: the queue
    queued = org["licence"].cases.get()
    assert queued.assignee is None
    with pytest.raises(NotFound):
        routing.take_from_queue(org["chai"].user, queued.pk)  # another team's member does not see it
    case_rooms.invite_people(queued, [org["renewal_manager"].user])
    with pytest.raises(Forbidden):
        routing.take_from_queue(org["renewal_manager"].user, queued.pk)  # sees it, but not their team's
    routing.take_from_queue(org["busaba"].user, queued.pk)
    with pytest.raises(Invalid):
        routing.take_from_queue(org["anan"].user, queued.pk)
    queued.refresh_from_db()
    assert queued.assignee == org["busaba"].user
    assert Assignment.objects.filter(case=queued).last().assigned_by == org["busaba"].user


def test_the_api_reassigns_and_shows_the_history_with_reasons(client, org, case):
    refused = api(client, org["manager"], f"/cases/{case.pk}/reassign", {"person": org["busaba"].pk, "reason": " "})
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "invalid" and "reason" in refused.json()["error"]["fields"]
    forbidden = api(client, org["busaba"], f"/cases/{case.pk}/reassign", {"person": org["busaba"].pk, "reason": "x"})
    assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "forbidden"
    done = api(client, org["manager"], f"/cases/{case.pk}/reassign", {"person": org["busaba"].pk, "reason": "งานล้นมือ"})
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["assignee"] == {"id": org["busaba"].pk, "name": org["busaba"].name_th}
    assert [step["reason"] for step in body["history"]] == ["", "งานล้นมือ"]
    assert body["history"][1]["assigned_by"] == org["manager"].name_th
    assert body["history"][0]["assigned_by"] == "ระบบจัดสรรอัตโนมัติ"
    seen = client.get(
        f"/api/v1/cases/{case.pk}/assignment", HTTP_AUTHORIZATION=f"Bearer {issue_token(org['busaba'].user, 't')}"
    )
    assert seen.json()["may_reassign"] is True  # the assignee now


def test_the_api_takes_from_the_queue(client, org):
    routing.route_case(make_case(), now=WEEKEND)
    queued = org["licence"].cases.get()
    taken = api(client, org["anan"], f"/cases/{queued.pk}/take")
    assert taken.status_code == 200 and taken.json()["assignee"]["id"] == org["anan"].pk
    assert api(client, org["busaba"], f"/cases/{queued.pk}/take").status_code == 400
    assert api(client, org["hr_staff"], f"/cases/{queued.pk}/take").status_code == 404


def _card(user, case) -> str:
    request = RequestFactory().get(f"/cases/{case.pk}/")
    request.user = user
    return render_to_string("licensing/_assignment.html", {"case": case}, request=request)


def test_the_card_offers_reassigning_to_the_manager_and_taking_to_the_team(org, case):
    routing.reassign_case(org["manager"].user, case.pk, org["busaba"].pk, "สลับงาน <b>ด่วน</b>")
    managers = _card(org["manager"].user, case)
    assert 'name="reason"' in managers and f'value="{org["chai"].pk}"' in managers
    assert "สลับงาน &lt;b&gt;ด่วน&lt;/b&gt;" in managers  # the reason, escaped
    assert 'name="reason"' not in _card(org["anan"].user, case)  # no longer theirs
    routing.route_case(make_case(), now=WEEKEND)
    queued = org["licence"].cases.filter(assignee=None).get()
    assert "รับเรื่องนี้" in _card(org["anan"].user, queued)
    assert "รับเรื่องนี้" not in _card(org["chai"].user, queued)


def test_the_form_posts_and_comes_back_to_the_case(client, org, case):
    client.force_login(org["manager"].user)
    page = client.post(f"/cases/{case.pk}/reassign/", {"person": org["busaba"].pk, "reason": "แบ่งงาน"}, follow=True)
    assert page.redirect_chain[-1][0] == f"/cases/{case.pk}/#assignment"
    html = page.content.decode()
    assert "โอนเรื่องให้ผู้รับผิดชอบใหม่แล้ว" in html and "แบ่งงาน" in html
    refused = client.post(f"/cases/{case.pk}/reassign/", {"person": org["anan"].pk, "reason": ""}, follow=True)
    assert "โปรดระบุเหตุผลที่โอนเรื่อง" in refused.content.decode()
    client.force_login(org["hr_staff"].user)
    assert client.post(f"/cases/{case.pk}/reassign/", {"person": org["anan"].pk, "reason": "x"}).status_code == 404
