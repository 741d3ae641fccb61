"""Attendance per occurrence from the meeting page's call events: who joined, who is in the call now,
and the quorum by attendance; only invitees, only while the call is open."""

import datetime as dt

import pytest

from hub.errors import Invalid, NotFound
from meetings import attendance, services
from meetings.models import Attendance, Meeting
from tests.meetings.conftest import at, draft, next_monday, weekly

pytestmark = pytest.mark.django_db


@pytest.fixture
def committee(org):
    return services.schedule_meeting(
        org["organiser"].user,
        draft(
            at(next_monday(), 10),
            recurrence=weekly(0, count=2),
            quorum=2,
            quorum_of=Meeting.QuorumOf.EXPERTS,
            people={org["colleague"].pk: True, org["expert"].pk: True, org["other_expert"].pk: True},
        ),
    )


def test_joining_and_leaving_are_recorded_per_occurrence(org, committee):
    start = at(next_monday(), 10)
    attendance.record(org["expert"].user, committee.pk, "joined", now=start - dt.timedelta(minutes=5))
    attendance.record(org["colleague"].user, committee.pk, "joined", now=start)
    attendance.record(org["expert"].user, committee.pk, "left", now=start + dt.timedelta(minutes=30))
    attendance.record(org["expert"].user, committee.pk, "joined", now=start + dt.timedelta(minutes=35))
    present = attendance.of_occurrence(committee, start)
    assert {pid: a.in_call for pid, a in present.items()} == {org["expert"].pk: True, org["colleague"].pk: True}
    assert present[org["expert"].pk].first_joined_at == start - dt.timedelta(minutes=5)
    assert present[org["expert"].pk].last_left_at == start + dt.timedelta(minutes=30)
    # The next week's occurrence starts with nobody.
    attendance.record(org["colleague"].user, committee.pk, "joined", now=start + dt.timedelta(days=7))
    assert set(attendance.of_occurrence(committee, start + dt.timedelta(days=7))) == {org["colleague"].pk}


def test_quorum_by_attendance_counts_who_joined(org, committee):
    start = at(next_monday(), 10)
    attendance.record(org["expert"].user, committee.pk, "joined", now=start)
    attendance.record(org["colleague"].user, committee.pk, "joined", now=start)
    attendees = list(committee.attendees.select_related("person"))

    def quorum():
        return attendance.quorum_by_attendance(committee, attendees, attendance.of_occurrence(committee, start))

    assert (quorum().counted, quorum().met) == (1, False)  # staff do not count for a quorum of experts
    attendance.record(org["other_expert"].user, committee.pk, "joined", now=start + dt.timedelta(minutes=1))
    assert (quorum().counted, quorum().met) == (2, True)


def test_attendance_only_from_invitees_while_the_call_is_open(org, committee):
    start = at(next_monday(), 10)
    with pytest.raises(Invalid):
        attendance.record(org["expert"].user, committee.pk, "joined", now=start - dt.timedelta(minutes=16))
    with pytest.raises(Invalid):
        attendance.record(org["expert"].user, committee.pk, "joined", now=start + dt.timedelta(hours=1))
    with pytest.raises(Invalid):
        attendance.record(org["expert"].user, committee.pk, "waved", now=start)
    with pytest.raises(NotFound):
        attendance.record(org["outsider"].user, committee.pk, "joined", now=start)
    assert not Attendance.objects.exists()


def test_the_page_records_events_and_shows_who_joined(client, org):
    now = dt.datetime.now().astimezone()
    meeting = services.schedule_meeting(
        org["organiser"].user,
        services.Draft(
            title="ประชุมด่วน",
            start=now + dt.timedelta(minutes=5),
            end=now + dt.timedelta(minutes=35),
            quorum=1,
            people={org["colleague"].pk: True, org["teammate"].pk: True},
        ),
    )
    client.force_login(org["colleague"].user)
    assert client.post(f"/meetings/{meeting.pk}/attendance/", {"event": "joined"}).status_code == 204
    assert client.post(f"/meetings/{meeting.pk}/attendance/", {"event": "nope"}).status_code == 400
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "อยู่ในห้องประชุม" in html and "ครบองค์ประชุมตามผู้เข้าร่วมจริง" in html
    client.force_login(org["outsider"].user)
    assert client.post(f"/meetings/{meeting.pk}/attendance/", {"event": "joined"}).status_code == 404


def test_people_in_a_call_are_in_a_meeting_in_the_directory(org, committee, django_capture_on_commit_callbacks):
    from directory.selectors import presence_for

    start = at(next_monday(), 10)
    expert = org["expert"]
    assert presence_for([expert])[expert.pk] == "offline"
    with django_capture_on_commit_callbacks(execute=True):
        attendance.record(expert.user, committee.pk, "joined", now=start)
    assert presence_for([expert])[expert.pk] == "in_meeting"
    assert attendance.people_in_a_call([expert.pk], now=start + dt.timedelta(hours=1)) == set()  # it ended
    with django_capture_on_commit_callbacks(execute=True):
        attendance.record(expert.user, committee.pk, "left", now=start + dt.timedelta(minutes=20))
    assert presence_for([expert])[expert.pk] == "offline"
