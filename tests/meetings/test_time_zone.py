"""Experts abroad read every time in their own zone; everyone else in Asia/Bangkok."""

import re

import pytest
from django.contrib.sessions.models import Session

from hub.tokens import issue_token
from meetings import services
from meetings.models import ViewerTimeZone
from tests.meetings.conftest import at, draft, next_monday

pytestmark = pytest.mark.django_db


def text(response) -> str:
    """What the reader sees: the page without its tags."""
    return re.sub(r"<[^>]+>", "", response.content.decode())


def test_an_expert_abroad_sees_the_meeting_in_their_own_zone(client, org):
    monday = next_monday()
    meeting = services.schedule_meeting(org["organiser"].user, draft(at(monday, 10), people={org["expert"].pk: True}))
    client.force_login(org["expert"].user)
    week = text(client.get(f"/meetings/?date={monday.isoformat()}"))
    assert "10:00–11:00" in week

    client.post("/meetings/time-zone/", {"timezone": "Europe/London"})
    assert ViewerTimeZone.objects.get(person=org["expert"]).timezone == "Europe/London"
    week = text(client.get(f"/meetings/?date={monday.isoformat()}"))
    assert "03:00–04:00" in week and "10:00–11:00" not in week
    page = text(client.get(f"/meetings/{meeting.pk}/"))
    assert "เวลาตาม Europe/London" in page and "03:00–04:00" in page

    # Another browser of theirs (a new session) reads the choice from the database.
    client.logout()
    client.force_login(org["expert"].user)
    assert "03:00–04:00" in text(client.get(f"/meetings/?date={monday.isoformat()}"))

    client.post("/meetings/time-zone/", {"timezone": "Asia/Bangkok"})
    assert not ViewerTimeZone.objects.exists()
    assert "10:00–11:00" in text(client.get(f"/meetings/?date={monday.isoformat()}"))
    # Someone else is not affected by anyone's choice.
    client.force_login(org["organiser"].user)
    assert "10:00–11:00" in text(client.get(f"/meetings/?date={monday.isoformat()}"))


def test_a_fixed_offset_is_refused_and_api_clients_get_no_session(client, org):
    client.force_login(org["expert"].user)
    response = client.post("/meetings/time-zone/", {"timezone": "UTC+07:00"}, follow=True)
    assert "ไม่รู้จักเขตเวลานี้" in text(response)
    assert not ViewerTimeZone.objects.exists()
    client.logout()
    sessions = Session.objects.count()
    token = issue_token(org["expert"].user, "test")
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert Session.objects.count() == sessions
