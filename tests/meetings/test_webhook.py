"""The deployment's participant events: signed like the licensing backend's, refused when the
signature is bad, missing or stale; recorded as attendance for invitees while the call is open."""

import json
import time

import pytest
from django.test import override_settings

from hub.errors import Unauthenticated
from meetings import attendance, services, webhook
from meetings.models import Attendance
from tests.meetings.conftest import at, draft, next_monday

pytestmark = pytest.mark.django_db
SECRET = "webhook-secret-of-at-least-32-bytes!"


@pytest.fixture
def meeting(org):
    return services.schedule_meeting(
        org["organiser"].user, draft(at(next_monday(), 10), people={org["expert"].pk: True})
    )


def event(meeting, user, name="muc-occupant-joined", when=None) -> bytes:
    when = when or at(next_monday(), 10, 5)
    body = {
        "event_name": name,
        "room_name": f"{meeting.video_room.upper()}@conference.meet.ksp.test",
        "occupant": {"id": str(user.pk), "name": "x"},
        "timestamp": int(when.timestamp()),
    }
    return json.dumps(body).encode()


def post(client, body: bytes, signature: str):
    return client.post(
        "/api/v1/meetings/attendance-events", body, content_type="application/json", HTTP_X_KSP_SIGNATURE=signature
    )


@override_settings(JITSI_WEBHOOK_SECRET=SECRET)
def test_signed_events_record_attendance(client, org, meeting):
    body = event(meeting, org["expert"].user)
    answer = post(client, body, webhook.sign(SECRET, body, int(time.time())))
    assert answer.status_code == 200 and answer.json() == {"recorded": "joined"}
    left = event(meeting, org["expert"].user, "muc-occupant-left", at(next_monday(), 10, 50))
    assert post(client, left, webhook.sign(SECRET, left, int(time.time()))).json() == {"recorded": "left"}
    row = attendance.of_occurrence(meeting, at(next_monday(), 10))[org["expert"].pk]
    assert row.first_joined_at == at(next_monday(), 10, 5) and row.last_left_at == at(next_monday(), 10, 50)
    assert row.in_call is False
    # People not invited, rooms not ours and times outside the call are ignored, not errors.
    for other in (
        event(meeting, org["outsider"].user),
        event(meeting, org["expert"].user, when=at(next_monday(), 12)),
    ):
        assert post(client, other, webhook.sign(SECRET, other, int(time.time()))).json() == {"recorded": "ignored"}


@override_settings(JITSI_WEBHOOK_SECRET=SECRET)
def test_a_bad_missing_or_stale_signature_is_refused_and_nothing_recorded(client, org, meeting):
    body = event(meeting, org["expert"].user)
    now = int(time.time())
    for signature in (
        "",
        "t=abc,v1=00",
        webhook.sign("another secret of at least 32 bytes!!", body, now),
        webhook.sign(SECRET, body + b" ", now),
        webhook.sign(SECRET, body, now - 301),
    ):
        answer = post(client, body, signature)
        assert answer.status_code == 401, signature
        assert answer.json()["error"]["code"] == "unauthenticated"
    garbage = b'{"event_name": "muc-occupant-joined"}'
    assert post(client, garbage, webhook.sign(SECRET, garbage, now)).status_code == 400
    assert not Attendance.objects.exists()


def test_without_a_secret_there_is_no_webhook(client, org, meeting):
    body = event(meeting, org["expert"].user)
    assert post(client, body, webhook.sign("", body, int(time.time()))).status_code == 404


def test_the_webhook_is_in_the_openapi_document(client):
    assert "/api/v1/meetings/attendance-events" in client.get("/api/v1/openapi.json").json()["paths"]


def test_signature_check_uses_the_time_it_is_given():
    body = b"{}"
    header = webhook.sign(SECRET, body, 1_000)
    webhook.verify(header, body, SECRET, now=1_100)
    with pytest.raises(Unauthenticated):
        webhook.verify(header, body, SECRET, now=1_000 + 301)


@override_settings(JITSI_WEBHOOK_SECRET=SECRET)
def test_a_signature_that_is_not_ascii_is_refused_not_an_error(client, org, meeting):
    body = event(meeting, org["expert"].user)
    answer = post(client, body, f"t={int(time.time())},v1=ลายเซ็น".encode().decode("latin-1"))
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "unauthenticated"
    with pytest.raises(Unauthenticated):
        webhook.verify(f"t={int(time.time())},v1=ลายเซ็น", body, SECRET)
    assert not Attendance.objects.exists()
