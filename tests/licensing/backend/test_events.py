"""The webhook as the backend meets it: stored once, answered as the contract says, refused
with the reason; cases made and changed by the events, in the order they happened."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from chat.models import Message
from licensing.models import Case, InboxEvent, StatusChange
from tests.licensing.backend.conftest import deliver, encode, event, moment, signed

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
    assert "https://licensing.ksp.test/cases/KSP-69-000123" in notices[0].html
    assert InboxEvent.objects.get().state == "done"


def test_the_same_event_twice_is_answered_200_and_acted_on_once(client, secret, backend_org):
    body = event()
    assert deliver(client, body).status_code == 202
    again = deliver(client, body)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert Case.objects.count() == 1 and InboxEvent.objects.count() == 1
    assert Message.objects.filter(author__isnull=True).count() == 1


def test_an_older_update_arriving_late_changes_no_status_but_takes_its_place_in_the_history(
    client, secret, backend_org
):
    deliver(client, event())
    deliver(client, event("case.updated", status="under_review", minutes=60))
    late = deliver(client, event("case.updated", status="needs_documents", minutes=30))
    assert late.status_code == 202
    case = Case.objects.get()
    assert case.status == "under_review" and case.status_changed_at == moment(60)
    history = list(StatusChange.objects.filter(case=case).values_list("status", "occurred_at"))
    assert history == [("submitted", moment(0)), ("needs_documents", moment(30)), ("under_review", moment(60))]
    last = Message.objects.filter(room=case.room).order_by("-seq").first()
    assert last.author is None and "มาถึงช้า" in last.body  # "arrived late", in the room's Thai


def test_an_update_arriving_before_its_opening_makes_the_case_and_the_opening_changes_nothing(
    client, secret, backend_org
):
    deliver(client, event("case.updated", status="under_review", minutes=10))
    deliver(client, event("case.opened", minutes=0))
    case = Case.objects.get()
    assert case.status == "under_review"
    assert list(case.status_changes.values_list("status", flat=True)) == ["submitted", "under_review"]
    assert case.room.members.count() == 2


def test_a_decision_posts_a_notice_and_archives_the_room(client, secret, backend_org):
    deliver(client, event())
    deliver(client, event("case.decided", status="approved", minutes=90))
    case = Case.objects.get()
    assert case.status == "approved" and case.decided_at == moment(90)
    assert case.room.archived_at is not None
    assert "อนุมัติ" in Message.objects.filter(room=case.room).order_by("-seq").first().body


@pytest.mark.parametrize(
    "header",
    [
        "",
        "t=abc,v1=00",
        "v1=deadbeef",
        "bad secret",
        "stale",
        "future",
        "other body",
    ],
)
def test_a_bad_missing_or_stale_signature_is_refused_401_and_nothing_is_stored(client, secret, backend_org, header):
    raw = encode(event())
    now = int(timezone.now().timestamp())
    signature = {
        "bad secret": signed(raw, "another secret of sufficient length!!"),
        "stale": signed(raw, at=now - 301),
        "future": signed(raw, at=now + 301),
        "other body": signed(raw + b" "),
    }.get(header, header)
    answer = deliver(client, raw, signature)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthenticated"
    assert not InboxEvent.objects.exists() and not Case.objects.exists()


def test_a_signature_within_the_five_minutes_is_taken(client, secret, backend_org):
    raw = encode(event())
    assert deliver(client, raw, signed(raw, at=int(timezone.now().timestamp()) - 290)).status_code == 202


def test_an_event_over_64_kib_is_refused_413(client, secret, backend_org):
    raw = encode(event(summary="ก" * 30_000))  # three bytes a Thai letter
    answer = deliver(client, raw)
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "too_large"
    assert not InboxEvent.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda e: e.pop("id"), "id"),
        (lambda e: e.update(type="case.exploded"), "type"),
        (lambda e: e.update(occurred_at="yesterday"), "occurred_at"),
        (lambda e: e.update(occurred_at="2026-11-23T09:15:00"), "occurred_at"),
        (lambda e: e["case"].update(number="ksp 1"), "case.number"),
        (lambda e: e["case"].update(license_type="pilot"), "case.license_type"),
        (lambda e: e["case"].update(request_type="upgrade"), "case.request_type"),
        (lambda e: e["case"].update(status="lost"), "case.status"),
        (lambda e: e["case"]["applicant"].update(id_masked="ABC"), "case.applicant.id_masked"),
        (lambda e: e["case"].update(url="javascript:alert(1)"), "case.url"),
        (lambda e: e.update(type="case.decided"), "case.status"),  # a decision of "submitted"
    ],
)
def test_a_malformed_event_is_refused_400_saying_what(client, secret, backend_org, change, field):
    body = event()
    change(body)
    answer = deliver(client, body)
    assert answer.status_code == 400, answer.content
    error = answer.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"] and field in error["message"]
    assert not InboxEvent.objects.exists()


def test_not_json_is_refused_400(client, secret, backend_org):
    answer = deliver(client, b"{not json")
    assert answer.status_code == 400 and "body" in answer.json()["error"]["fields"]


def test_a_full_national_id_is_masked_wherever_it_is_and_never_stored(client, secret, backend_org):
    body = event(summary="ผู้ยื่นแนบสำเนาบัตร 3 1012 00456 78 1 และ 3101200456781")
    body["case"]["applicant"]["id_masked"] = "3-1012-00456-78-1"
    answer = deliver(client, body)
    assert answer.status_code == 202
    assert sorted(answer.json()["masked"]) == ["case.applicant.id_masked", "case.summary"]
    case = Case.objects.get()
    assert case.applicant_id_masked == "x-xxxx-xxxxx-78-1"
    assert "3101200456781" not in case.summary and "00456" not in case.summary
    stored = InboxEvent.objects.get().body
    assert "00456" not in stored and json.loads(stored)["case"]["applicant"]["id_masked"] == "x-xxxx-xxxxx-78-1"


def test_without_a_secret_there_is_no_webhook(client, backend_org):
    assert deliver(client, event()).status_code == 404


def test_an_event_that_cannot_be_handled_is_kept_failed_and_retried_by_the_job_until_it_is(
    client, secret, backend_org, backend, jobs_run_now
):
    """A thin event (just the case number) needs the backend's API; while that is down the event
    stays in the inbox as failed, with its error and a pause before the next try."""
    from licensing import tasks

    number = "KSP-69-000777"
    backend.backend.cases[number] = backend.backend.new_case(number)
    down = backend.url
    backend.stop()
    thin = {"id": "evt_thin_1", "type": "case.opened", "occurred_at": moment().isoformat(), "case": {"number": number}}
    answer = deliver(client, thin)
    assert answer.status_code == 202 and answer.json()["handled"] is False
    row = InboxEvent.objects.get()
    assert row.state == "failed" and row.attempts == 1 and "Connection" in row.last_error
    assert dt.timedelta(seconds=25) < row.next_attempt_at - timezone.now() <= dt.timedelta(seconds=30)
    assert not Case.objects.exists()

    tasks.retry_events()  # too early: the pause is not over
    assert InboxEvent.objects.get().state == "failed"

    # The backend is back on the same address, and the pause is over.
    from licensing.simulator import Simulator

    port = int(down.rsplit(":", 1)[1])
    again = Simulator(backend.backend, port=port).start()
    try:
        InboxEvent.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
        tasks.retry_events()
    finally:
        again.stop()
    row = InboxEvent.objects.get()
    assert row.state == "done" and row.attempts == 2 and row.last_error == ""
    case = Case.objects.get(number=number)
    assert case.applicant_name == backend.backend.cases[number]["applicant"]["name"]
    assert case.room is not None


def test_the_admin_lists_the_inbox_and_retries_a_failed_event(admin_client, secret, backend_org, backend):
    number = "KSP-69-000778"
    backend.backend.cases[number] = backend.backend.new_case(number)
    port = backend.port
    backend.stop()
    deliver(
        admin_client,
        {"id": "evt_thin_2", "type": "case.opened", "occurred_at": moment().isoformat(), "case": {"number": number}},
    )
    row = InboxEvent.objects.get()
    listing = admin_client.get("/admin/licensing/inboxevent/?state=failed")
    assert listing.status_code == 200 and "evt_thin_2" in listing.content.decode()
    from licensing.simulator import Simulator

    again = Simulator(backend.backend, port=port).start()
    try:
        answer = admin_client.post(
            "/admin/licensing/inboxevent/", {"action": "retry", "_selected_action": [row.pk]}, follow=True
        )
    finally:
        again.stop()
    assert answer.status_code == 200
    assert InboxEvent.objects.get().state == "done" and Case.objects.filter(number=number).exists()


def test_a_review_request_proposes_a_committee_once(client, secret, backend_org):
    from licensing.models import CommitteeReview

    deliver(client, event())
    request = event("case.review_requested", status="committee_review", minutes=30)
    assert deliver(client, request).status_code == 202
    assert deliver(client, request).status_code == 200
    case = Case.objects.get()
    assert case.status == "committee_review"
    assert list(CommitteeReview.objects.values_list("case", "event_id")) == [(case.pk, request["id"])]
    texts = list(
        Message.objects.filter(room=case.room, author__isnull=True).order_by("seq").values_list("body", flat=True)
    )
    assert "คณะกรรมการ" in texts[1]  # the backend's request, then the committee's proposal
    assert len(texts) == 3
