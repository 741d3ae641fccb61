"""The meetings pages as people use them: my week and month, a meeting, scheduling and answering."""

import datetime as dt
import re

import pytest
from django.core.management import call_command

from directory.services import refresh_search_documents
from meetings import selectors, services
from meetings.models import Attendee, Meeting
from tests.meetings.conftest import BANGKOK, at, draft, next_monday, weekly

pytestmark = pytest.mark.django_db


def page(client, person, url, status=200):
    client.force_login(person.user)
    response = client.get(url)
    assert response.status_code == status
    return response.content.decode()


def test_the_rails_meetings_entry_leads_to_my_meetings(client, org):
    html = page(client, org["organiser"], "/")
    assert 'href="/meetings/"' in html and "/s/meetings/" not in html


def test_my_week_and_month_show_my_meetings_with_thai_dates(client, org):
    monday = next_monday()
    services.schedule_meeting(
        org["organiser"].user, draft(at(monday, 10), title="ประชุมวางแผน", people={org["colleague"].pk: True})
    )
    week = page(client, org["colleague"], f"/meetings/?date={monday.isoformat()}")
    assert "ประชุมวางแผน" in week and "10:00" in week
    assert f"วันจันทร์ที่ {monday.day}" in week and str(monday.year + 543) in week
    assert "ต้องตอบรับ" in week  # not answered yet

    month = page(client, org["colleague"], f"/meetings/?view=month&date={monday.isoformat()}")
    months = ["มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม"]
    months += ["กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"]
    assert f"{months[monday.month - 1]} {monday.year + 543}" in month and "ประชุมวางแผน" in month
    assert "ประชุมวางแผน" not in page(client, org["outsider"], f"/meetings/?date={monday.isoformat()}")


def test_a_meeting_page_is_for_invitees_only(client, org):
    meeting = services.schedule_meeting(
        org["organiser"].user,
        draft(at(next_monday(), 10), agenda="วาระที่ 1 รับรองรายงาน", people={org["expert"].pk: True}),
    )
    html = page(client, org["expert"], f"/meetings/{meeting.pk}/")
    assert "วาระที่ 1 รับรองรายงาน" in html and "คำตอบของคุณ" in html
    assert f"/meetings/{meeting.pk}/edit/" not in html
    for person in (org["outsider"], org["other_expert"]):
        page(client, person, f"/meetings/{meeting.pk}/", status=404)
    page(client, org["expert"], f"/meetings/{meeting.pk}/edit/", status=404)
    page(client, org["expert"], "/meetings/new/", status=404)


def test_an_invitee_answers_and_the_organiser_sees_it_on_the_meeting_page(client, org):
    meeting = services.schedule_meeting(
        org["organiser"].user, draft(at(next_monday(), 10), quorum=1, people={org["colleague"].pk: True})
    )
    client.force_login(org["colleague"].user)
    response = client.post(f"/meetings/{meeting.pk}/answer/", {"response": "accepted", "note": "ขอเข้าช้า 10 นาที"})
    assert response.status_code == 302
    html = page(client, org["organiser"], f"/meetings/{meeting.pk}/")
    assert "ขอเข้าช้า 10 นาที" in html and "ครบองค์ประชุม" in html
    assert Attendee.objects.get().response == "accepted"


def test_scheduling_through_the_form(client, org):
    monday = next_monday()
    client.force_login(org["organiser"].user)
    assert client.get("/meetings/new/").status_code == 200
    form = {
        "title": "ประชุมทีม",
        "agenda": "ติดตามงาน",
        "date": monday.isoformat(),
        "start_time": "10:00",
        "end_time": "11:00",
        "timezone": "Asia/Bangkok",
        "repeat": "weekly",
        "weekdays": ["0", "2"],
        "count": "4",
        "room": str(org["room"].pk),
        "quorum_of": "attendees",
        "people": [str(org["colleague"].pk), str(org["expert"].pk)],
        "optional": [str(org["expert"].pk)],
    }
    response = client.post("/meetings/new/", form)
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == f"/meetings/{meeting.pk}/"
    assert {(a.person_id, a.required) for a in meeting.attendees.all()} == {
        (org["colleague"].pk, True),
        (org["expert"].pk, False),
    }
    assert len(selectors.occurrences_of(meeting, at(monday, 0), at(monday, 0) + dt.timedelta(days=30))) == 4

    edit = page(client, org["organiser"], f"/meetings/{meeting.pk}/edit/")
    assert 'value="ประชุมทีม"' in edit and f'name="people" value="{org["expert"].pk}"' in edit


def test_a_refused_form_says_why_in_thai_keeps_what_was_typed_and_saves_nothing(client, org):
    client.force_login(org["organiser"].user)
    response = client.post(
        "/meetings/new/",
        {
            "title": "ประชุมผิดเวลา",
            "date": next_monday().isoformat(),
            "start_time": "11:00",
            "end_time": "10:00",
            "timezone": "Asia/Bangkok",
            "quorum_of": "attendees",
            "people": [str(org["colleague"].pk)],
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "เวลาสิ้นสุดต้องอยู่หลังเวลาเริ่มประชุม" in html
    assert 'value="ประชุมผิดเวลา"' in html and f'name="people" value="{org["colleague"].pk}"' in html
    assert not Meeting.objects.exists()


def test_the_organiser_cancels_one_occurrence_and_then_the_series(client, org):
    monday = next_monday()
    meeting = services.schedule_meeting(org["organiser"].user, draft(at(monday, 10), recurrence=weekly(0, count=3)))
    key = selectors.occurrences_of(meeting, at(monday, 0), at(monday, 23))[0].key
    client.force_login(org["organiser"].user)
    assert client.post(f"/meetings/{meeting.pk}/occurrences/{key}/cancel/").status_code == 302
    assert [
        s.cancelled for s in selectors.occurrences_of(meeting, at(monday, 0), at(monday, 0) + dt.timedelta(days=30))
    ] == [
        True,
        False,
        False,
    ]
    client.post(f"/meetings/{meeting.pk}/cancel/")
    assert Meeting.objects.get().cancelled_at is not None
    client.force_login(org["outsider"].user)
    assert client.post(f"/meetings/{meeting.pk}/cancel/").status_code == 404


def test_the_attendee_picker_and_find_a_time(client, org):
    refresh_search_documents()
    html = page(client, org["organiser"], "/meetings/people/?q=สมศรี")
    assert "สมศรี" in html and f"/meetings/people/{org['colleague'].pk}/" in html
    assert "มานะ" not in page(client, org["expert"], "/meetings/people/?q=มานะ")
    page(client, org["expert"], f"/meetings/people/{org['outsider'].pk}/", status=404)
    times = page(
        client, org["organiser"], f"/meetings/find-time/?people={org['colleague'].pk}&start_time=10:00&end_time=10:30"
    )
    assert times.count("data-use-time") == 5


def test_the_demo_has_meetings_and_seeding_again_is_safe(org):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    count = Meeting.objects.count()
    assert count >= 4
    assert Meeting.objects.filter(event__rule__isnull=False).count() >= 2
    assert Attendee.objects.filter(person__kind="expert").exists()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert Meeting.objects.count() == count


def test_django_schedulers_own_pages_and_admin_are_not_reachable(admin_client):
    assert admin_client.get("/admin/schedule/event/").status_code == 404
    assert admin_client.get("/admin/meetings/meetingroom/").status_code == 200
    assert admin_client.get("/schedule/").status_code == 404


def test_find_a_time_leaves_out_only_a_meeting_the_asker_can_see(client, org):
    # Leaving out another's meeting would show, by comparing answers, whether the colleague attends it.
    url = f"/meetings/find-time/?people={org['colleague'].pk}&start_time=10:00&end_time=10:30"
    first = page(client, org["organiser"], url)
    date, start = re.search(r'data-date="([\d-]+)" data-start="([\d:]+)"', first).groups()
    hidden = services.schedule_meeting(
        org["teammate"].user,
        draft(
            dt.datetime.combine(dt.date.fromisoformat(date), dt.time.fromisoformat(start), tzinfo=BANGKOK),
            minutes=30,
            people={org["colleague"].pk: True},
        ),
    )
    busy = page(client, org["organiser"], url)
    assert f'data-date="{date}" data-start="{start}"' not in busy
    assert page(client, org["organiser"], f"{url}&meeting={hidden.pk}") == busy
    # The colleague, who can see it, may leave it out (moving it to another time).
    mine = page(client, org["colleague"], f"/meetings/find-time/?meeting={hidden.pk}&start_time=10:00&end_time=10:30")
    assert f'data-date="{date}" data-start="{start}"' in mine
