"""The webhook as the backend meets it: stored once, answered as the contract says, refused
with the reason; cases made and changed by the events, in the order they happened."""

import pytest

from chat.models import Message
from licensing.models import Case, InboxEvent
from tests.licensing.helpers import backend_org, deliver, event, secret  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def test_an_opened_case_is_routed_and_its_room_has_its_people_and_a_notice(client, secret, backend_org):
    org = backend_org
    answer = deliver(client, event())
    assert answer.status_code == 202, answer.content
    assert answer.json()["status"] == "stored"
    case = Case.objects.get(number="KSP-69-000123")
    assert case.status == "submitted" and case.province == "เชียงใหม่"
    assert case.assignee == org["officer"].user and case.team == org["team"]
    assert case.room.kind == "case"
    assert set(case.room.members.all()) == {org["officer"].user, org["manager"].user}
    notices = list(Message.objects.filter(room=case.room, author__isnull=True))
    assert len(notices) == 1 and "เชียงใหม่" in notices[0].body and "วิไล" in notices[0].body
    assert InboxEvent.objects.get().state == "done"


def test_the_case_pages_show_the_case(client, secret, backend_org):
    deliver(client, event())
    case = Case.objects.get()
    client.force_login(backend_org["manager"].user)
    assert client.get("/cases/").status_code == 200
    page = client.get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    assert "สมหญิง" in page.content.decode()
