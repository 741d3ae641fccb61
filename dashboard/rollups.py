"""Keeping the rollups: fold new messages in past a watermark, re-expand changed meetings, or rebuild all."""

import datetime as dt
import zoneinfo

from django.db import transaction
from django.utils import timezone

from chat import activity
from dashboard.models import ActivityDay, InvitedSlot, MeetingSlot, Watermark
from meetings import attendance_stats

BANGKOK = zoneinfo.ZoneInfo("Asia/Bangkok")
# A message is folded in once it is this old: every smaller id has committed by then (chat.activity).
SETTLE = dt.timedelta(seconds=30)
# Meetings changed this long before the last refresh are expanded again: a transaction that
# stamped updated_at earlier may commit after the refresh read.
MEETINGS_OVERLAP = dt.timedelta(minutes=10)
BATCH = 50_000
MESSAGES, MEETINGS = "messages", "meetings"


def fold_messages(now: dt.datetime | None = None, batch: int = BATCH) -> int:
    """Fold in messages past the watermark, `batch` ids at a time; returns how many ids were passed.
    Each batch is claimed in the transaction that adds it (a compare-and-set on the watermark), so
    two consumers, a retry or a restart never count a message twice."""
    up_to = activity.settled_last_id((now or timezone.now()) - SETTLE)
    passed = 0
    while True:
        with transaction.atomic():
            mark, _ = Watermark.objects.get_or_create(name=MESSAGES)
            start = mark.last_id
            if start >= up_to:
                return passed
            end = min(up_to, start + batch)
            if not Watermark.objects.filter(pk=mark.pk, last_id=start).update(last_id=end):
                return passed  # another consumer took this batch
            _add(activity.sent_per_hour(start, end, BANGKOK))
            passed += end - start


def _add(rows: list[tuple[int, dt.date, int, int]]) -> None:
    """Add (user, day, hour, messages) to the day rows, creating those missing."""
    totals: dict[tuple[int, dt.date], list[int]] = {}
    for user_id, day, hour, n in rows:
        entry = totals.setdefault((user_id, day), [0, 0])
        entry[0] += n
        entry[1] |= 1 << hour
    if not totals:
        return
    users = {user_id for user_id, _day in totals}
    days = {day for _user, day in totals}
    existing = {
        (row.user_id, row.day): row
        for row in ActivityDay.objects.select_for_update().filter(user_id__in=users, day__in=days)
    }
    rows = []
    for (user_id, day), (n, hours) in totals.items():
        row = existing.get((user_id, day))
        if row is not None:  # locked above: nobody else adds to it until this commits
            n, hours = n + row.messages, hours | row.hours
        rows.append(ActivityDay(user_id=user_id, day=day, messages=n, hours=hours, active_hours=hours.bit_count()))
    # One INSERT ... ON CONFLICT DO UPDATE per thousand rows, with the totals already added up.
    ActivityDay.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["user", "day"],
        update_fields=["messages", "hours", "active_hours"],
    )


def refresh_meetings(now: dt.datetime | None = None) -> int:
    """Expand again the meetings changed since the last refresh (less an overlap); returns how many."""
    now = now or timezone.now()
    with transaction.atomic():
        mark, _ = Watermark.objects.select_for_update().get_or_create(name=MEETINGS)
        since = mark.last_at - MEETINGS_OVERLAP if mark.last_at else None
        changed = attendance_stats.meetings_changed_since(since)
        _replace_slots(changed)
        mark.last_at = now
        mark.save(update_fields=["last_at"])
    return len(changed)


def _replace_slots(meeting_ids: list[int]) -> None:
    """Write again the occurrences of these meetings, and one row per invitee of each."""
    for offset in range(0, len(meeting_ids), 500):
        chunk = meeting_ids[offset : offset + 500]
        occurrences = attendance_stats.occurrences_of(chunk)
        invitees = attendance_stats.invitees_of(chunk)
        MeetingSlot.objects.filter(meeting_id__in=chunk).delete()
        InvitedSlot.objects.filter(meeting_id__in=chunk).delete()
        slots, invited = [], []
        for meeting_id, rows in occurrences.items():
            for row in rows:
                slots.append(
                    MeetingSlot(
                        meeting_id=meeting_id,
                        original_start=row.original_start,
                        start=row.start,
                        end=row.end,
                        cancelled=row.cancelled,
                    )
                )
                if row.cancelled:
                    continue
                minutes = round((row.end - row.start).total_seconds() / 60)
                invited += [
                    InvitedSlot(
                        person_id=person_id,
                        meeting_id=meeting_id,
                        original_start=row.original_start,
                        start=row.start,
                        minutes=minutes,
                    )
                    for person_id in invitees.get(meeting_id, [])
                ]
        MeetingSlot.objects.bulk_create(slots, batch_size=1000)
        InvitedSlot.objects.bulk_create(invited, batch_size=1000)


def rebuild(now: dt.datetime | None = None) -> None:
    """Throw the rollups away and count everything again from the history."""
    now = now or timezone.now()
    with transaction.atomic():
        Watermark.objects.select_for_update().filter(name__in=[MESSAGES, MEETINGS]).delete()
        ActivityDay.objects.all().delete()
        MeetingSlot.objects.all().delete()
        InvitedSlot.objects.all().delete()
    fold_messages(now)
    refresh_meetings(now)
