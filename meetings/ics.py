"""iCalendar (RFC 5545): a meeting as a VEVENT series with its exceptions, and a person's private feed.

The series is the event's rule as RRULE (COUNT or UNTIL), cancelled occurrences are EXDATEs, moved
ones are VEVENTs with the same UID and a RECURRENCE-ID; times carry the meeting's TZID with its
VTIMEZONE. The UID never changes; SEQUENCE is Meeting.sequence, raised by every change.
"""

import datetime as dt

import icalendar
from django.utils import timezone

from directory.models import Person
from meetings import recurrence as rec
from meetings import selectors
from meetings.models import Attendee, Meeting

PRODID = "-//Teachers Council of Thailand//Khurusapha ONE//TH"
UID_DOMAIN = "khurusapha-one"
FEED_PAST = dt.timedelta(days=90)
PARTSTAT = {
    Attendee.Response.PENDING: "NEEDS-ACTION",
    Attendee.Response.ACCEPTED: "ACCEPTED",
    Attendee.Response.TENTATIVE: "TENTATIVE",
    Attendee.Response.DECLINED: "DECLINED",
}
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def uid_of(meeting: Meeting) -> str:
    """Stable across every edit of the meeting (calendars match updates by it)."""
    return f"meeting-{meeting.pk}-{meeting.created_at:%Y%m%d%H%M%S}@{UID_DOMAIN}"


def meeting_calendar(meeting: Meeting, site: str, method: str | None = None) -> bytes:
    """One meeting (with its whole series) as an .ics file; `site` is the hub's base URL."""
    calendar = _calendar(method)
    for component in _components(meeting, site):
        calendar.add_component(component)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def person_feed(person: Person, site: str) -> bytes:
    """Every meeting of the person that has not ended more than 90 days ago: a subscription feed."""
    calendar = _calendar(None)
    calendar.add("X-WR-CALNAME", "Khurusapha ONE")
    meetings = (
        selectors.meetings_of(person)
        .filter(ends_at__gt=timezone.now() - FEED_PAST)
        .select_related("event__rule", "organiser", "chair", "room")
        .prefetch_related("event__occurrence_set", "attendees__person")
        .order_by("starts_at")
    )
    for meeting in meetings:
        for component in _components(meeting, site):
            calendar.add_component(component)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _calendar(method: str | None) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    if method:
        calendar.add("METHOD", method)
    return calendar


def _components(meeting: Meeting, site: str) -> list[icalendar.Event]:
    event = meeting.event
    tz = rec.zone(meeting.timezone)
    master = _vevent(meeting, site, event.start.astimezone(tz), event.end.astimezone(tz))
    if meeting.cancelled_at is not None:
        master.add("STATUS", "CANCELLED")
    rule = _rrule(meeting)
    exceptions = []
    if rule is not None:
        master.add("RRULE", rule)
        cancelled = []
        for occurrence in event.occurrence_set.all():
            original = occurrence.original_start.astimezone(tz)
            if occurrence.cancelled:
                cancelled.append(original)
            elif occurrence.moved:
                moved = _vevent(meeting, site, occurrence.start.astimezone(tz), occurrence.end.astimezone(tz))
                moved.add("RECURRENCE-ID", original)
                if meeting.cancelled_at is not None:
                    moved.add("STATUS", "CANCELLED")
                exceptions.append(moved)
        if cancelled:
            master.add("EXDATE", sorted(cancelled))
    return [master, *exceptions]


def _vevent(meeting: Meeting, site: str, start: dt.datetime, end: dt.datetime) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("UID", uid_of(meeting))
    vevent.add("SEQUENCE", meeting.sequence)
    vevent.add("DTSTAMP", meeting.updated_at.astimezone(dt.UTC))
    vevent.add("DTSTART", start)
    vevent.add("DTEND", end)
    vevent.add("SUMMARY", meeting.title)
    url = f"{site.rstrip('/')}/meetings/{meeting.pk}/"
    vevent.add("DESCRIPTION", f"{meeting.agenda}\n\n{url}".strip())
    vevent.add("URL", url)
    vevent.add("LOCATION", meeting.room.name_th if meeting.room else url)
    organiser = icalendar.vCalAddress(f"mailto:{meeting.organiser.email}")
    organiser.params["CN"] = meeting.organiser.name_th
    vevent.add("ORGANIZER", organiser)
    for attendee in meeting.attendees.all():
        address = icalendar.vCalAddress(f"mailto:{attendee.person.email}")
        address.params["CN"] = attendee.person.name_th
        address.params["ROLE"] = "REQ-PARTICIPANT" if attendee.required else "OPT-PARTICIPANT"
        address.params["PARTSTAT"] = PARTSTAT[attendee.response]
        vevent.add("ATTENDEE", address)
    return vevent


def _rrule(meeting: Meeting) -> dict | None:
    recurrence = rec.recurrence_of(meeting.event)
    if not recurrence.repeats:
        return None
    rule: dict = {"FREQ": rec.FREQUENCIES[recurrence.frequency]}
    if recurrence.frequency == "weekly":
        rule["BYDAY"] = [WEEKDAYS[day] for day in sorted(recurrence.weekdays)]
    if recurrence.count is not None:
        rule["COUNT"] = recurrence.count
    else:
        # With a TZID on DTSTART, UNTIL must be in UTC (RFC 5545 3.3.10).
        rule["UNTIL"] = meeting.event.end_recurring_period.astimezone(dt.UTC)
    return rule
