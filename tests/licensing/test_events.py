"""The webhook as the backend meets it: stored once, answered as the contract says, refused
with the reason; cases made and changed by the events, in the order they happened."""

import pytest

from chat.models import Message
from licensing.models import Case, InboxEvent
from tests.licensing.conftest import deliver, encode, event, signed

pytestmark = pytest.mark.django_db


def test_an_opened_case_is_stored_and_its_room_gets_a_notice(client, secret, org):
    answer = deliver(client, event())
    assert answer.status_code == 202, answer.content
    assert answer.json()["status"] == "stored"
    case = Case.objects.get(number="KSP-69-000123")
    assert case.status == "submitted" and case.province == "เชียงใหม่"
    assert case.room is not None and case.room.kind == "case"
    notices = list(Message.objects.filter(room=case.room, author__isnull=True))
    assert len(notices) == 1 and "เชียงใหม่" in notices[0].body
    assert InboxEvent.objects.get().state == "done"


def test_the_case_pages_show_the_case(client, secret, org):
    deliver(client, event())
    case = Case.objects.get()
    client.force_login(org["manager"].user)
    assert client.get("/cases/").status_code == 200
    page = client.get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    assert "สมหญิง" in page.content.decode()
