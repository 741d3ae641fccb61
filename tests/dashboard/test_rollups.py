"""Rollups kept up to date piece by piece equal the same rollups counted again from scratch."""

import datetime as dt
import io
import random

import pytest
from django.core.management import call_command
from django.utils import timezone

from chat.models import Message, Room
from dashboard import rollups
from dashboard.models import ActivityDay, InvitedSlot, MeetingSlot
from meetings import services as meetings
from meetings.recurrence import Recurrence
from meetings.selectors import key_of
from meetings.services import Draft
from tests.dashboard.conftest import at, next_monday

pytestmark = pytest.mark.django_db


def activity() -> set[tuple]:
    return set(ActivityDay.objects.values_list("user_id", "day", "messages", "hours", "active_hours"))


def slots() -> set[tuple]:
    return set(MeetingSlot.objects.values_list("meeting_id", "original_start", "start", "end", "cancelled")) | set(
        InvitedSlot.objects.values_list("person_id", "meeting_id", "original_start", "start", "minutes")
    )


def test_incremental_rollups_equal_a_full_recount_after_a_random_history(org):
    rng = random.Random(13)  # noqa: S311 (a repeatable history, not a secret)
    people = [org[name] for name in ("s1", "s2", "s3", "manager_a", "director")]
    rooms = [Room.objects.create(kind="channel", name=f"ห้อง {n}") for n in range(3)]
    seqs = dict.fromkeys(rooms, 0)
    start = timezone.now() - dt.timedelta(days=60)
    later = timezone.now() + dt.timedelta(days=1)  # every message settled
    for _round in range(12):
        for _ in range(rng.randint(0, 60)):
            room = rng.choice(rooms)
            seqs[room] += 1
            author = rng.choice([*people, None])
            sent = Message.objects.create(room=room, seq=seqs[room], author=author.user if author else None, body="x")
            when = start + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 60))
            Message.objects.filter(pk=sent.pk).update(created_at=when)
        rollups.fold_messages(now=later, batch=rng.randint(1, 40))
    assert ActivityDay.objects.exists()
    assert sum(ActivityDay.objects.values_list("messages", flat=True)) == Message.objects.exclude(author=None).count()

    monday = next_monday(2)
    manager = org["manager_a"].user
    made = []
    for n in range(4):
        made.append(
            meetings.schedule_meeting(
                manager,
                Draft(
                    title=f"ประชุม {n}",
                    start=at(monday + dt.timedelta(days=n), 9 + n),
                    end=at(monday + dt.timedelta(days=n), 10 + n),
                    recurrence=Recurrence(frequency="weekly", weekdays=[n], count=3) if n % 2 else Recurrence(),
                    people={org["s1"].pk: True},
                ),
            )
        )
        rollups.refresh_meetings()
    moved = made[1]
    first = MeetingSlot.objects.filter(meeting=moved).order_by("start").first()
    meetings.cancel_occurrence(manager, moved.pk, key_of(first.original_start))
    meetings.cancel_meeting(manager, made[2].pk)
    changed = made[0]  # a single meeting
    meetings.update_meeting(
        manager,
        changed.pk,
        Draft(
            title="ย้ายแล้ว",
            start=changed.starts_at + dt.timedelta(hours=1),
            end=changed.ends_at + dt.timedelta(hours=1),
            people={org["s2"].pk: True, org["s3"].pk: False},
        ),
    )
    rollups.refresh_meetings()
    assert set(InvitedSlot.objects.filter(meeting=changed).values_list("person_id", flat=True)) == {
        org["s2"].pk,
        org["s3"].pk,
    }
    assert MeetingSlot.objects.filter(meeting=moved, cancelled=True).count() == 1

    incremental = activity(), slots()
    call_command("rebuild_dashboard", stdout=io.StringIO())
    assert (activity(), slots()) == incremental


def test_a_message_too_recent_to_be_settled_waits_for_the_next_fold(org):
    room = Room.objects.create(kind="channel", name="ห้อง")
    Message.objects.create(room=room, seq=1, author=org["s1"].user, body="x")
    assert rollups.fold_messages() == 0  # within SETTLE of now: a smaller id could still be committing
    assert not ActivityDay.objects.exists()
    assert rollups.fold_messages(now=timezone.now() + rollups.SETTLE * 2) > 0
    assert ActivityDay.objects.get().messages == 1
    assert rollups.fold_messages(now=timezone.now() + rollups.SETTLE * 2) == 0  # nothing counted twice
    assert ActivityDay.objects.get().messages == 1
