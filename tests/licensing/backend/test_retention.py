"""PDPA retention: past LICENSING_RETENTION_DAYS after the decision the applicant's details are
erased by the nightly job; the room's discussion stays, with the applicant's name taken out."""

import datetime as dt
import json

import pytest
from django.test import override_settings
from django.utils import timezone

from chat import services as chat
from chat.models import Message
from licensing import tasks
from licensing.models import Case, InboxEvent
from tests.licensing.backend.conftest import deliver, event

pytestmark = pytest.mark.django_db


def decided_case(client, number: str, days_ago: int) -> Case:
    when = timezone.now() - dt.timedelta(days=days_ago)
    deliver(client, event(number=number))
    case = Case.objects.get(number=number)
    chat.send_message(case.assignee, case.room_id, "คุณสมหญิง ใจงาม ส่งเอกสารครบแล้ว ควรอนุมัติ")
    deliver(client, event("case.decided", number=number, status="approved", minutes=60))
    Case.objects.filter(pk=case.pk).update(decided_at=when)  # decided that long ago
    return Case.objects.get(pk=case.pk)


@override_settings(LICENSING_RETENTION_DAYS=30)
def test_past_the_retention_period_the_applicant_is_erased_and_the_discussion_kept(
    client, secret, backend_org, jobs_run_now
):
    old = decided_case(client, "KSP-69-000301", days_ago=31)
    recent = decided_case(client, "KSP-69-000302", days_ago=29)
    messages_before = Message.objects.filter(room=old.room).count()

    tasks.erase_expired_applicants()  # the nightly job, run now (Huey immediate mode)

    old.refresh_from_db()
    assert old.erased_at is not None
    assert (old.applicant_name, old.applicant_id_masked, old.summary) == ("", "", "")
    assert old.number == "KSP-69-000301" and old.status == "approved"  # the case itself stays
    discussion = list(Message.objects.filter(room=old.room).order_by("seq"))
    assert len(discussion) == messages_before
    said = next(m for m in discussion if m.author_id)
    assert said.body == "คุณ[ผู้ยื่นคำขอ] ส่งเอกสารครบแล้ว ควรอนุมัติ" and "สมหญิง" not in said.html
    for row in InboxEvent.objects.filter(case_number=old.number):
        assert "สมหญิง" not in row.body and json.loads(row.body)["case"]["applicant"]["name"] == ""
    # A later event about the erased case does not bring the details back.
    deliver(client, event("case.decided", number=old.number, status="approved", minutes=120, id="evt_after"))
    old.refresh_from_db()
    assert old.applicant_name == ""

    recent.refresh_from_db()
    assert recent.erased_at is None and recent.applicant_name == "นางสาวสมหญิง ใจงาม"
    erased_at = old.erased_at
    tasks.erase_expired_applicants()  # nothing twice
    old.refresh_from_db()
    assert old.erased_at == erased_at
