"""The week and month pages' grids: a person's occurrences laid out by day, in the reader's zone."""

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone, translation

from directory.models import Person
from hub import dates
from meetings import selectors
from meetings.models import Attendee


@dataclass
class Day:
    date: dt.date
    slots: list = field(default_factory=list)
    in_month: bool = True

    @property
    def is_today(self) -> bool:
        return self.date == timezone.localdate()


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(0)))


def _fill(person: Person, days: list[Day]) -> list[Day]:
    slots = selectors.occurrences_for(person, _start_of(days[0].date), _start_of(days[-1].date + dt.timedelta(days=1)))
    answers = dict(
        Attendee.objects.filter(person=person, meeting_id__in={s.meeting.pk for s in slots}).values_list(
            "meeting_id", "response"
        )
    )
    by_date = {day.date: day for day in days}
    for slot in slots:
        slot.my_answer = answers.get(slot.meeting.pk)
        # A meeting is listed on the day it starts, in the reader's zone (Bangkok unless they chose).
        day = by_date.get(timezone.localtime(slot.start).date())
        if day is not None:
            day.slots.append(slot)
    return days


def week_of(person: Person, anchor: dt.date) -> dict:
    monday = anchor - dt.timedelta(days=anchor.weekday())
    days = _fill(person, [Day(monday + dt.timedelta(days=n)) for n in range(7)])
    return {
        "days": days,
        "title": f"{dates.format_date(monday, 'short')} – {dates.format_date(monday + dt.timedelta(days=6), 'short')}",
        "previous": monday - dt.timedelta(days=7),
        "next": monday + dt.timedelta(days=7),
        "count": sum(len(day.slots) for day in days),
    }


def month_of(person: Person, anchor: dt.date) -> dict:
    first = anchor.replace(day=1)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    days = _fill(person, [Day(day, in_month=day.month == first.month) for week in weeks for day in week])
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return {
        "weeks": [days[n : n + 7] for n in range(0, len(days), 7)],
        "busy_days": [day for day in days if day.in_month and day.slots],
        "title": month_title(first),
        "previous": (first - dt.timedelta(days=1)).replace(day=1),
        "next": last + dt.timedelta(days=1),
        "count": sum(len(day.slots) for day in days if day.in_month),
    }


def month_title(day: dt.date) -> str:
    """ "พฤศจิกายน 2569" in Thai (Buddhist Era), "November 2026" in English."""
    if (translation.get_language() or "th").startswith("en"):
        return f"{dates.MONTHS_EN[day.month - 1]} {day.year}"
    return f"{dates.MONTHS_TH[day.month - 1]} {dates.be_year(day.year)}"


def weekday_names() -> list[tuple[str, str]]:
    """(short, full) weekday names, Monday first."""
    if (translation.get_language() or "th").startswith("en"):
        return [(name[:3], name) for name in dates.WEEKDAYS_EN]
    short = ["จ.", "อ.", "พ.", "พฤ.", "ศ.", "ส.", "อา."]
    return list(zip(short, dates.WEEKDAYS_TH))
