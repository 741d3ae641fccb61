"""From the backend's signed case.review_requested to its recommendation note: the webhook proposes
the committee, the case page shows it (Thai first), the assignee confirms a time on the page, the
experts get their invitations by e-mail, and the resolution reaches the backend once."""

import datetime as dt
import re

import pytest
import requests
from django.utils import timezone

from licensing.models import Case, CommitteeReview
from tests.licensing.backend.conftest import TOKEN, deliver, event
from tests.licensing.committee.conftest import expert
from tests.meetings.conftest import next_monday

pytestmark = pytest.mark.django_db


def bearer() -> dict:
    return {"Authorization": f"Bearer {TOKEN}"}


def notes_kept(backend, case) -> list[dict]:
    """The notes the reference backend keeps for the case, as its API lists them."""
    answer = requests.get(f"{backend.url}/cases/{case.number}/notes", headers=bearer(), timeout=5)
    return answer.json() if answer.status_code == 200 else []


def committee_panel(client, case) -> str:
    """The committee part of the case page, as its reader sees it (spaces folded)."""
    page = client.get(f"/cases/{case.pk}/").content.decode()
    found = re.search(r'<section class="card cm-panel".*?</section>', page, re.S)
    assert found, "the case page has no committee panel"
    return re.sub(r"\s+", " ", found.group(0))


def test_review_requested_to_recommendation_through_the_webhook_and_the_case_page(
    client, secret, backend_org, committee_settings, smtp, backend, jobs_run_now, django_capture_on_commit_callbacks
):
    inbox, _server = smtp
    experts = [expert(name, "teacher") for name in ("กนก", "จิรา", "ดารา")]
    expert("บริหาร", "school_administrator")
    opened = event("case.opened")
    backend.backend.cases[opened["case"]["number"]] = opened["case"]  # the backend has the case too
    assert deliver(client, opened).status_code == 202
    requested = event("case.review_requested", status="committee_review", minutes=5, id="evt_review_1")
    assert deliver(client, requested).status_code == 202
    assert deliver(client, requested).status_code == 200  # the backend sent it twice
    case = Case.objects.get(number="KSP-69-000123")
    (review,) = CommitteeReview.objects.filter(case=case)
    assert review.state == "proposed" and set(review.experts.all()) == set(experts)

    officer = backend_org["officer"]
    client.force_login(officer.user)
    page = committee_panel(client, case)
    assert "การพิจารณาของคณะกรรมการ" in page and "ยืนยันและส่งหนังสือเชิญ" in page
    assert all(person.first_name_th in page for person in experts) and "บริหาร" not in page
    # The teammate sees the committee, without the form.
    client.force_login(backend_org["teammate"].user)
    teammate_page = committee_panel(client, case)
    assert "กนก" in teammate_page and "ยืนยันและส่งหนังสือเชิญ" not in teammate_page
    assert client.post(f"/cases/committee/{review.pk}/confirm/", {}).status_code == 302
    assert CommitteeReview.objects.get(pk=review.pk).state == "proposed"

    client.force_login(officer.user)
    day = next_monday(2)
    prefix = f"confirm-{review.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            f"/cases/committee/{review.pk}/confirm/",
            {f"{prefix}-date": day.isoformat(), f"{prefix}-start_time": "13:30", "next": f"/cases/{case.pk}/"},
        )
    assert answer.status_code == 302 and answer["Location"] == f"/cases/{case.pk}/"
    review.refresh_from_db()
    assert review.state == "invited"
    assert timezone.localtime(review.meeting.starts_at) == timezone.make_aware(
        dt.datetime.combine(day, dt.time(13, 30))
    )
    assert sorted(m["To"] for m in inbox.messages) == sorted(p.email for p in experts)
    page = committee_panel(client, case)
    assert f'href="/meetings/{review.meeting_id}/"' in page and "บันทึกมติ" in page

    prefix = f"resolution-{review.pk}"
    form = {f"{prefix}-resolution": "approve", f"{prefix}-votes_against": "0", f"{prefix}-votes_abstain": "0"}
    client.post(f"/cases/committee/{review.pk}/resolution/", {**form, f"{prefix}-votes_for": "1"})
    refused = client.get(f"/cases/{case.pk}/").content.decode()  # the refusal is a message above the page
    assert "ไม่ครบองค์ประชุม" in refused and notes_kept(backend, case) == []
    # The backend keeps the note but its answer is lost: the hub sends it again with the same key.
    requests.post(f"{backend.url}/control/faults", json={"lose_note_answers": 1}, headers=bearer(), timeout=5)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/cases/committee/{review.pk}/resolution/", {**form, f"{prefix}-votes_for": "3"})
    panel = committee_panel(client, case)
    assert "มติ: อนุมัติ" in panel and "ส่งไปยังระบบใบอนุญาตเป็นข้อเสนอแล้วเมื่อ" in panel
    assert backend.backend.lose_note_answers == 0  # the answer was lost once
    (note,) = notes_kept(backend, case)
    assert note["key"] == f"committee-review-{review.pk}-resolution" and note["kind"] == "recommendation"
    assert "อนุมัติ" in note["body"] and "เห็นด้วย 3" in note["body"]
