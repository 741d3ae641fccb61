"""Invitations answered (accept, tentative, decline, with a note), quorum by the answers, busy and
free times of attendees, and "find a time" within working hours."""

import datetime as dt

import pytest

from directory.models import Person
from hub.errors import Forbidden, Invalid, NotFound, TooLarge
from meetings import availability, selectors, services
from meetings.models import Attendee, Meeting
from tests.meetings.conftest import at, draft, next_monday, weekly

pytestmark = pytest.mark.django_db


def test_an_invitee_answers_with_a_note_and_the_organiser_sees_who_answered(org):
    meeting = services.schedule_meeting(
        org["organiser"].user, draft(at(next_monday(), 10), people={org["colleague"].pk: True, org["expert"].pk: True})
    )
    services.respond(org["colleague"].user, meeting.pk, "accepted", "  จะนำเอกสารมาด้วย ")
    services.respond(org["expert"].user, meeting.pk, "tentative")
    services.respond(org["expert"].user, meeting.pk, "declined", "ติดสอนที่มหาวิทยาลัย")
    attendees = selectors.attendees_of(selectors.meeting_for(org["organiser"].user, meeting.pk))
    answers = {a.person_id: (a.response, a.note) for a in attendees}
    assert answers == {
        org["colleague"].pk: ("accepted", "จะนำเอกสารมาด้วย"),
        org["expert"].pk: ("declined", "ติดสอนที่มหาวิทยาลัย"),
    }
    assert selectors.answers_of(attendees) == {"pending": 0, "accepted": 1, "tentative": 0, "declined": 1}


def test_answers_that_are_refused(org):
    meeting = services.schedule_meeting(
        org["organiser"].user, draft(at(next_monday(), 10), people={org["colleague"].pk: True})
    )
    with pytest.raises(Invalid):
        services.respond(org["colleague"].user, meeting.pk, "maybe")
    with pytest.raises(TooLarge):
        services.respond(org["colleague"].user, meeting.pk, "accepted", "ก" * 501)
    with pytest.raises(NotFound):
        services.respond(org["outsider"].user, meeting.pk, "accepted")
    with pytest.raises(Forbidden):  # the organiser sees the meeting but was not invited to it
        services.respond(org["organiser"].user, meeting.pk, "accepted")
    services.cancel_meeting(org["organiser"].user, meeting.pk)
    with pytest.raises(Invalid):
        services.respond(org["colleague"].user, meeting.pk, "accepted")
    assert Attendee.objects.get().response == "pending"


def test_quorum_of_experts_is_met_only_by_acceptances(org):
    third = Person.objects.create(first_name_th="อรุณ", last_name_th="ทดสอบ", email="third@ksp.test", kind="expert")
    experts = [org["expert"], org["other_expert"], third]
    meeting = services.schedule_meeting(
        org["organiser"].user,
        draft(
            at(next_monday(), 10),
            quorum=2,
            quorum_of=Meeting.QuorumOf.EXPERTS,
            people={org["colleague"].pk: True, **{e.pk: True for e in experts}},
        ),
    )

    def quorum():
        return selectors.quorum_of(meeting, selectors.attendees_of(meeting))

    services.respond(org["colleague"].user, meeting.pk, "accepted")  # staff do not count for this quorum
    services.respond(org["expert"].user, meeting.pk, "accepted")
    services.respond(org["other_expert"].user, meeting.pk, "tentative")
    assert (quorum().counted, quorum().needed, quorum().met) == (1, 2, False)
    services.respond(org["other_expert"].user, meeting.pk, "accepted")
    assert (quorum().counted, quorum().met) == (2, True)


def test_other_meetings_and_out_of_office_days_are_busy_but_declined_and_cancelled_ones_are_not(org):
    monday = next_monday()
    user, colleague = org["organiser"].user, org["colleague"]
    series = services.schedule_meeting(
        user, draft(at(monday, 9), recurrence=weekly(0, 1, count=2), people={colleague.pk: True})
    )
    declined = services.schedule_meeting(user, draft(at(monday, 13), people={colleague.pk: True}))
    services.respond(colleague.user, declined.pk, "declined")
    tuesday = next(
        s
        for s in selectors.occurrences_of(series, at(monday, 0), at(monday, 23) + dt.timedelta(days=1))
        if s.start.day != monday.day
    )
    services.cancel_occurrence(user, series.pk, tuesday.key)
    Person.objects.filter(pk=colleague.pk).update(
        out_of_office_from=monday + dt.timedelta(days=3), out_of_office_until=monday + dt.timedelta(days=3)
    )
    busy = availability.busy_for(user, [colleague.pk], at(monday, 0), at(monday, 0) + dt.timedelta(days=7))
    assert [(b.start, b.end, b.reason) for b in busy[Person.objects.get(pk=colleague.pk)]] == [
        (at(monday, 9), at(monday, 10), "meeting"),
        (at(monday + dt.timedelta(days=3), 0), at(monday + dt.timedelta(days=4), 0), "out_of_office"),
    ]


def test_find_a_time_offers_the_next_free_slots_for_everyone_within_working_hours(org):
    monday = next_monday()
    a, b = org["colleague"], org["teammate"]
    services.schedule_meeting(org["organiser"].user, draft(at(monday, 9), people={a.pk: True}))
    Person.objects.filter(pk=b.pk).update(
        out_of_office_from=monday + dt.timedelta(days=1),
        out_of_office_until=monday + dt.timedelta(days=1),
        work_pattern={"mon": "office", "tue": "home", "wed": "off", "thu": "office", "fri": "home"},
    )
    found = availability.find_times(
        org["organiser"].user, [a.pk, b.pk], dt.timedelta(hours=1), after=at(monday, 0), count=8
    )
    thursday = monday + dt.timedelta(days=3)
    assert found == [(at(monday, h), at(monday, h + 1)) for h in range(10, 16)] + [
        (at(thursday, 8, 30), at(thursday, 9, 30)),
        (at(thursday, 9, 30), at(thursday, 10, 30)),
    ]


def test_find_a_time_never_offers_a_weekend_or_a_time_already_past(org):
    found = availability.find_times(org["organiser"].user, [org["colleague"].pk], dt.timedelta(minutes=30), count=20)
    assert len(found) == 20
    assert all(
        start.weekday() < 5 and start >= at(start.date(), 8, 30) and end <= at(start.date(), 16, 30)
        for start, end in found
    )
    assert found[0][0] >= at(dt.date.today(), 0) and found == sorted(found)


def test_an_expert_cannot_probe_the_calendars_of_people_they_cannot_see(org):
    with pytest.raises(Invalid):
        availability.find_times(org["expert"].user, [org["outsider"].pk], dt.timedelta(hours=1))
    with pytest.raises(Invalid):
        availability.busy_for(org["expert"].user, [org["outsider"].pk], at(next_monday(), 0), at(next_monday(), 23))
