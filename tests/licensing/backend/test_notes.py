"""Notes for the licensing backend: sent by the Huey job with an Idempotency-Key, so a retry after
a lost answer adds nothing twice at the backend; a backend that is down gets the note later."""

import pytest

from licensing import client as licensing_client
from licensing import notes
from licensing.models import Case, OutgoingNote
from tests.licensing.backend.conftest import deliver, event

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(client, secret, backend_org, backend):
    deliver(client, event())
    case = Case.objects.get()
    backend.backend.cases[case.number] = backend.backend.new_case(case.number)
    return case


def test_a_note_is_sent_once_although_its_first_answer_was_lost(
    case, backend, jobs_run_now, django_capture_on_commit_callbacks
):
    backend.backend.lose_note_answers = 1  # the backend keeps the note, the answer never arrives
    with django_capture_on_commit_callbacks(execute=True):
        note = notes.queue_note(case, "summary", "สรุปผลการหารือ: เอกสารครบถ้วน เสนออนุมัติ", key="case-1-summary-1")
    note.refresh_from_db()
    assert note.sent_at is not None and note.attempts == 1
    kept = backend.backend.notes[case.number]
    assert [n["body"] for n in kept] == ["สรุปผลการหารือ: เอกสารครบถ้วน เสนออนุมัติ"]
    # The same note queued again (a repeated resolution, say) is the same note: nothing more is sent.
    assert notes.queue_note(case, "summary", note.body, key="case-1-summary-1").pk == note.pk
    assert notes.send(note.pk) is True
    assert len(backend.backend.notes[case.number]) == 1 and OutgoingNote.objects.count() == 1


def test_a_note_for_a_backend_that_is_down_is_kept_and_sent_when_it_is_back(
    case, backend, jobs_run_now, django_capture_on_commit_callbacks
):
    from licensing.simulator import Simulator

    port = backend.port
    backend.stop()
    with django_capture_on_commit_callbacks(execute=True):
        note = notes.queue_note(case, "recommendation", "เสนอให้ขอเอกสารเพิ่มเติม", key="case-1-rec-1")
    note.refresh_from_db()
    assert note.sent_at is None and note.attempts == 1 and "failed after" in note.last_error
    again = Simulator(backend.backend, port=port).start()
    try:
        assert notes.send(note.pk) is True  # the scheduled retry, run now
    finally:
        again.stop()
    note.refresh_from_db()
    assert note.sent_at is not None and len(backend.backend.notes[case.number]) == 1


def test_the_client_reads_a_case_with_its_bearer_token_and_is_refused_without_it(case, backend):
    found = licensing_client.Client().case(case.number)
    assert found["number"] == case.number
    with pytest.raises(licensing_client.BackendError) as refused:
        licensing_client.Client(token="wrong").case(case.number)
    assert refused.value.status == 401


def test_a_note_needs_a_known_kind_a_body_and_a_key(case):
    from hub.errors import Invalid

    for kind, body, key in [("gossip", "x", "k1"), ("summary", " ", "k2"), ("summary", "x", "")]:
        with pytest.raises(Invalid):
            notes.queue_note(case, kind, body, key)
    assert not OutgoingNote.objects.exists()
