"""Set-up for the tests of the backend connection: a team that takes cases, with a manager and
an officer online; events as the backend sends them, signed.

(A folder of its own: tests/licensing/conftest.py is routing's.)"""

import datetime as dt
import itertools
import json
import subprocess
import sys
import time
import zoneinfo
from dataclasses import dataclass

import pytest
import requests
from django.test import override_settings

from directory import presence
from hub.signatures import sign
from licensing.models import TeamCaseSettings
from tests.conftest import ROOT, free_port
from tests.factories import make_person, make_team

SECRET = "licensing-webhook-secret-for-the-tests-0123456789"
TOKEN = "licensing-api-token-for-the-tests"
BANGKOK = zoneinfo.ZoneInfo("Asia/Bangkok")
_ids = itertools.count(1)


@pytest.fixture
def secret():
    with override_settings(LICENSING_WEBHOOK_SECRET=SECRET):
        yield SECRET


def go_online(person) -> None:
    """As a socket does when it opens (hub.consumers → directory.presence): routing picks the online."""
    presence.store().put(person.user_id, f"conn-{person.user_id}", idle=False)


@pytest.fixture
def backend_org(db):
    """A default team for cases whose officer is online (so routing gives the officer the case)."""
    team = make_team("licensing-north", name_th="กลุ่มงานใบอนุญาตภาคเหนือ", name_en="Licensing North")
    manager = make_person("manager", first_name_th="สมศรี", team=team)
    team.manager = manager
    team.save()
    TeamCaseSettings.objects.create(team=team, is_default=True)
    people = {
        "team": team,
        "manager": manager,
        "officer": make_person("officer", first_name_th="วิไล", team=team),
        "teammate": make_person("teammate", first_name_th="มานี", team=team),
        "outsider": make_person("outsider", first_name_th="มานะ", team=make_team("other")),
        "expert": make_person("expert", first_name_th="ประเวศ", kind="expert"),
    }
    go_online(people["officer"])
    return people


def moment(minutes: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, 23, 9, 15, tzinfo=BANGKOK) + dt.timedelta(minutes=minutes)


def event(kind="case.opened", number="KSP-69-000123", status="submitted", minutes=0, **case) -> dict:
    """An event as the contract describes it (docs/licensing-integration.md)."""
    body = {
        "id": case.pop("id", None) or f"evt_test_{next(_ids)}",
        "type": kind,
        "occurred_at": moment(minutes).isoformat(),
        "case": {
            "number": number,
            "license_type": "teacher",
            "request_type": "renewal",
            "status": status,
            "applicant": {"name": "นางสาวสมหญิง ใจงาม", "id_masked": "x-xxxx-xxxxx-12-3"},
            "province": "เชียงใหม่",
            "submitted_at": moment(-60 * 24).isoformat(),
            "summary": "ขอต่ออายุใบอนุญาตประกอบวิชาชีพครู",
            "url": f"https://licensing.ksp.test/cases/{number}",
            **case,
        },
    }
    return body


def encode(body: dict) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


def signed(body: bytes, secret: str = SECRET, at: int | None = None) -> str:
    return sign(secret, body, int(time.time()) if at is None else at)


def deliver(client, body: dict | bytes, signature: str | None = None):
    raw = body if isinstance(body, bytes) else encode(body)
    return client.post(
        "/api/v1/licensing/events",
        raw,
        content_type="application/json",
        HTTP_X_KSP_SIGNATURE=signed(raw) if signature is None else signature,
    )


@pytest.fixture
def jobs_run_now():
    """Huey runs each queued job at once in this process (its immediate mode)."""
    from huey.contrib.djhuey import HUEY

    before = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = before


@pytest.fixture
def backend():
    """The reference licensing backend (licensing.simulator) on loopback, in this process, and the
    hub's settings pointing at it."""
    from licensing.simulator import Backend, Simulator

    simulator = Simulator(Backend("http://127.0.0.1:9", SECRET, TOKEN, seed=7)).start()
    with override_settings(LICENSING_API_URL=simulator.url, LICENSING_API_TOKEN=TOKEN):
        yield simulator
    simulator.stop()


@dataclass
class BackendProcess:
    """The reference backend (python -m licensing.simulator) running as its own process."""

    url: str
    process: subprocess.Popen

    def send(self, step: dict) -> list[dict]:
        """Have the backend make, sign and send one event (a scripted step); the hub's answers."""
        answer = requests.post(
            f"{self.url}/control/events", json=step, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60
        )
        answer.raise_for_status()
        return answer.json()["deliveries"]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture
def hub_with_backend(start_server, server_env, tmp_path):
    """A hub server process and the backend process, each knowing the other's address."""
    backend_port = free_port()
    server = start_server(
        LICENSING_WEBHOOK_SECRET=SECRET,
        LICENSING_API_TOKEN=TOKEN,
        LICENSING_API_URL=f"http://127.0.0.1:{backend_port}",
        STATE_DIR=str(tmp_path),
    )
    env = {**server_env, "LICENSING_WEBHOOK_SECRET": SECRET, "LICENSING_API_TOKEN": TOKEN}
    process = subprocess.Popen(
        [sys.executable, "-m", "licensing.simulator", "--port", str(backend_port), "--hub", server.url],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    backend = BackendProcess(f"http://127.0.0.1:{backend_port}", process)
    deadline = time.monotonic() + 20
    while True:
        try:
            requests.get(f"{backend.url}/health", timeout=2)
            break
        except requests.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the licensing backend simulator did not start") from None
            time.sleep(0.1)
    yield server, backend
    backend.stop()
