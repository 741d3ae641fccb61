"""iCalendar: a meeting's .ics and a person's private feed, parsed back by icalendar and expanded by
recurring-ical-events to the very occurrences the pages show; UID stable, SEQUENCE rising."""

import datetime as dt
import zoneinfo

import icalendar
import pytest
import recurring_ical_events

from hub.tokens import issue_token
from meetings import selectors, services
from meetings.models import CalendarFeed, Meeting
from meetings.recurrence import Recurrence
from tests.meetings.conftest import at, draft, next_monday, weekly

pytestmark = pytest.mark.django_db


def parse(body: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(body)


def expanded(calendar: icalendar.Calendar, start, end) -> list[tuple]:
    """What a calendar app shows: every occurrence in the window, cancelled series flagged."""
    found = recurring_ical_events.of(calendar).between(start, end)
    return sorted(
        (e["DTSTART"].dt.astimezone(dt.UTC), e["DTEND"].dt.astimezone(dt.UTC), str(e.get("STATUS", ""))) for e in found
    )


def shown(slots) -> list[tuple]:
    """What the pages show, in the same terms (cancelled single occurrences are left out of calendars)."""
    return sorted(
        (s.start.astimezone(dt.UTC), s.end.astimezone(dt.UTC), "CANCELLED" if s.meeting.cancelled_at else "")
        for s in slots
        if not (s.cancelled and s.meeting.cancelled_at is None)
    )


def ics_of(client, person, meeting) -> bytes:
    client.force_login(person.user)
    response = client.get(f"/meetings/{meeting.pk}/calendar.ics")
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar; charset=utf-8"
    return response.content


@pytest.mark.parametrize(
    "recurrence",
    [
        weekly(0, 2, count=6),
        Recurrence(frequency="daily", until=next_monday() + dt.timedelta(days=9)),
        Recurrence(frequency="monthly", count=4),
        Recurrence(),
    ],
    ids=["weekly-count", "daily-until", "monthly-count", "once"],
)
def test_a_meeting_expands_in_a_calendar_app_to_the_occurrences_the_page_shows(client, org, recurrence):
    monday = next_monday()
    meeting = services.schedule_meeting(
        org["organiser"].user, draft(at(monday, 10), recurrence=recurrence, people={org["colleague"].pk: True})
    )
    window = (at(monday, 0) - dt.timedelta(days=1), at(monday, 0) + dt.timedelta(days=150))
    slots = selectors.occurrences_of(meeting, *window)
    if len(slots) > 2:
        services.cancel_occurrence(org["organiser"].user, meeting.pk, slots[1].key)
        later = slots[2].start + dt.timedelta(days=1, hours=3)
        services.move_occurrence(org["organiser"].user, meeting.pk, slots[2].key, later, later + dt.timedelta(hours=1))
    calendar = parse(ics_of(client, org["colleague"], meeting))
    page = shown(selectors.occurrences_for(org["colleague"], *window))
    assert expanded(calendar, *window) == page
    assert (
        len(page)
        == {"weekly-count": 5, "daily-until": 9, "monthly-count": 3, "once": 1}[
            {6: "weekly-count", 10: "daily-until", 4: "monthly-count", 1: "once"}[len(slots)]
        ]
    )


def test_the_file_is_valid_with_a_vtimezone_and_the_people(client, org):
    meeting = services.schedule_meeting(
        org["organiser"].user,
        draft(
            at(next_monday(), 10),
            recurrence=weekly(0, count=3),
            people={org["colleague"].pk: True, org["expert"].pk: False},
        ),
    )
    services.respond(org["colleague"].user, meeting.pk, "accepted")
    calendar = parse(ics_of(client, org["colleague"], meeting))
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    (tz,) = calendar.walk("VTIMEZONE")
    assert tz["TZID"] == "Asia/Bangkok"
    (event,) = calendar.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "Asia/Bangkok"
    assert event["DTSTART"].dt == at(next_monday(), 10)
    assert event.get("RRULE")["COUNT"] == [3] and event.get("RRULE")["BYDAY"] == ["MO"]
    assert str(event["SUMMARY"]) == meeting.title
    attendees = {str(a).removeprefix("mailto:"): (a.params["ROLE"], a.params["PARTSTAT"]) for a in event["ATTENDEE"]}
    assert attendees == {
        org["colleague"].email: ("REQ-PARTICIPANT", "ACCEPTED"),
        org["expert"].email: ("OPT-PARTICIPANT", "NEEDS-ACTION"),
    }
    assert str(event["ORGANIZER"]) == f"mailto:{org['organiser'].email}"


def test_the_uid_stays_and_the_sequence_rises_with_every_change(client, org):
    monday = next_monday()
    user = org["organiser"].user
    meeting = services.schedule_meeting(user, draft(at(monday, 10), recurrence=weekly(0, count=3)))

    def uid_and_sequence():
        event = parse(ics_of(client, org["organiser"], meeting)).walk("VEVENT")[0]
        return str(event["UID"]), int(event["SEQUENCE"])

    uid, first = uid_and_sequence()
    services.update_meeting(user, meeting.pk, draft(at(monday, 11), title="เลื่อนเวลา", recurrence=weekly(0, count=3)))
    assert uid_and_sequence() == (uid, first + 1)
    meeting = Meeting.objects.get(pk=meeting.pk)
    slot = selectors.occurrences_of(meeting, at(monday, 0), at(monday, 0) + dt.timedelta(days=30))[1]
    services.cancel_occurrence(user, meeting.pk, slot.key)
    assert uid_and_sequence() == (uid, first + 2)
    services.cancel_meeting(user, meeting.pk)
    assert uid_and_sequence() == (uid, first + 3)
    event = parse(ics_of(client, org["organiser"], meeting)).walk("VEVENT")[0]
    assert event["STATUS"] == "CANCELLED"


def test_a_series_abroad_keeps_its_zone_in_the_file(client, org):
    london = zoneinfo.ZoneInfo("Europe/London")
    today = dt.date.today()
    year = today.year + 1 if today.month >= 3 else today.year
    first = max(dt.date(year, 3, d) for d in range(25, 32) if dt.date(year, 3, d).weekday() == 6) - dt.timedelta(days=6)
    meeting = services.schedule_meeting(
        org["organiser"].user, draft(at(first, 10, tz=london), timezone="Europe/London", recurrence=weekly(0, count=3))
    )
    calendar = parse(ics_of(client, org["organiser"], meeting))
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    window = (at(first, 0), at(first, 0) + dt.timedelta(days=30))
    assert expanded(calendar, *window) == shown(selectors.occurrences_of(meeting, *window))
    assert [start.hour for start, _end, _s in expanded(calendar, *window)] == [10, 9, 9]  # UTC: the clocks went forward


def test_the_private_feed_holds_every_meeting_and_renewing_it_stops_the_old_link(client, org):
    monday = next_monday()
    user = org["organiser"].user
    services.schedule_meeting(
        user, draft(at(monday, 9), recurrence=weekly(0, 3, count=4), people={org["colleague"].pk: True})
    )
    gone = services.schedule_meeting(user, draft(at(monday, 14), title="ยกเลิกแล้ว", people={org["colleague"].pk: True}))
    services.cancel_meeting(user, gone.pk)
    services.schedule_meeting(user, draft(at(monday, 16), title="ไม่เกี่ยว"))  # not the colleague's

    client.force_login(org["colleague"].user)
    assert "webcal://" not in client.get("/meetings/").content.decode()
    client.post("/meetings/feed/renew/")
    secret = CalendarFeed.objects.get(person=org["colleague"]).secret
    assert f"webcal://testserver/meetings/feed/{secret}.ics" in client.get("/meetings/").content.decode()
    client.logout()
    body = client.get(f"/meetings/feed/{secret}.ics")
    assert body.status_code == 200
    calendar = parse(body.content)
    window = (at(monday, 0), at(monday, 0) + dt.timedelta(days=40))
    assert expanded(calendar, *window) == shown(selectors.occurrences_for(org["colleague"], *window))
    assert "ไม่เกี่ยว" not in body.content.decode()
    assert {str(e["SUMMARY"]): str(e.get("STATUS", "")) for e in calendar.walk("VEVENT")}["ยกเลิกแล้ว"] == "CANCELLED"

    client.force_login(org["colleague"].user)
    client.post("/meetings/feed/renew/")
    client.logout()
    assert client.get(f"/meetings/feed/{secret}.ics").status_code == 404
    assert client.get("/meetings/feed/guess.ics").status_code == 404


def test_only_people_of_the_meeting_get_its_file(client, org):
    meeting = services.schedule_meeting(
        org["organiser"].user, draft(at(next_monday(), 10), people={org["expert"].pk: True})
    )
    client.force_login(org["outsider"].user)
    assert client.get(f"/meetings/{meeting.pk}/calendar.ics").status_code == 404
    token = issue_token(org["expert"].user, "test")
    response = client.get(f"/api/v1/meetings/{meeting.pk}/ics", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200 and parse(response.content).walk("VEVENT")[0]["SUMMARY"] == meeting.title
    token = issue_token(org["other_expert"].user, "test")
    assert client.get(f"/api/v1/meetings/{meeting.pk}/ics", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 404
