"""The committee's resolution: validated (votes, quorum, majority), recorded on the case's review,
told in the case room, and sent to the licensing notes_server (a real HTTP server on loopback) once."""

import pytest
from django.test import override_settings

from licensing import committee, notes
from licensing.models import CommitteeReview, OutgoingNote
from tests.licensing.committee.conftest import expert, make_case, room_texts
from tests.meetings.conftest import at, next_monday

pytestmark = pytest.mark.django_db


@pytest.fixture
def invited(team, committee_settings):
    for name in ("ประเวศ", "วิจารณ์", "สุมน"):
        expert(name, "teacher")
    case = make_case(team)
    review = committee.propose_review(case, "evt-1")
    return committee.confirm_review(team["assignee"].user, review.pk, at(next_monday(2), 10))


def resolve(api, person, review, **body):
    body = {"resolution": "approve", "votes_for": 2, "votes_against": 0, "votes_abstain": 0, "note": "", **body}
    return api(person, "post", f"/committee-reviews/{review.pk}/resolution", body)


@pytest.mark.parametrize(
    ("votes", "reason"),
    [
        ({"votes_for": 3, "votes_against": 1}, "ผู้ทรงคุณวุฒิ 3 คน"),  # 4 votes, 3 experts
        ({"votes_for": 1, "votes_against": 0}, "ไม่ครบองค์ประชุม"),  # 1 vote, quorum 2
        ({"votes_for": 0, "votes_against": 0, "votes_abstain": 1}, "ไม่ครบองค์ประชุม"),
        ({"votes_for": 1, "votes_against": 1}, "มากกว่า"),  # not carried
        ({"votes_for": -1, "votes_against": 3}, "ติดลบ"),
        ({"resolution": "postpone"}, "อนุมัติ"),
    ],
)
def test_a_resolution_that_does_not_add_up_is_refused_with_a_thai_reason(
    team, invited, api, notes_server, votes, reason
):
    answer = resolve(api, team["assignee"], invited, **votes)
    assert answer.status_code == 400, answer.content
    assert reason in answer.json()["error"]["message"]
    assert CommitteeReview.objects.get(pk=invited.pk).state == CommitteeReview.State.INVITED
    assert not OutgoingNote.objects.exists()


def test_only_the_assignee_or_manager_records_it_and_not_before_the_meeting_is_set(team, committee_settings, api):
    for name in ("ประเวศ", "วิจารณ์"):
        expert(name, "teacher")
    review = committee.propose_review(make_case(team), "evt-1")
    assert resolve(api, team["assignee"], review).status_code == 400  # still only proposed
    review = committee.confirm_review(team["assignee"].user, review.pk, at(next_monday(2), 10))
    assert resolve(api, team["colleague"], review).status_code == 403
    assert resolve(api, team["outsider"], review).status_code == 404


def test_the_resolution_is_recorded_told_in_the_room_and_sent_to_the_backend_once(
    team, invited, api, notes_server, jobs_run_now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = resolve(
            api,
            team["manager"],
            invited,
            resolution="request_documents",
            votes_for=2,
            votes_against=0,
            votes_abstain=1,
            note="ขอสำเนาใบรับรองคุณวุฒิที่แปลเป็นภาษาไทย",
        )

    assert answer.status_code == 200, answer.content
    out = answer.json()
    assert (out["state"], out["resolution"], out["votes_for"], out["votes_against"], out["votes_abstain"]) == (
        "resolved",
        "request_documents",
        2,
        0,
        1,
    )
    case_page = api(team["assignee"], "get", f"/cases/{invited.case_id}/committee").json()
    assert case_page["resolution"] == "request_documents" and case_page["resolved_at"]

    (sent,) = notes_server.notes
    assert sent["path"] == f"/cases/{invited.case.number}/notes"
    assert sent["key"] == f"committee-review-{invited.pk}-resolution"
    assert sent["auth"] == "Bearer backend-token"
    assert sent["body"]["kind"] == "recommendation"
    assert "ขอเอกสารเพิ่มเติม" in sent["body"]["body"] or "request" in sent["body"]["body"]
    assert "ขอสำเนาใบรับรองคุณวุฒิ" in sent["body"]["body"]
    assert any("ขอสำเนาใบรับรองคุณวุฒิ" in text for text in room_texts(api, team["assignee"], invited.case))

    # Sent once: the job again (a retry, a second consumer) and the form again add nothing.
    note = OutgoingNote.objects.get(case=invited.case)
    assert note.sent_at is not None
    assert notes.send(note.pk) is True
    assert resolve(api, team["assignee"], invited).status_code == 400
    assert len(notes_server.notes) == 1


def test_a_backend_that_is_down_gets_the_same_note_with_the_same_key_when_it_is_back(
    team, invited, notes_server, jobs_run_now
):
    with override_settings(LICENSING_API_URL="http://127.0.0.1:9"):  # nothing listens on discard
        review = committee.record_resolution(team["assignee"].user, invited.pk, "approve", 3, 0, 0, "")
        note = OutgoingNote.objects.get(case=review.case)
        assert notes.send(note.pk) is False
    assert notes_server.notes == []
    assert notes.send(note.pk) is True and notes.send(note.pk) is True
    (sent,) = notes_server.notes
    assert sent["key"] == committee.note_key(review)
