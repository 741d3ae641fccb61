"""Recurrence: our words (daily, weekly on chosen days, monthly; until a date or N times) as
django-scheduler rules, and expansion of a meeting's event in the meeting's own time zone."""

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from schedule.models import Event, Occurrence

from hub.errors import Invalid

FREQUENCIES = {"daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY"}
WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
WEEKDAY_NAMES = [
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
]
MAX_OCCURRENCES = 500
MAX_SERIES_DAYS = 731  # a series may run two years at most


@dataclass
class Recurrence:
    """How a meeting repeats; frequency "" means once."""

    frequency: str = ""
    weekdays: list[int] = field(default_factory=list)  # 0 = Monday, for weekly meetings
    until: dt.date | None = None  # the last day a meeting may fall on, in the meeting's zone
    count: int | None = None

    @property
    def repeats(self) -> bool:
        return bool(self.frequency)


def zone(name: str) -> zoneinfo.ZoneInfo:
    """The IANA zone of that name; fixed offsets ("UTC+07:00") are refused: django-scheduler
    re-reads the zone by its name with pytz, which knows no such names (DESIGN.md §8)."""
    try:
        found = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        found = None
    if found is None or ("/" not in name and name != "UTC"):
        raise Invalid(_("Unknown time zone: choose a place such as Asia/Bangkok."), fields={"timezone": name})
    return found


def check(recurrence: Recurrence, start: dt.datetime) -> None:
    """Refuse a rule that never ends, ends before it starts, or runs past the limits."""
    if not recurrence.repeats:
        return
    if recurrence.frequency not in FREQUENCIES:
        raise Invalid(_("A meeting repeats daily, weekly or monthly."), fields={"frequency": recurrence.frequency})
    if recurrence.frequency == "weekly":
        if not recurrence.weekdays or any(day not in range(7) for day in recurrence.weekdays):
            raise Invalid(_("Choose the weekdays a weekly meeting falls on."), fields={"weekdays": "required"})
    if recurrence.until is None and recurrence.count is None:
        raise Invalid(
            _("A repeating meeting must end: give a last date or a number of meetings."), fields={"until": "required"}
        )
    if recurrence.until is not None and recurrence.count is not None:
        raise Invalid(_("Give either a last date or a number of meetings, not both."), fields={"count": "both"})
    if recurrence.count is not None and not 1 <= recurrence.count <= MAX_OCCURRENCES:
        raise Invalid(
            _("A series has between 1 and %(max)d meetings.") % {"max": MAX_OCCURRENCES}, fields={"count": "range"}
        )
    if recurrence.until is not None:
        if recurrence.until < start.date():
            raise Invalid(_("The last date is before the first meeting."), fields={"until": "before_start"})
        if (recurrence.until - start.date()).days > MAX_SERIES_DAYS:
            raise Invalid(_("A series may run for two years at most."), fields={"until": "too_far"})


def rule_fields(recurrence: Recurrence) -> tuple[str, str]:
    """(frequency, params) of a schedule.Rule for this recurrence."""
    params = []
    if recurrence.frequency == "weekly":
        params.append("byweekday:" + ",".join(WEEKDAY_CODES[day] for day in sorted(set(recurrence.weekdays))))
    if recurrence.count is not None:
        params.append(f"count:{recurrence.count}")
    return FREQUENCIES[recurrence.frequency], ";".join(params)


def end_of_series(recurrence: Recurrence, tz: zoneinfo.ZoneInfo) -> dt.datetime | None:
    """The event's end_recurring_period: the end of the last day, in the meeting's zone."""
    if recurrence.until is None:
        return None
    return dt.datetime.combine(recurrence.until, dt.time(23, 59, 59), tzinfo=tz)


def recurrence_of(event: Event) -> Recurrence:
    """Read a stored rule back into our words (for the edit form and the API)."""
    if event.rule is None:
        return Recurrence()
    frequency = {value: key for key, value in FREQUENCIES.items()}.get(event.rule.frequency, "")
    params = dict(part.split(":", 1) for part in event.rule.params.split(";") if ":" in part)
    weekdays = [WEEKDAY_CODES.index(code) for code in params.get("byweekday", "").split(",") if code in WEEKDAY_CODES]
    count = int(params["count"]) if "count" in params else None
    until = None
    if event.end_recurring_period is not None and count is None:
        until = event.end_recurring_period.astimezone(zoneinfo.ZoneInfo(event.meeting.timezone)).date()
    return Recurrence(frequency=frequency, weekdays=weekdays, until=until, count=count)


def describe(recurrence: Recurrence) -> str:
    """ "Every week on Mon, Wed · 6 meetings" in the reader's language; "" for a one-off meeting."""
    from hub.dates import format_date

    if not recurrence.repeats:
        return ""
    if recurrence.frequency == "weekly":
        names = [str(WEEKDAY_NAMES[day]) for day in sorted(recurrence.weekdays)]
        text = _("Every week on %(days)s") % {"days": ", ".join(names)}
    elif recurrence.frequency == "daily":
        text = _("Every day")
    else:
        text = _("Every month")
    if recurrence.count is not None:
        return text + " · " + _("%(count)d meetings") % {"count": recurrence.count}
    return text + " · " + _("until %(date)s") % {"date": format_date(recurrence.until, "long")}


def expand(event: Event, tz: zoneinfo.ZoneInfo, start: dt.datetime, end: dt.datetime) -> list[Occurrence]:
    """The event's occurrences that overlap [start, end), persisted exceptions included.

    The window is handed to django-scheduler in the meeting's zone: it expands the rule in the zone
    of the window's start, so a weekly 10:00 stays at 10:00 local time across any change of offset.
    The event's occurrence_set may be prefetched by the caller (no refresh per event).
    """
    return event.get_occurrences(start.astimezone(tz), end.astimezone(tz), clear_prefetch=False)


def original_starts(event: Event, tz: zoneinfo.ZoneInfo, limit: int = MAX_OCCURRENCES + 1) -> list[dt.datetime]:
    """The starts the rule gives, first to last (at most `limit`), ignoring exceptions."""
    rule = event.get_rrule_object(tz)
    if rule is None:
        return [event.start]
    starts = []
    for naive in rule:
        moment = naive.replace(tzinfo=tz)
        if event.end_recurring_period is not None and moment > event.end_recurring_period:
            break
        starts.append(moment)
        if len(starts) >= limit:
            break
    return starts
