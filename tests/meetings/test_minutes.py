"""Minutes: the organiser or chair writes them; attendees read them on the meeting page; the meeting's
chat room is told; nobody else can write or read them."""

import pytest

from chat.models import Message
from hub.errors import Forbidden, NotFound, TooLarge
from hub.tokens import issue_token
from meetings import services
from meetings.models import Meeting
from tests.meetings.conftest import at, draft, next_monday

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(org):
    return services.schedule_meeting(
        org["organiser"].user,
        draft(
            at(next_monday(), 10),
            chair_id=org["teammate"].pk,
            people={org["colleague"].pk: True, org["expert"].pk: True},
        ),
    )


def test_the_organiser_posts_minutes_attendees_read_them_and_the_chat_room_is_told(client, org, meeting):
    services.post_minutes(org["organiser"].user, meeting.pk, "มติ: อนุมัติคำขอ 12 ราย\nมอบหมาย: สมศรี ติดตามเอกสาร")
    services.post_minutes(org["teammate"].user, meeting.pk, "มติ: อนุมัติคำขอ 13 ราย")  # the chair corrects them
    stored = Meeting.objects.get()
    assert stored.minutes == "มติ: อนุมัติคำขอ 13 ราย" and stored.minutes_by == org["teammate"]
    notices = list(Message.objects.filter(room=meeting.chat_room).order_by("seq").values_list("body", flat=True))
    assert notices == [
        f"บันทึกการประชุมนี้พร้อมแล้ว: /meetings/{meeting.pk}/#minutes",
        f"บันทึกการประชุมมีการแก้ไข: /meetings/{meeting.pk}/#minutes",
    ]
    client.force_login(org["expert"].user)
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "มติ: อนุมัติคำขอ 13 ราย" in html and "เขียนบันทึกการประชุม" not in html and "แก้ไขบันทึกการประชุม" not in html


def test_only_the_organiser_and_chair_write_minutes_and_only_invitees_read_them(client, org, meeting):
    with pytest.raises(Forbidden):
        services.post_minutes(org["colleague"].user, meeting.pk, "แก้เอง")
    with pytest.raises(NotFound):
        services.post_minutes(org["outsider"].user, meeting.pk, "แก้เอง")
    with pytest.raises(TooLarge):
        services.post_minutes(org["organiser"].user, meeting.pk, "ก" * 50_001)
    client.force_login(org["colleague"].user)
    assert client.post(f"/meetings/{meeting.pk}/minutes/", {"minutes": "แก้เอง"}).status_code == 302
    assert Meeting.objects.get().minutes == ""
    token = issue_token(org["organiser"].user, "test")
    response = client.put(
        f"/api/v1/meetings/{meeting.pk}/minutes",
        {"minutes": "สรุปผล"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200 and response.json()["minutes"] == "สรุปผล"
    token = issue_token(org["other_expert"].user, "test")
    assert client.get(f"/api/v1/meetings/{meeting.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 404
