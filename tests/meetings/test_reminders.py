"""Reminders: before each occurrence, over the socket and by e-mail, exactly once per person and
occurrence even with two consumers at once; none for declined meetings or cancelled occurrences."""

import asyncio
import datetime as dt
import threading

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.core import mail as outbox
from django.db import connection

from hub import realtime
from hub.errors import Invalid
from meetings import reminders, selectors, services
from meetings.models import ReminderSent
from tests.meetings.conftest import at, draft, next_monday, weekly


@pytest.fixture
def series(org):
    meeting = services.schedule_meeting(
        org["organiser"].user,
        draft(
            at(next_monday(), 10),
            recurrence=weekly(0, count=2),
            people={org["colleague"].pk: True, org["expert"].pk: True, org["teammate"].pk: False},
        ),
    )
    services.respond(org["expert"].user, meeting.pk, "declined")
    reminders.choose_minutes(org["teammate"].user, 30)
    reminders.choose_minutes(org["organiser"].user, 0)
    return meeting


def reminded() -> set[tuple[int, dt.datetime]]:
    return set(ReminderSent.objects.values_list("person_id", "original_start"))


@pytest.mark.django_db
def test_each_person_is_reminded_once_at_their_own_time_and_never_when_declined(org, series):
    start = at(next_monday(), 10)
    assert reminders.send_due(now=start - dt.timedelta(minutes=31)) == 0
    assert reminders.send_due(now=start - dt.timedelta(minutes=30)) == 1  # the teammate asked for 30
    assert reminders.send_due(now=start - dt.timedelta(minutes=10)) == 1  # the colleague: the default 10
    assert reminders.send_due(now=start - dt.timedelta(minutes=5)) == 0  # nobody twice
    assert reminded() == {(org["teammate"].pk, start), (org["colleague"].pk, start)}
    assert sorted(m.to[0] for m in outbox.outbox) == sorted([org["teammate"].email, org["colleague"].email])
    message = next(m for m in outbox.outbox if m.to == [org["colleague"].email])
    assert message.subject == f"แจ้งเตือนการประชุม: {series.title} / Reminder: {series.title}"
    assert "จะเริ่มในอีก 10 นาที" in message.body and "starts in 10 minutes" in message.body
    assert reminders.send_due(now=start) == 0  # started: too late for anyone not yet reminded


@pytest.mark.django_db
def test_no_reminder_for_a_cancelled_occurrence_or_meeting(org, series):
    start = at(next_monday(), 10)
    first = selectors.occurrences_of(series, start, start + dt.timedelta(hours=1))[0]
    services.cancel_occurrence(org["organiser"].user, series.pk, first.key)
    assert reminders.send_due(now=start - dt.timedelta(minutes=10)) == 0
    services.cancel_meeting(org["organiser"].user, series.pk)
    assert reminders.send_due(now=start + dt.timedelta(days=7, minutes=-10)) == 0
    assert not ReminderSent.objects.exists()


@pytest.mark.django_db
def test_the_reminder_reaches_the_persons_sockets(org, series, django_capture_on_commit_callbacks):
    layer = get_channel_layer()
    start = at(next_monday(), 10)

    def remind():
        with django_capture_on_commit_callbacks(execute=True):
            reminders.send_due(now=start - dt.timedelta(minutes=10))

    async def listen_and_remind():
        # One event loop throughout: the Redis pub/sub layer keeps its channels per loop.
        channel = await layer.new_channel()
        await layer.group_add(realtime.user_group(org["colleague"].user_id), channel)
        await sync_to_async(remind)()
        return await asyncio.wait_for(layer.receive(channel), 10)

    message = async_to_sync(listen_and_remind)()
    assert '"kind":"reminder"' in message["text"] and f'"meeting":{series.pk}' in message["text"]
    assert "จะเริ่มในอีก 10 นาที" in message["text"] and "Starts in 10 minutes" in message["text"]


@pytest.mark.django_db
def test_a_person_chooses_their_reminder_time_on_the_page(client, org):
    client.force_login(org["colleague"].user)
    assert 'value="10" selected' in client.get("/meetings/").content.decode()
    client.post("/meetings/reminders/", {"minutes": "30"})
    assert reminders.minutes_for(org["colleague"]) == 30
    with pytest.raises(Invalid):
        reminders.choose_minutes(org["colleague"].user, 7)


@pytest.mark.django_db(transaction=True)
def test_two_consumers_at_once_remind_each_person_once(org):
    meeting = services.schedule_meeting(
        org["organiser"].user,
        draft(at(next_monday(), 10), people={org["colleague"].pk: True, org["teammate"].pk: True}),
    )
    now = at(next_monday(), 9, 50)
    counts, errors = [], []
    barrier = threading.Barrier(2)

    def consumer():
        try:
            barrier.wait()
            counts.append(reminders.send_due(now=now))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=consumer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sum(counts) == 3  # the colleague, the teammate and the organiser: once each
    assert ReminderSent.objects.filter(meeting=meeting).count() == 3
    assert len(outbox.outbox) == 3
