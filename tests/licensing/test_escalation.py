"""First-response targets: a case past its team's target with no response escalates once to the
manager (a notification and a mark on the case, shown in the lists and the API), however many
consumers run the job at once; a staff message in the room or a status change is a response."""

import asyncio
import datetime as dt
import threading

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.db import connection

from chat import services as chat
from hub import realtime
from hub.tokens import issue_token
from licensing import case_rooms, routing, targets
from licensing.models import Case, StatusChange
from tests.licensing.conftest import MONDAY, make_case

AFTER = MONDAY + dt.timedelta(hours=5)  # past the licence team's 4 working hours


def routed_case(**fields) -> Case:
    case = make_case(**fields)
    case.opened_at = MONDAY
    case.save()
    routing.route_case(case, now=MONDAY)
    case.refresh_from_db()
    return case


@pytest.mark.django_db
def test_an_overdue_case_escalates_once_and_rings_the_managers_socket(org, django_capture_on_commit_callbacks):
    case = routed_case()
    assert case.first_response_due == MONDAY + dt.timedelta(hours=4)
    assert targets.escalate_overdue(now=MONDAY + dt.timedelta(hours=3)) == 0  # not yet due
    layer = get_channel_layer()

    def escalate():
        with django_capture_on_commit_callbacks(execute=True):
            return targets.escalate_overdue(now=AFTER)

    async def listen_and_escalate():
        channel = await layer.new_channel()
        await layer.group_add(realtime.user_group(org["manager"].user_id), channel)
        count = await sync_to_async(escalate)()
        return count, await asyncio.wait_for(layer.receive(channel), 10)

    count, message = async_to_sync(listen_and_escalate)()
    assert count == 1
    assert '"kind":"case_overdue"' in message["text"] and case.number in message["text"]
    case.refresh_from_db()
    assert case.escalated_at == AFTER
    assert targets.state_of(case, AFTER) == targets.ESCALATED
    assert targets.escalate_overdue(now=AFTER + dt.timedelta(hours=1)) == 0  # once


@pytest.mark.django_db
def test_a_staff_message_in_the_room_is_the_first_response(org):
    case = routed_case()
    case_rooms.open_case_room(case)
    case_rooms.invite_people(case, [org["expert"].user])
    chat.send_message(org["expert"].user, case.room_id, "ขอเอกสารเพิ่มครับ")  # an expert is not the team
    assert targets.escalate_overdue(now=AFTER) == 1
    other = routed_case()
    case_rooms.open_case_room(other)
    chat.send_message(other.assignee, other.room_id, "รับเรื่องแล้วครับ")
    assert targets.escalate_overdue(now=AFTER) == 0
    other.refresh_from_db()
    assert other.escalated_at is None and other.first_response_at is not None


@pytest.mark.django_db
def test_a_change_of_status_from_the_backend_is_the_first_response(org):
    case = routed_case()
    StatusChange.objects.create(case=case, status="submitted", occurred_at=MONDAY)
    StatusChange.objects.create(case=case, status="submitted", occurred_at=MONDAY + dt.timedelta(minutes=5))
    untouched = routed_case()
    StatusChange.objects.create(case=untouched, status="submitted", occurred_at=MONDAY)
    assert targets.escalate_overdue(now=MONDAY + dt.timedelta(hours=4, minutes=1)) == 2  # the same status is no answer
    acted = routed_case()
    StatusChange.objects.create(case=acted, status="submitted", occurred_at=MONDAY)
    StatusChange.objects.create(case=acted, status="under_review", occurred_at=MONDAY + dt.timedelta(hours=1))
    assert targets.escalate_overdue(now=AFTER) == 0
    acted.refresh_from_db()
    assert acted.first_response_at == MONDAY + dt.timedelta(hours=1) and acted.escalated_at is None


@pytest.mark.django_db
def test_a_closed_or_answered_case_does_not_escalate(org):
    closed = routed_case()
    Case.objects.filter(pk=closed.pk).update(status="withdrawn")
    answered = routed_case()
    assert targets.record_first_response(answered, MONDAY + dt.timedelta(hours=1))
    assert not targets.record_first_response(answered, MONDAY + dt.timedelta(hours=2))  # the first one stays
    assert targets.escalate_overdue(now=AFTER) == 0


@pytest.mark.django_db
def test_the_mark_shows_in_the_case_list_and_the_api(client, org):
    case = routed_case()
    quiet = routed_case()
    targets.record_first_response(quiet, MONDAY)
    targets.escalate_overdue(now=AFTER)
    client.force_login(org["manager"].user)
    page = client.get("/cases/").content.decode()
    assert page.count("แจ้งหัวหน้าแล้ว") == 1  # the escalated case's row only
    token = issue_token(org["manager"].user, "test")
    listed = client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    marks = {row["number"]: row["escalated_at"] for row in listed}
    assert marks[quiet.number] is None and marks[case.number] is not None
    assignment = client.get(f"/api/v1/cases/{case.pk}/assignment", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert assignment["target"] == "escalated" and assignment["escalated_at"] is not None


@pytest.mark.django_db(transaction=True)
def test_two_consumers_at_once_escalate_each_case_once(org):
    cases = [routed_case() for _ in range(12)]
    counts, errors = [], []
    barrier = threading.Barrier(2)

    def consumer():
        try:
            barrier.wait()
            counts.append(targets.escalate_overdue(now=AFTER))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=consumer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(counts) == len(cases)  # each claimed by exactly one consumer
    assert Case.objects.filter(escalated_at=AFTER).count() == len(cases)


def test_the_job_runs_every_minute():
    from licensing.tasks import escalate_overdue_cases

    job = escalate_overdue_cases.task_class()
    minute = dt.datetime(2026, 12, 14, 10, 3)
    assert all(job.validate_datetime(minute + dt.timedelta(minutes=n)) for n in range(3))
