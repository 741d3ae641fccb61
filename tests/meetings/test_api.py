"""The meetings API: occurrences in a window, scheduling, changes, cancellations, answers, free times
and the join link, with the pages' rules (404 for people not invited) and in the OpenAPI document."""

import datetime as dt
from urllib.parse import quote

import pytest
from django.test import override_settings

from hub.tokens import issue_token
from meetings.models import Meeting
from tests.meetings.conftest import at, next_monday

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    def call(person, method, path, body=None, **extra):
        token = issue_token(person.user, "test")
        return getattr(client, method)(
            f"/api/v1{path}", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}", **extra
        )

    return call


def window(day: dt.date, days: int = 30) -> str:
    start, end = at(day, 0), at(day + dt.timedelta(days=days), 0)
    return f"start={quote(start.isoformat())}&end={quote(end.isoformat())}"


def weekly_body(org, monday: dt.date) -> dict:
    return {
        "title": "ประชุมติดตามงาน",
        "agenda": "วาระที่ 1",
        "start": f"{monday.isoformat()}T10:00:00",
        "end": f"{monday.isoformat()}T11:00:00",
        "recurrence": {"frequency": "weekly", "weekdays": [0, 2], "count": 4},
        "room": org["room"].pk,
        "quorum": 1,
        "attendees": [{"person": org["colleague"].pk}, {"person": org["expert"].pk, "required": False}],
    }


def test_schedule_list_answer_move_and_cancel_over_the_api(api, org):
    monday = next_monday()
    created = api(org["organiser"], "post", "/meetings", weekly_body(org, monday))
    assert created.status_code == 201, created.content
    meeting = created.json()
    assert meeting["start"].startswith(f"{monday.isoformat()}T10:00:00+07:00")
    assert meeting["recurrence"] == {"frequency": "weekly", "weekdays": [0, 2], "until": None, "count": 4}
    assert {(a["person"]["id"], a["required"], a["response"]) for a in meeting["attendees"]} == {
        (org["colleague"].pk, True, "pending"),
        (org["expert"].pk, False, "pending"),
    }
    assert meeting["quorum"] == {"needed": 1, "counted": 0, "of": "attendees", "met": False}

    listed = api(org["expert"], "get", f"/meetings/occurrences?{window(monday)}").json()
    assert [o["start"][:16] for o in listed] == [
        f"{(monday + dt.timedelta(days=d)).isoformat()}T10:00" for d in (0, 2, 7, 9)
    ]
    assert {o["my_response"] for o in listed} == {"pending"}

    answered = api(org["colleague"], "put", f"/meetings/{meeting['id']}/answer", {"response": "accepted", "note": "ok"})
    assert answered.json()["response"] == "accepted"
    assert api(org["organiser"], "get", f"/meetings/{meeting['id']}").json()["quorum"]["met"] is True

    key = listed[1]["key"]
    friday = monday + dt.timedelta(days=4)
    moved = api(
        org["organiser"],
        "patch",
        f"/meetings/{meeting['id']}/occurrences/{key}",
        {"start": f"{friday.isoformat()}T14:00:00+07:00", "end": f"{friday.isoformat()}T15:00:00+07:00"},
    )
    assert moved.status_code == 200 and moved.json()["moved"] is True
    cancelled = api(org["organiser"], "post", f"/meetings/{meeting['id']}/occurrences/{listed[2]['key']}/cancel")
    assert cancelled.json()["cancelled"] is True
    listed = api(org["colleague"], "get", f"/meetings/occurrences?{window(monday)}").json()
    assert [(o["start"][:16], o["cancelled"]) for o in listed] == [
        (f"{monday.isoformat()}T10:00", False),
        (f"{friday.isoformat()}T14:00", False),
        (f"{(monday + dt.timedelta(days=7)).isoformat()}T10:00", True),
        (f"{(monday + dt.timedelta(days=9)).isoformat()}T10:00", False),
    ]

    changed = api(org["organiser"], "put", f"/meetings/{meeting['id']}", {**weekly_body(org, monday), "title": "ใหม่"})
    assert changed.json()["title"] == "ใหม่" and changed.json()["sequence"] == 3
    gone = api(org["organiser"], "post", f"/meetings/{meeting['id']}/cancel")
    assert gone.json()["cancelled"] is True


def test_the_api_refuses_what_the_pages_refuse(api, org):
    monday = next_monday()
    body = weekly_body(org, monday)
    refused = api(org["organiser"], "post", "/meetings", {**body, "end": f"{monday.isoformat()}T09:00:00"})
    assert refused.status_code == 400
    assert refused.json()["error"] == {
        "code": "invalid",
        "message": "เวลาสิ้นสุดต้องอยู่หลังเวลาเริ่มประชุม",
        "fields": {"end": "before_start"},
    }
    endless = api(
        org["organiser"], "post", "/meetings", {**body, "recurrence": {"frequency": "daily"}}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert endless.status_code == 400 and "must end" in endless.json()["error"]["message"]
    assert api(org["expert"], "post", "/meetings", body).status_code == 403
    assert not Meeting.objects.exists()

    meeting = api(org["organiser"], "post", "/meetings", body).json()
    booked = api(org["organiser"], "post", "/meetings", {**body, "recurrence": None, "title": "ชน"})
    assert booked.status_code == 400 and booked.json()["error"]["fields"] == {"room": "booked"}
    for person in (org["outsider"], org["other_expert"]):
        assert api(person, "get", f"/meetings/{meeting['id']}").status_code == 404
        assert api(person, "get", f"/meetings/{meeting['id']}/join").status_code == 404
        assert api(person, "put", f"/meetings/{meeting['id']}/answer", {"response": "accepted"}).status_code == 404
        assert api(person, "post", f"/meetings/{meeting['id']}/cancel").status_code == 404
    assert api(org["colleague"], "post", f"/meetings/{meeting['id']}/cancel").status_code == 403
    assert api(org["colleague"], "get", f"/meetings/occurrences?{window(monday, 200)}").status_code == 400


@override_settings(JITSI_APP_ID="khurusapha", JITSI_APP_SECRET="a-secret-of-at-least-32-bytes-for-hs256")
def test_the_join_link_for_invitees_only_when_the_call_is_open(api, org):
    now = dt.datetime.now().astimezone()
    body = {
        "title": "ประชุมด่วน",
        "start": (now + dt.timedelta(minutes=10)).isoformat(),
        "end": (now + dt.timedelta(minutes=40)).isoformat(),
        "attendees": [{"person": org["colleague"].pk}],
    }
    meeting = api(org["organiser"], "post", "/meetings", body).json()
    link = api(org["colleague"], "get", f"/meetings/{meeting['id']}/join").json()
    assert link["url"].endswith(f"?jwt={link['jwt']}") and link["moderator"] is False
    assert api(org["organiser"], "get", f"/meetings/{meeting['id']}/join").json()["moderator"] is True
    later = api(org["organiser"], "post", "/meetings", weekly_body(org, next_monday())).json()
    closed = api(org["colleague"], "get", f"/meetings/{later['id']}/join")
    assert closed.status_code == 400 and closed.json()["error"]["fields"] == {"join": "not_open"}


def test_free_times_over_the_api(api, org):
    found = api(org["organiser"], "get", f"/meetings/free-times?people={org['colleague'].pk}&minutes=30&count=3")
    assert found.status_code == 200 and len(found.json()) == 3
    assert api(org["expert"], "get", f"/meetings/free-times?people={org['outsider'].pk}").status_code == 400


@pytest.mark.parametrize(
    "query",
    ["minutes=99999999999999999", "days=99999999999999", "count=0", "after=9999-12-31T23:00:00", "people=-1"],
)
def test_free_times_refuse_numbers_out_of_range_as_invalid_never_a_crash(api, org, query):
    answer = api(org["organiser"], "get", f"/meetings/free-times?people={org['colleague'].pk}&{query}")
    assert answer.status_code in (400, 422) and answer.json()["error"]["code"] == "invalid"


def test_the_meetings_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/meetings",
        "/api/v1/meetings/occurrences",
        "/api/v1/meetings/free-times",
        "/api/v1/meetings/{meeting_id}",
        "/api/v1/meetings/{meeting_id}/cancel",
        "/api/v1/meetings/{meeting_id}/occurrences/{key}",
        "/api/v1/meetings/{meeting_id}/occurrences/{key}/cancel",
        "/api/v1/meetings/{meeting_id}/answer",
        "/api/v1/meetings/{meeting_id}/join",
    ):
        assert path in paths, path
