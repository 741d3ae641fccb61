"""Set-up of the committee tests: a licensing team, experts with expertise tags, cases with
rooms, the API as a client calls it, and an HTTP server on loopback that records the notes it is sent."""

import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings
from django.utils import timezone

from hub.tokens import issue_token
from licensing import case_rooms
from licensing.models import Case
from tests.factories import make_person, make_team
from tests.licensing.backend.conftest import (  # noqa: F401 (fixtures: signed webhook events, the reference backend)
    backend,
    backend_org,
    secret,
)
from tests.meetings.conftest import jobs_run_now, smtp  # noqa: F401 (fixtures: e-mail over real SMTP, Huey at once)

_numbers = itertools.count(1)
COMMITTEE = {"COMMITTEE_SIZE": 3, "COMMITTEE_QUORUM": 2, "COMMITTEE_MEETING_MINUTES": 90}


@pytest.fixture
def committee_settings():
    with override_settings(**COMMITTEE):
        yield COMMITTEE


@pytest.fixture
def team(db):
    licensing = make_team("licence-cases", name_th="กลุ่มงานใบอนุญาต", name_en="Licences")
    licensing.manager = make_person("manager", first_name_th="ประภา", team=licensing)
    licensing.save(update_fields=["manager"])
    return {
        "team": licensing,
        "manager": licensing.manager,
        "assignee": make_person("assignee", first_name_th="สมศรี", team=licensing),
        "colleague": make_person("colleague", first_name_th="วิไล", team=licensing),
        "outsider": make_person("outsider", first_name_th="มานะ"),
    }


def expert(name: str, *expertise: str, **fields):
    return make_person(
        name, first_name_th=name, first_name_en=name.title(), kind="expert", expertise=list(expertise), **fields
    )


def make_case(team: dict, **fields) -> Case:
    defaults = {
        "number": f"KSP-69-{next(_numbers):06d}",
        "license_type": "teacher",
        "request_type": "new",
        "status": "committee_review",
        "status_changed_at": timezone.now(),
        "applicant_name": "นางสาวกานดา มีสุข",
        "applicant_id_masked": "x-xxxx-xxxxx-45-6",
        "province": "ขอนแก่น",
        "summary": "ขอรับใบอนุญาตประกอบวิชาชีพครู วุฒิการศึกษาจากต่างประเทศ",
        "team": team["team"],
        "assignee": team["assignee"].user,
    }
    case = Case.objects.create(**{**defaults, **fields})
    case_rooms.open_case_room(case)
    return case


@pytest.fixture
def api(client):
    def call(person, method, path, body=None):
        token = issue_token(person.user, "test")
        return getattr(client, method)(
            f"/api/v1{path}", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
        )

    return call


def room_texts(api, person, case) -> list[str]:
    """The case room's messages as its people read them through the API."""
    answer = api(person, "get", f"/rooms/{case.room_id}/messages")
    assert answer.status_code == 200, answer.content
    return [message["body"] for message in answer.json()["results"]]


class NotesEndpoint(BaseHTTPRequestHandler):
    """The licensing backend's notes endpoint: records each POST and answers 201 (the same
    Idempotency-Key again: 200, the note it already has, as the real backend does)."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        key = self.headers.get("Idempotency-Key")
        seen = any(note["key"] == key for note in self.server.notes)
        self.server.notes.append(
            {
                "path": self.path,
                "key": key,
                "auth": self.headers.get("Authorization"),
                "body": json.loads(body or b"{}"),
            }
        )
        self.send_response(200 if seen else 201)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"id": len(self.server.notes)}).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def notes_server():
    """A bare HTTP server that records each request exactly as it came (headers included)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), NotesEndpoint)
    server.notes = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    with override_settings(LICENSING_API_URL=url, LICENSING_API_TOKEN="backend-token"):
        yield server
    server.shutdown()
    server.server_close()
