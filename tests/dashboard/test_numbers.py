"""The dashboard's numbers against a hand-built week: messages, cases, meetings, counted by hand."""

import datetime as dt

import pytest

from chat.models import Message, Room
from dashboard import rollups
from dashboard.access import scope_for
from dashboard.selectors import numbers_for
from licensing.models import Case
from meetings import services as meetings
from meetings.models import Attendance, Attendee
from meetings.recurrence import Recurrence
from meetings.services import Draft
from tests.dashboard.conftest import at, next_monday

pytestmark = pytest.mark.django_db


def message(room, author, when, seq=[0]):  # noqa: B006 (a counter shared by the calls)
    seq[0] += 1
    sent = Message.objects.create(room=room, seq=seq[0], author=author.user if author else None, body="ลับ")
    Message.objects.filter(pk=sent.pk).update(created_at=when)


def case(number, team, opened, **fields):
    made = Case.objects.create(
        number=number, license_type="teacher", request_type="new", status_changed_at=opened, team=team, **fields
    )
    Case.objects.filter(pk=made.pk).update(opened_at=opened)
    return made


@pytest.fixture
def week(org):
    """Wednesday 15:00 of a week two weeks ahead is "now"; the 7-day window runs from Thursday before."""
    monday = next_monday(2)
    now = at(monday + dt.timedelta(days=2), 15)
    s1, s2, s3 = org["s1"], org["s2"], org["s3"]
    room = Room.objects.create(kind="channel", name="ห้องทีม")
    message(room, s1, at(monday, 9, 5))
    message(room, s1, at(monday, 9, 50))
    message(room, s1, at(monday, 10, 1))
    message(room, s1, at(monday - dt.timedelta(days=10), 10))  # before the window
    message(room, s2, at(monday - dt.timedelta(days=1), 20))
    for minute in range(5):
        message(room, s3, at(monday, 11, minute))  # team B
    message(room, None, at(monday, 12))  # a system note is nobody's activity

    team_a = org["team_a"]
    case(
        "C1",
        team_a,
        now - dt.timedelta(hours=10),
        status="under_review",
        assignee=s1.user,
        first_response_due=now - dt.timedelta(hours=6),
        first_response_at=now - dt.timedelta(hours=8),
    )
    case(
        "C2", team_a, now - dt.timedelta(hours=30), status="submitted", first_response_due=now - dt.timedelta(hours=26)
    )
    opened = now - dt.timedelta(days=5)
    case(
        "C3",
        team_a,
        opened,
        status="approved",
        assignee=s2.user,
        first_response_due=opened + dt.timedelta(hours=4),
        first_response_at=opened + dt.timedelta(hours=6),
        decided_at=opened + dt.timedelta(hours=96),
    )
    case("C4", org["team_b"], opened, status="submitted", assignee=s3.user)

    manager = org["manager_a"].user
    weekly = meetings.schedule_meeting(
        manager,
        Draft(
            title="ประชุมทีม",
            start=at(monday, 10),
            end=at(monday, 11),
            recurrence=Recurrence(frequency="weekly", weekdays=[0, 2], count=4),
            people={s1.pk: True, s2.pk: True},
        ),
    )
    committee = meetings.schedule_meeting(
        manager,
        Draft(
            title="คณะอนุกรรมการ",
            start=at(monday + dt.timedelta(days=1), 13),
            end=at(monday + dt.timedelta(days=1), 14),
            quorum=2,
            people={s1.pk: True, s2.pk: True, s3.pk: True},
        ),
    )
    Attendee.objects.filter(meeting=weekly, person=s1).update(response="accepted")
    for meeting, start in ((weekly, at(monday, 10)), (committee, at(monday + dt.timedelta(days=1), 13))):
        Attendance.objects.create(
            meeting=meeting,
            person=s1,
            original_start=start,
            first_joined_at=start,
            in_call=False,
            ends_at=start + dt.timedelta(hours=1),
        )
    rollups.fold_messages(now=now)
    rollups.refresh_meetings(now=now)
    return now


def test_the_numbers_of_a_hand_built_week(org, week):
    numbers = numbers_for(scope_for(org["manager_a"].user), 7, now=week)
    people = {row.person.first_name_th: row for row in numbers.people}
    assert set(people) == {"วิชัย", "ประภา", "สมชาย", "สมศรี"}  # team A: its manager, the director, two staff
    s1, s2 = people["สมชาย"], people["สมศรี"]
    assert (s1.messages, s1.active_hours) == (3, 2)  # hours 9 and 10; the one ten days ago is outside
    assert (s2.messages, s2.active_hours) == (1, 1)
    assert numbers.series["messages"][-3] == 3 and sum(numbers.series["messages"]) == 4

    cases = numbers.cases
    assert cases.open_by_status["submitted"] == 1 and cases.open_by_status["under_review"] == 1
    assert (cases.waiting_first_response, cases.unassigned, cases.overdue) == (1, 1, 1)
    assert (cases.answered, cases.answered_late) == (2, 1)
    assert cases.first_response.median == dt.timedelta(hours=2)
    assert cases.first_response.p90 == dt.timedelta(hours=6)
    assert cases.decision.median == cases.decision.p90 == dt.timedelta(hours=96)
    assert (s1.cases_open, s1.cases_decided, s2.cases_open, s2.cases_decided) == (1, 0, 0, 1)

    # This week: the weekly meeting on Monday and Wednesday, the committee on Tuesday.
    assert (s1.meetings_this_week, s1.meeting_hours_this_week) == (3, 3.0)
    assert s1.invitations == 2 and s1.answered == 1 and s1.answer_rate == 0.5
    assert (s1.invited_held, s1.attended) == (3, 2)
    assert (s2.invited_held, s2.attended) == (3, 0)
    assert numbers.attendance_rate == pytest.approx(2 / 6)
    assert [(c.title, c.present, c.needed) for c in numbers.committees_without_quorum] == [("คณะอนุกรรมการ", 1, 2)]
    assert numbers.status_counts["offline"] == 4


def test_team_b_numbers_hold_nothing_of_team_a(org, week):
    numbers = numbers_for(scope_for(org["manager_b"].user), 7, now=week)
    assert {row.person.first_name_th for row in numbers.people} == {"มานพ", "สุดา"}
    assert numbers.total("messages") == 5
    assert numbers.cases.open_by_status["submitted"] == 1 and numbers.cases.answered == 0
    assert numbers.committees_without_quorum == []  # organised by team A's manager
