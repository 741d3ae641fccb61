"""Busy and free: attendees' other meetings and out-of-office days, and "find a time" for everyone required."""

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext as _

from directory import selectors as directory
from directory.models import Person
from hub.errors import Invalid
from meetings import selectors
from meetings.models import Attendee

WEEKDAY_KEYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
STEP = dt.timedelta(minutes=30)
MAX_PEOPLE = 100
MAX_SEARCH_DAYS = 31
MAX_AHEAD_DAYS = 2 * 366
MEETING, OUT_OF_OFFICE = "meeting", "out_of_office"


@dataclass(frozen=True)
class Busy:
    start: dt.datetime
    end: dt.datetime
    reason: str  # MEETING or OUT_OF_OFFICE; what the meeting is stays private


def working_hours() -> tuple[dt.time, dt.time]:
    start, end = settings.MEETING_WORKDAY
    return dt.time.fromisoformat(start), dt.time.fromisoformat(end)


def works_on(person: Person, day: dt.date) -> bool:
    """The directory's weekly pattern says where a person works each day; without one, Monday to Friday."""
    key = WEEKDAY_KEYS[day.weekday()]
    if not person.work_pattern:
        return day.weekday() < 5
    return person.work_pattern.get(key) in {"office", "home"}


def busy_of(person: Person, start: dt.datetime, end: dt.datetime, ignore_meeting_id: int | None = None) -> list[Busy]:
    """When the person is taken in [start, end): their meetings (not those they declined or that were
    cancelled) and their out-of-office days."""
    declined = set(
        Attendee.objects.filter(person=person, response=Attendee.Response.DECLINED).values_list("meeting_id", flat=True)
    )
    busy = [
        Busy(slot.start, slot.end, MEETING)
        for slot in selectors.occurrences_for(person, start, end, include_cancelled=False)
        if slot.meeting.pk not in declined and slot.meeting.pk != ignore_meeting_id
    ]
    if person.out_of_office_from is not None:
        tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        away_from = dt.datetime.combine(person.out_of_office_from, dt.time(0), tzinfo=tz)
        away_until = (
            dt.datetime.combine(person.out_of_office_until + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
            if person.out_of_office_until
            else end
        )
        if away_from < end and away_until > start:
            busy.append(Busy(max(away_from, start), min(away_until, end), OUT_OF_OFFICE))
    return sorted(busy, key=lambda b: b.start)


def busy_for(
    user: AbstractBaseUser, person_ids: list[int], start: dt.datetime, end: dt.datetime, ignore_meeting_id=None
) -> dict[Person, list[Busy]]:
    """Busy times of the people the user may see, for the scheduling form."""
    _check_window(start, end)
    people = _people(user, person_ids)
    return {person: busy_of(person, start, end, ignore_meeting_id) for person in people}


def find_times(
    user: AbstractBaseUser,
    person_ids: list[int],
    duration: dt.timedelta,
    after: dt.datetime | None = None,
    days: int = 14,
    count: int = 5,
    ignore_meeting_id: int | None = None,
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The next `count` times of `duration`, on the half hour and within working hours (Bangkok),
    when every one of the people works that day and is neither in a meeting nor away."""
    if duration <= dt.timedelta(0) or duration > dt.timedelta(hours=12):
        raise Invalid(_("A meeting lasts between a minute and 12 hours."), fields={"duration": "range"})
    if not 1 <= days <= MAX_SEARCH_DAYS:
        raise Invalid(_("Search at most %(max)d days ahead.") % {"max": MAX_SEARCH_DAYS}, fields={"days": "range"})
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    if after is not None and timezone.is_naive(after):
        after = after.replace(tzinfo=tz)  # a time without an offset is Bangkok's, like everywhere else
    if after is not None and after > timezone.now() + dt.timedelta(days=MAX_AHEAD_DAYS):
        raise Invalid(_("Search at most two years ahead."), fields={"after": "range"})
    people = _people(user, person_ids)
    first = _round_up(max(after or timezone.now(), timezone.now()).astimezone(tz))
    last = first + dt.timedelta(days=days)
    busy = {person: busy_of(person, first, last, ignore_meeting_id) for person in people}
    open_at, close_at = working_hours()
    found: list[tuple[dt.datetime, dt.datetime]] = []
    candidate = first
    while candidate < last and len(found) < count:
        day = candidate.date()
        day_open = dt.datetime.combine(day, open_at, tzinfo=tz)
        day_close = dt.datetime.combine(day, close_at, tzinfo=tz)
        if candidate < day_open:
            candidate = day_open
            continue
        finish = candidate + duration
        if finish > day_close:
            candidate = dt.datetime.combine(day + dt.timedelta(days=1), open_at, tzinfo=tz)
            continue
        if not all(works_on(person, day) for person in people):
            candidate = dt.datetime.combine(day + dt.timedelta(days=1), open_at, tzinfo=tz)
            continue
        clash = max(
            (b.end for person in people for b in busy[person] if b.start < finish and candidate < b.end), default=None
        )
        if clash is None:
            found.append((candidate, finish))
            candidate = finish
        else:
            candidate = _round_up(clash.astimezone(tz))
    return found


def _people(user: AbstractBaseUser, person_ids: list[int]) -> list[Person]:
    ids = set(person_ids)
    if len(ids) > MAX_PEOPLE:
        raise Invalid(_("Ask for at most %(max)d people at a time.") % {"max": MAX_PEOPLE}, fields={"people": "many"})
    people = list(directory.visible_people(user).filter(pk__in=ids))
    if len(people) != len(ids):
        raise Invalid(_("Someone on the list is not in the directory."), fields={"people": "unknown"})
    return people


def _check_window(start: dt.datetime, end: dt.datetime) -> None:
    if end <= start or end - start > selectors.MAX_WINDOW:
        raise Invalid(_("Ask for a window of at most 92 days."), fields={"end": "range"})


def _round_up(moment: dt.datetime) -> dt.datetime:
    """The next half hour at or after the moment."""
    base = moment.replace(minute=0, second=0, microsecond=0)
    while base < moment:
        base += STEP
    return base
