"""The hub and the reference licensing backend as separate processes talking HTTP, as in
production: signed events from the backend's own process, answered as the contract says."""

import json
import subprocess
import sys
import threading
import time

import pytest
import requests
from django.db import connection

from chat.models import Message
from licensing.models import Case, InboxEvent, StatusChange
from tests.conftest import ROOT, free_port, require
from tests.licensing.backend.conftest import SECRET, TOKEN, encode, event, signed

pytestmark = pytest.mark.django_db(transaction=True)


def statuses(deliveries: list[dict]) -> list[int]:
    return [delivery["status"] for delivery in deliveries]


def test_a_scripted_sequence_from_the_backend_process(hub_with_backend, backend_org):
    _server, backend = hub_with_backend
    number = "KSP-69-000401"

    opened = backend.send({"type": "case.opened", "id": "evt_served_1", "case": {"number": number}})
    assert statuses(opened) == [202] and opened[0]["body"]["handled"] is True
    case = Case.objects.get(number=number)
    expected = {backend_org["manager"].user_id} | ({case.assignee_id} if case.assignee_id else set())
    assert set(case.room.members.values_list("pk", flat=True)) == expected
    notice = Message.objects.get(room=case.room)
    assert case.url.startswith(backend.url) and case.applicant_name  # a Thai name made up by the backend
    assert notice.author is None and case.applicant_name not in notice.body  # the case's facts, not its applicant
    assert case.province in notice.body and case.url in notice.body

    # The same event again (a delivery whose answer was lost): 200, nothing more.
    again = backend.send({"type": "case.opened", "id": "evt_served_1", "case": {"number": number}})
    assert statuses(again) == [200] and again[0]["body"]["status"] == "duplicate"
    # Delivered twice in a row by the backend itself.
    twice = backend.send({"type": "case.updated", "case": {"number": number, "status": "under_review"}, "repeat": 2})
    assert statuses(twice) == [202, 200]
    assert Case.objects.count() == 1 and Message.objects.filter(room=case.room).count() == 2

    for signature in ("bad", "stale", "none"):
        refused = backend.send({"type": "case.updated", "case": {"number": number}, "signature": signature})
        assert statuses(refused) == [401], signature
        assert refused[0]["body"]["error"]["code"] == "unauthenticated"

    malformed = backend.send({"type": "case.updated", "raw": {"id": "evt_x", "type": "case.updated"}})
    assert statuses(malformed) == [400] and "occurred_at" in malformed[0]["body"]["error"]["message"]
    oversize = backend.send({"type": "case.updated", "raw": "x" * (64 * 1024 + 1)})
    assert statuses(oversize) == [413]

    decided = backend.send({"type": "case.decided", "case": {"number": number, "status": "rejected"}})
    assert statuses(decided) == [202]
    case.refresh_from_db()
    assert case.status == "rejected" and case.room.archived_at is not None
    assert list(case.status_changes.values_list("status", flat=True)) == ["submitted", "under_review", "rejected"]
    assert InboxEvent.objects.filter(state="done").count() == 3


def test_two_deliveries_of_one_event_at_once_to_two_server_processes_store_it_once(start_server, tmp_path, backend_org):
    """Two processes behind a proxy, each handed the same event at the same moment: PostgreSQL's
    unique index on the event id lets one store it; the other answers 200."""
    require(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL)")
    settings = {"LICENSING_WEBHOOK_SECRET": SECRET, "STATE_DIR": str(tmp_path)}
    servers = [start_server(**settings), start_server(**settings)]

    def deliver(server, raw: bytes, barrier: threading.Barrier, answers: list, i: int) -> None:
        barrier.wait()
        answers[i] = requests.post(
            f"{server.url}/api/v1/licensing/events",
            data=raw,
            headers={"Content-Type": "application/json", "X-KSP-Signature": signed(raw)},
            timeout=30,
        )

    for n in range(5):
        raw = encode(event(number=f"KSP-69-0005{n:02d}", id=f"evt_concurrent_{n}"))
        barrier, answers = threading.Barrier(2), [None, None]
        threads = [threading.Thread(target=deliver, args=(servers[i], raw, barrier, answers, i)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(answer.status_code for answer in answers) == [200, 202], [a.content for a in answers]
        case = Case.objects.get(number=f"KSP-69-0005{n:02d}")
        assert InboxEvent.objects.filter(event_id=f"evt_concurrent_{n}").count() == 1
        assert StatusChange.objects.filter(case=case).count() == 1
        assert Message.objects.filter(room=case.room).count() == 1


def test_the_openapi_document_describes_the_webhook_and_the_cases(hub_with_backend):
    server, _backend = hub_with_backend
    document = requests.get(f"{server.url}/api/v1/openapi.json", timeout=10).json()
    webhook = document["paths"]["/api/v1/licensing/events"]["post"]
    assert {"200", "202"} <= set(webhook["responses"]) and "X-KSP-Signature" in webhook["summary"]
    assert "/api/v1/cases" in document["paths"] and "/api/v1/cases/{case_id}" in document["paths"]


def test_the_backend_keeps_a_note_once_when_asked_twice_with_one_key(hub_with_backend, backend_org):
    """The backend's side of the notes contract, as docs/licensing-integration.md gives it."""
    _server, backend = hub_with_backend
    backend.send({"type": "case.opened", "case": {"number": "KSP-69-000402"}})
    headers = {"Authorization": "Bearer licensing-api-token-for-the-tests", "Idempotency-Key": "n-1"}
    note = {"kind": "summary", "body": "สรุป"}
    first = requests.post(f"{backend.url}/cases/KSP-69-000402/notes", json=note, headers=headers, timeout=10)
    second = requests.post(f"{backend.url}/cases/KSP-69-000402/notes", json=note, headers=headers, timeout=10)
    assert (first.status_code, second.status_code) == (201, 200) and first.json() == second.json()
    kept = requests.get(f"{backend.url}/cases/KSP-69-000402/notes", headers=headers, timeout=10).json()
    assert [n["body"] for n in kept] == ["สรุป"]


def test_the_backend_runs_a_script_file_once_the_hub_answers(hub_with_backend, server_env, tmp_path, backend_org):
    """`python -m licensing.simulator --script steps.json`: the steps in order, then it keeps serving."""
    server, _backend = hub_with_backend
    number = "KSP-69-000451"
    steps = [
        {"type": "case.opened", "case": {"number": number, "province": "ขอนแก่น"}},
        {"type": "case.updated", "case": {"number": number, "status": "under_review"}, "delay": 0.2},
        {"type": "case.withdrawn", "case": {"number": number}},
    ]
    script = tmp_path / "steps.json"
    script.write_text(json.dumps(steps, ensure_ascii=False))
    env = {**server_env, "LICENSING_WEBHOOK_SECRET": SECRET, "LICENSING_API_TOKEN": TOKEN}
    command = [sys.executable, "-m", "licensing.simulator", "--port", str(free_port()), "--hub", server.url]
    process = subprocess.Popen(
        [*command, "--script", str(script)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not Case.objects.filter(number=number, status="withdrawn").exists():
            assert time.monotonic() < deadline, "the script's events did not arrive"
            time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(10)
    case = Case.objects.get(number=number)
    assert case.province == "ขอนแก่น" and case.room.archived_at is not None
    assert list(case.status_changes.values_list("status", flat=True)) == ["submitted", "under_review", "withdrawn"]
