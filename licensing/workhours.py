"""Working time: office hours Monday to Friday in Bangkok, Thai public holidays excluded, and a person's own days."""

import datetime as dt
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from directory.models import Person
from licensing.models import Holiday

WEEKDAY_KEYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
# The package names a day of several holidays "first; second", which can outgrow the column.
NAME_LENGTH = Holiday._meta.get_field("name_th").max_length


def office_hours() -> tuple[dt.time, dt.time]:
    start, end = settings.OFFICE_HOURS
    return dt.time.fromisoformat(start), dt.time.fromisoformat(end)


def _tz() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


class Calendar:
    """Public holidays, read one year at a time as the arithmetic reaches it (one query a year)."""

    def __init__(self):
        self._years: dict[int, set[dt.date]] = {}

    def is_holiday(self, day: dt.date) -> bool:
        if day.year not in self._years:
            self._years[day.year] = set(Holiday.objects.filter(date__year=day.year).values_list("date", flat=True))
        return day in self._years[day.year]

    def is_office_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and not self.is_holiday(day)


def _hours(hours) -> dt.timedelta:
    return dt.timedelta(seconds=float(Decimal(str(hours)) * 3600))


def add_working_hours(start: dt.datetime, hours) -> dt.datetime:
    """The moment `hours` of office time after `start` (time outside office hours does not count).
    A target that ends exactly at closing time is due at closing time, not the next morning."""
    remaining = _hours(hours)
    if remaining <= dt.timedelta(0):
        return start
    opens, closes = office_hours()
    calendar = Calendar()
    cursor = timezone.localtime(start, _tz())
    day = cursor.date()
    while True:
        if calendar.is_office_day(day):
            day_open = dt.datetime.combine(day, opens, tzinfo=_tz())
            day_close = dt.datetime.combine(day, closes, tzinfo=_tz())
            begin = max(cursor, day_open)
            if begin < day_close:
                if begin + remaining <= day_close:
                    return begin + remaining
                remaining -= day_close - begin
        day += dt.timedelta(days=1)
        cursor = dt.datetime.combine(day, dt.time(0), tzinfo=_tz())


def working_hours_between(a: dt.datetime, b: dt.datetime) -> float:
    """Office hours from `a` to `b` (negative when `b` comes first)."""
    if b < a:
        return -working_hours_between(b, a)
    opens, closes = office_hours()
    calendar = Calendar()
    a, b = timezone.localtime(a, _tz()), timezone.localtime(b, _tz())
    total = dt.timedelta(0)
    day = a.date()
    while day <= b.date():
        if calendar.is_office_day(day):
            begin = max(a, dt.datetime.combine(day, opens, tzinfo=_tz()))
            end = min(b, dt.datetime.combine(day, closes, tzinfo=_tz()))
            if end > begin:
                total += end - begin
        day += dt.timedelta(days=1)
    return total.total_seconds() / 3600


def works_on(person: Person, day: dt.date) -> bool:
    """The directory's weekly pattern says which days a person works; without one, Monday to Friday."""
    if not person.work_pattern:
        return day.weekday() < 5
    return person.work_pattern.get(WEEKDAY_KEYS[day.weekday()]) in {"office", "home"}


def is_out_of_office_on(person: Person, day: dt.date) -> bool:
    start, end = person.out_of_office_from, person.out_of_office_until
    return start is not None and start <= day and (end is None or day <= end)


def is_working_time(person: Person, at: dt.datetime | None = None, calendar: Calendar | None = None) -> bool:
    """Whether the person is at work at `at`: one of their days, not a public holiday, within office
    hours, and not out of office."""
    local = timezone.localtime(at or timezone.now(), _tz())
    calendar = calendar or Calendar()
    opens, closes = office_hours()
    return (
        works_on(person, local.date())
        and not calendar.is_holiday(local.date())
        and opens <= local.time() < closes
        and not is_out_of_office_on(person, local.date())
    )


def thai_holidays(years: list[int]) -> list[tuple[dt.date, str, str]]:
    """Thailand's public holidays for these years from the `holidays` package: (date, Thai, English)."""
    import holidays

    thai = holidays.country_holidays("TH", years=years, language="th")
    english = holidays.country_holidays("TH", years=years, language="en_US")
    return sorted((day, name[:NAME_LENGTH], english.get(day, "")[:NAME_LENGTH]) for day, name in thai.items())


def seed_holidays(years: list[int], replace: bool = False) -> int:
    """Add the package's holidays of each year that has none yet (an admin's edits of a year stay);
    with `replace`, the year's holidays become the package's. Returns how many days were added."""
    added = 0
    with transaction.atomic():
        for year in years:
            existing = Holiday.objects.filter(date__year=year)
            if existing.exists() and not replace:
                continue
            existing.delete()
            rows = [Holiday(date=day, name_th=th, name_en=en) for day, th, en in thai_holidays([year])]
            Holiday.objects.bulk_create(rows)
            added += len(rows)
    return added
