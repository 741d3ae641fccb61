"""Scheduling meetings on django-scheduler: one-off and recurring meetings, single occurrences moved
or cancelled, whole series changed or cancelled, who sees what, and bad input refused whole."""

import datetime as dt
import zoneinfo

import pytest
from schedule.models import Event, Occurrence, Rule

from chat.models import Room
from directory.models import Person
from hub.errors import Forbidden, Invalid, NotFound, TooLarge
from meetings import selectors, services
from meetings.models import Attendee, Meeting
from meetings.recurrence import Recurrence
from tests.factories import make_team
from tests.meetings.conftest import BANGKOK, at, draft, next_monday, weekly

pytestmark = pytest.mark.django_db


def window(day: dt.date, days: int = 120) -> tuple[dt.datetime, dt.datetime]:
    return at(day, 0), at(day + dt.timedelta(days=days), 0)


def starts(slots) -> list[dt.datetime]:
    return [slot.start.astimezone(BANGKOK).replace(tzinfo=None) for slot in slots]


def local(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour))


def test_a_one_off_meeting_appears_once_for_its_attendees_and_organiser(org):
    monday = next_monday()
    meeting = services.schedule_meeting(
        org["organiser"].user, draft(at(monday, 10), people={org["colleague"].pk: True, org["expert"].pk: False})
    )
    for person in (org["organiser"], org["colleague"], org["expert"]):
        assert starts(selectors.occurrences_for(person, *window(monday))) == [local(monday, 10)]
    assert selectors.occurrences_for(org["outsider"], *window(monday)) == []
    answers = {a.person_id: a.required for a in meeting.attendees.all()}
    assert answers == {org["colleague"].pk: True, org["expert"].pk: False}


def test_weekly_on_chosen_weekdays_for_a_count_of_meetings(org):
    monday = next_monday()
    services.schedule_meeting(
        org["organiser"].user,
        draft(at(monday, 10), recurrence=weekly(0, 2, count=5), people={org["colleague"].pk: True}),
    )
    wed = monday + dt.timedelta(days=2)
    week = dt.timedelta(days=7)
    assert starts(selectors.occurrences_for(org["colleague"], *window(monday))) == [
        local(monday, 10),
        local(wed, 10),
        local(monday + week, 10),
        local(wed + week, 10),
        local(monday + 2 * week, 10),
    ]


def test_daily_until_a_date_and_monthly_for_a_count(org):
    monday = next_monday()
    services.schedule_meeting(
        org["organiser"].user,
        draft(at(monday, 9), recurrence=Recurrence(frequency="daily", until=monday + dt.timedelta(days=3))),
    )
    services.schedule_meeting(
        org["organiser"].user, draft(at(monday, 14), recurrence=Recurrence(frequency="monthly", count=3))
    )
    slots = selectors.occurrences_for(org["organiser"], *window(monday))
    daily = [s for s in starts(slots) if s.hour == 9]
    monthly = [s for s in starts(slots) if s.hour == 14]
    assert daily == [local(monday + dt.timedelta(days=n), 9) for n in range(4)]
    assert [(s.day, s.hour) for s in monthly] == [(monday.day, 14)] * 3
    assert len({s.month for s in monthly}) == 3


def test_occurrences_keep_their_local_time_across_a_change_of_offset(org):
    """A weekly 10:00 in London stays at 10:00 London time when the clocks go forward (DESIGN.md §8)."""
    london = zoneinfo.ZoneInfo("Europe/London")
    today = dt.date.today()
    year = today.year + 1 if today.month >= 3 else today.year
    last_sunday = max(dt.date(year, 3, d) for d in range(25, 32) if dt.date(year, 3, d).weekday() == 6)
    first = last_sunday - dt.timedelta(days=13)  # a Monday two weeks before the change
    services.schedule_meeting(
        org["organiser"].user,
        draft(at(first, 10, tz=london), timezone="Europe/London", recurrence=weekly(0, count=4)),
    )
    slots = selectors.occurrences_for(org["organiser"], at(first, 0), at(first + dt.timedelta(days=40), 0))
    assert [slot.start.astimezone(london).hour for slot in slots] == [10, 10, 10, 10]
    assert [slot.start.astimezone(dt.UTC).hour for slot in slots] == [10, 10, 9, 9]


def test_a_fixed_offset_zone_is_refused(org):
    with pytest.raises(Invalid) as refused:
        services.schedule_meeting(org["organiser"].user, draft(at(next_monday(), 10), timezone="UTC+07:00"))
    assert refused.value.fields == {"timezone": "UTC+07:00"}


def test_moving_one_occurrence_moves_only_it_and_shows_it_once(org):
    monday = next_monday()
    meeting = services.schedule_meeting(
        org["organiser"].user, draft(at(monday, 10), recurrence=weekly(0, count=3), people={org["colleague"].pk: True})
    )
    second = selectors.occurrences_of(meeting, *window(monday))[1]
    friday = monday + dt.timedelta(days=11)
    services.move_occurrence(org["organiser"].user, meeting.pk, second.key, at(friday, 15), at(friday, 16))
    slots = selectors.occurrences_for(org["colleague"], *window(monday))
    assert starts(slots) == [local(monday, 10), local(friday, 15), local(monday + dt.timedelta(days=14), 10)]
    assert [slot.moved for slot in slots] == [False, True, False]
    # Only the week of the move: the moved occurrence is not lost, its original slot is empty.
    assert starts(selectors.occurrences_for(org["colleague"], at(friday, 0), at(friday, 23))) == [local(friday, 15)]
    assert selectors.occurrences_for(org["colleague"], at(second.start.date(), 0), at(second.start.date(), 23)) == []
    assert Occurrence.objects.filter(event=meeting.event).count() == 1


def test_cancelling_one_occurrence_leaves_the_rest(org):
    monday = next_monday()
    meeting = services.schedule_meeting(org["organiser"].user, draft(at(monday, 10), recurrence=weekly(0, count=3)))
    second = selectors.occurrences_of(meeting, *window(monday))[1]
    services.cancel_occurrence(org["organiser"].user, meeting.pk, second.key)
    slots = selectors.occurrences_for(org["organiser"], *window(monday))
    assert [slot.cancelled for slot in slots] == [False, True, False]
    assert len(selectors.occurrences_for(org["organiser"], *window(monday), include_cancelled=False)) == 2


def test_an_occurrence_key_the_rule_never_gives_is_not_found(org):
    monday = next_monday()
    meeting = services.schedule_meeting(org["organiser"].user, draft(at(monday, 10), recurrence=weekly(0, count=3)))
    for key in ("20200101T030000Z", "nonsense", selectors.key_of(at(monday, 11))):
        with pytest.raises(NotFound):
            services.cancel_occurrence(org["organiser"].user, meeting.pk, key)


def test_changing_the_series_keeps_exceptions_still_on_the_rule_and_asks_again(org):
    monday = next_monday()
    user = org["organiser"].user
    meeting = services.schedule_meeting(
        user, draft(at(monday, 10), recurrence=weekly(0, count=4), people={org["colleague"].pk: True})
    )
    slots = selectors.occurrences_of(meeting, *window(monday))
    services.cancel_occurrence(user, meeting.pk, slots[1].key)
    services.respond(org["colleague"].user, meeting.pk, "accepted")

    # A new title only: the answer stands, the cancelled week stays cancelled.
    services.update_meeting(
        user,
        meeting.pk,
        draft(at(monday, 10), title="ประชุมใหม่", recurrence=weekly(0, count=4), people={org["colleague"].pk: True}),
    )
    assert Attendee.objects.get(person=org["colleague"]).response == "accepted"
    assert [s.cancelled for s in selectors.occurrences_of(Meeting.objects.get(), *window(monday))] == [
        False,
        True,
        False,
        False,
    ]

    # Ninety minutes instead of sixty: still the same weeks, so the cancellation stays; the answer resets.
    services.update_meeting(
        user,
        meeting.pk,
        draft(at(monday, 10), 90, recurrence=weekly(0, count=4), people={org["colleague"].pk: True}),
    )
    meeting = Meeting.objects.get()
    slots = selectors.occurrences_of(meeting, *window(monday))
    assert [s.cancelled for s in slots] == [False, True, False, False]
    assert {s.end - s.start for s in slots} == {dt.timedelta(minutes=90)}
    assert Attendee.objects.get(person=org["colleague"]).response == "pending"
    assert meeting.sequence == 3  # the cancellation and two changes

    # Tuesdays instead: the old exception is gone with the Mondays.
    services.update_meeting(
        user, meeting.pk, draft(at(monday + dt.timedelta(days=1), 10), recurrence=weekly(1, count=4))
    )
    assert [s.cancelled for s in selectors.occurrences_of(Meeting.objects.get(), *window(monday))] == [False] * 4
    assert not Occurrence.objects.exists()
    assert Attendee.objects.count() == 0


def test_cancelling_the_series_keeps_the_meeting_and_its_chat_room(org):
    monday = next_monday()
    meeting = services.schedule_meeting(org["organiser"].user, draft(at(monday, 10), recurrence=weekly(0, count=3)))
    services.cancel_meeting(org["organiser"].user, meeting.pk)
    slots = selectors.occurrences_for(org["organiser"], *window(monday))
    assert [slot.cancelled for slot in slots] == [True, True, True]
    assert Room.objects.filter(pk=meeting.chat_room_id).exists()
    with pytest.raises(Invalid):
        services.update_meeting(org["organiser"].user, meeting.pk, draft(at(monday, 11)))


def test_each_meeting_gets_a_chat_room_of_its_attendees(org):
    meeting = services.schedule_meeting(
        org["organiser"].user, draft(at(next_monday(), 10), people={org["colleague"].pk: True, org["expert"].pk: True})
    )
    room = meeting.chat_room
    assert room.kind == "meeting" and room.name == meeting.title
    assert set(room.members.values_list("pk", flat=True)) == {
        org["organiser"].user_id,
        org["colleague"].user_id,
        org["expert"].user_id,
    }
    services.update_meeting(
        org["organiser"].user, meeting.pk, draft(at(next_monday(), 10), people={org["colleague"].pk: True})
    )
    assert set(room.members.values_list("pk", flat=True)) == {org["organiser"].user_id, org["colleague"].user_id}


def test_a_whole_team_is_invited_as_its_members_and_a_named_person_keeps_their_own_terms(org):
    meeting = services.schedule_meeting(
        org["organiser"].user,
        draft(at(next_monday(), 10), teams={org["team"].pk: False}, people={org["colleague"].pk: True}),
    )
    invited = {a.person_id: (a.required, a.via_team_id) for a in meeting.attendees.all()}
    assert invited == {
        org["organiser"].pk: (False, org["team"].pk),
        org["teammate"].pk: (False, org["team"].pk),
        org["colleague"].pk: (True, None),
    }


def test_only_the_organiser_and_chair_change_a_meeting_and_only_invitees_see_it(org):
    meeting = services.schedule_meeting(
        org["organiser"].user,
        draft(
            at(next_monday(), 10),
            chair_id=org["teammate"].pk,
            people={org["colleague"].pk: True, org["expert"].pk: True},
        ),
    )
    invitees = {org["colleague"].pk: True, org["expert"].pk: True}
    services.update_meeting(
        org["teammate"].user, meeting.pk, draft(at(next_monday(), 11), chair_id=org["teammate"].pk, people=invitees)
    )
    with pytest.raises(Forbidden):
        services.cancel_meeting(org["colleague"].user, meeting.pk)
    for person in (org["outsider"], org["other_expert"]):
        with pytest.raises(NotFound):
            selectors.meeting_for(person.user, meeting.pk)
        with pytest.raises(NotFound):
            services.cancel_meeting(person.user, meeting.pk)
    assert selectors.meeting_for(org["teammate"].user, meeting.pk) == meeting


def test_experts_cannot_schedule_meetings(org):
    with pytest.raises(Forbidden):
        services.schedule_meeting(org["expert"].user, draft(at(next_monday(), 10)))


def nothing_saved() -> bool:
    return not (
        Meeting.objects.exists()
        or Event.objects.exists()
        or Rule.objects.exists()
        or Attendee.objects.exists()
        or Room.objects.filter(kind="meeting").exists()
    )


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda monday: draft(at(monday, 10), -30), "end"),
        (lambda monday: draft(at(monday - dt.timedelta(days=30), 10)), "start"),
        (lambda monday: draft(at(monday, 10), recurrence=weekly(0)), "until"),
        (lambda monday: draft(at(monday, 10), recurrence=Recurrence(frequency="daily", count=501)), "count"),
        (lambda monday: draft(at(monday, 10), recurrence=Recurrence(frequency="yearly", count=3)), "frequency"),
        (lambda monday: draft(at(monday, 10), recurrence=weekly(count=3)), "weekdays"),
        (lambda monday: draft(at(monday, 10), recurrence=weekly(0, until=monday - dt.timedelta(days=1))), "until"),
        (lambda monday: draft(at(monday, 10), title="  "), "title"),
        (lambda monday: draft(at(monday, 10), people={999_999: True}), "people"),
        (lambda monday: draft(at(monday, 10), quorum=3), "quorum"),
    ],
)
def test_bad_input_is_refused_with_a_reason_and_nothing_saved(org, make, field):
    with pytest.raises(Invalid) as refused:
        services.schedule_meeting(org["organiser"].user, make(next_monday()))
    assert field in refused.value.fields
    assert nothing_saved()


def test_more_than_max_attendees_is_refused_whole_and_the_maximum_is_accepted(org):
    crowd = make_team("crowd")
    Person.objects.bulk_create(
        Person(first_name_th="คน", last_name_th=str(n), email=f"p{n}@ksp.test", team=crowd)
        for n in range(services.MAX_ATTENDEES)
    )
    with pytest.raises(TooLarge) as refused:
        services.schedule_meeting(
            org["organiser"].user,
            draft(at(next_monday(), 10), teams={crowd.pk: True}, people={org["colleague"].pk: True}),
        )
    assert "500" in str(refused.value.message)
    assert nothing_saved()
    meeting = services.schedule_meeting(org["organiser"].user, draft(at(next_monday(), 10), teams={crowd.pk: True}))
    assert meeting.attendees.count() == services.MAX_ATTENDEES


def test_a_room_is_never_double_booked_across_occurrences(org):
    monday = next_monday()
    user, room = org["organiser"].user, org["room"]
    series = services.schedule_meeting(user, draft(at(monday, 10), room_id=room.pk, recurrence=weekly(0, 2, count=6)))
    third_week_wednesday = monday + dt.timedelta(days=16)
    with pytest.raises(Invalid) as refused:
        services.schedule_meeting(user, draft(at(third_week_wednesday, 10, 30), title="ชนกัน", room_id=room.pk))
    assert refused.value.fields == {"room": "booked"}
    assert "ห้องประชุม 1" in str(refused.value.message) or "Meeting room 1" in str(refused.value.message)
    assert series.title not in str(refused.value.message)  # the booker may not be invited to it
    assert Meeting.objects.count() == 1 and Event.objects.count() == 1

    # Right after it, or in the same slot once that occurrence is cancelled, is fine.
    services.schedule_meeting(user, draft(at(third_week_wednesday, 11), title="ต่อกัน", room_id=room.pk))
    occurrence = next(
        s for s in selectors.occurrences_of(series, *window(monday)) if s.start.date() == third_week_wednesday
    )
    services.cancel_occurrence(user, series.pk, occurrence.key)
    services.schedule_meeting(user, draft(at(third_week_wednesday, 10, 30), 30, title="แทนที่", room_id=room.pk))

    # Moving another occurrence onto a booked slot is refused and leaves it where it was.
    first = selectors.occurrences_of(series, *window(monday))[0]
    with pytest.raises(Invalid):
        services.move_occurrence(user, series.pk, first.key, at(third_week_wednesday, 11), at(third_week_wednesday, 12))
    assert not Occurrence.objects.filter(event=series.event, original_start=first.original_start).exists()


def test_a_refusal_reads_in_thai_by_default_and_in_english_when_asked(org):
    from django.utils import translation

    bad = draft(at(next_monday(), 10), -30)
    with pytest.raises(Invalid) as refused:
        services.schedule_meeting(org["organiser"].user, bad)
    assert str(refused.value.message) == "เวลาสิ้นสุดต้องอยู่หลังเวลาเริ่มประชุม"
    with translation.override("en"), pytest.raises(Invalid) as refused:
        services.schedule_meeting(org["organiser"].user, bad)
    assert str(refused.value.message) == "The meeting must end after it starts."


def test_a_series_starts_at_its_first_occurrence_whatever_day_was_entered(org):
    monday = next_monday()
    meeting = services.schedule_meeting(
        org["organiser"].user, draft(at(monday + dt.timedelta(days=1), 9), recurrence=weekly(0, 3, count=3))
    )
    thursday = monday + dt.timedelta(days=3)
    assert meeting.event.start == at(thursday, 9)
    assert starts(selectors.occurrences_of(meeting, *window(monday))) == [
        local(thursday, 9),
        local(monday + dt.timedelta(days=7), 9),
        local(thursday + dt.timedelta(days=7), 9),
    ]
