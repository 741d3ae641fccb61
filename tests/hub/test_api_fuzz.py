"""The whole /api/v1, fuzzed from its own OpenAPI document (schemathesis, in process): whatever a
client sends, as the document allows or not, the answer is never a server error."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error

from chat.models import Room
from chat.services import create_room, send_message
from hub.api import api
from hub.tokens import issue_token
from tests.factories import make_person, make_team

pytestmark = pytest.mark.django_db

# Per operation and phase; seeded, so every run sends the same requests. A deeper look now and
# then: API_FUZZ_EXAMPLES=1000 ./run test tests/hub/test_api_fuzz.py
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "50"))


def _schema():
    config = schemathesis.Config()
    project = config.projects.default
    project.generation.update(max_examples=EXAMPLES, deterministic=True, allow_x00=True, database="none")
    project.phases.update(phases=["examples", "coverage", "fuzzing"])
    loaded = schemathesis.openapi.from_dict(api.get_openapi_schema(), config=config)
    loaded.app = get_wsgi_application()  # called in process, through Django's whole stack
    return loaded


schema = _schema()


@pytest.fixture(autouse=True)
def one_connection(settings, tmp_path):
    """Each request runs inside this test's transaction: as Django's test client does, the
    connection stays open between requests rather than being closed at each one's end. Sends
    are not rate limited (so that they reach the database), and uploads land in a scratch folder."""
    settings.CHAT_SEND_LIMIT = 10_000
    settings.MEDIA_ROOT = tmp_path
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token():
    """A staff member with a room, a thread, a team, a colleague and an expert. Small ids are
    generated often: on a fresh database (SQLite here) they reach these rows as well as missing ones."""
    team = make_team(code="licensing")
    somchai = make_person("somchai", team=team)
    somsri = make_person("somsri", team=team)
    make_person("expert", kind="expert")
    room = create_room(kind=Room.Kind.PRIVATE, name="ทีม", owner=somchai.user, members=[somsri.user])
    root, _ = send_message(somchai.user, room.pk, "สวัสดี @somsri @licensing")
    send_message(somsri.user, room.pk, "ตอบ", thread_id=root.pk)
    return issue_token(somchai.user, "fuzz")


@schema.parametrize()
@hypothesis_settings(suppress_health_check=list(HealthCheck), deadline=None, derandomize=True)
def test_no_request_gets_a_server_error(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error])
