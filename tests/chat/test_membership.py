"""Who is in a room: owners add and remove people, anyone but the last owner may leave; the same
rules over REST as on the page."""

import pytest

from chat.models import Membership, Room
from chat.services import create_room, open_direct
from hub.tokens import issue_token
from tests.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    def call(person, method, path, body=None):
        token = issue_token(person.user, "test")
        return getattr(client, method)(
            f"/api/v1{path}", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
        )

    return call


@pytest.fixture
def group():
    somchai, somsri, wichai = make_person("somchai"), make_person("somsri"), make_person("wichai")
    room = create_room(kind=Room.Kind.PRIVATE, name="ทีม", owner=somchai.user, members=[somsri.user])
    return somchai, somsri, wichai, room


def members(room) -> set[str]:
    return set(Membership.objects.filter(room=room).values_list("user__username", flat=True))


def test_an_owner_adds_and_removes_people_and_lists_who_is_in(api, group):
    somchai, somsri, wichai, room = group
    added = api(somchai, "post", f"/rooms/{room.pk}/members", {"users": [wichai.user_id]})
    assert added.status_code == 200
    assert [(m["name"], m["role"]) for m in added.json()] == [
        (somchai.display_name, "owner"),
        (somsri.display_name, "member"),
        (wichai.display_name, "member"),
    ]
    assert api(somchai, "delete", f"/rooms/{room.pk}/members/{somsri.user_id}").status_code == 204
    assert members(room) == {"somchai", "wichai"}
    assert [m["id"] for m in api(wichai, "get", f"/rooms/{room.pk}/members").json()] == [
        somchai.user_id,
        wichai.user_id,
    ]


def test_only_an_owner_changes_who_is_in_a_room(api, group):
    somchai, somsri, wichai, room = group
    refused = api(somsri, "post", f"/rooms/{room.pk}/members", {"users": [wichai.user_id]})
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "เฉพาะเจ้าของห้องเท่านั้นที่เปลี่ยนสมาชิกของห้องได้"
    assert api(somsri, "delete", f"/rooms/{room.pk}/members/{somchai.user_id}").status_code == 403
    assert api(wichai, "post", f"/rooms/{room.pk}/members", {"users": [wichai.user_id]}).status_code == 404
    assert members(room) == {"somchai", "somsri"}


def test_an_owner_cannot_add_someone_unknown(api, group):
    somchai, _somsri, _wichai, room = group
    unknown = api(somchai, "post", f"/rooms/{room.pk}/members", {"users": [999_999]})
    assert unknown.status_code == 400
    assert api(somchai, "post", f"/rooms/{room.pk}/members", {"users": []}).status_code == 400
    assert members(room) == {"somchai", "somsri"}


def test_anyone_may_leave_but_the_last_owner_and_nobody_leaves_a_direct_message(api, group):
    somchai, somsri, wichai, room = group
    assert api(somsri, "post", f"/rooms/{room.pk}/leave").status_code == 204
    refused = api(somchai, "post", f"/rooms/{room.pk}/leave")
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == "คุณเป็นเจ้าของห้องนี้เพียงคนเดียว จึงออกจากห้องไม่ได้"
    assert members(room) == {"somchai"}
    direct = open_direct(somchai.user, [wichai.user])
    assert api(wichai, "post", f"/rooms/{direct.pk}/leave").status_code == 403
    assert members(direct) == {"somchai", "wichai"}


def test_who_is_in_a_meeting_room_is_not_changed_from_chat(api, group):
    somchai, somsri, wichai, _room = group
    meeting = create_room(kind=Room.Kind.MEETING, name="ประชุม", owner=somchai.user, members=[somsri.user])
    assert api(somchai, "post", f"/rooms/{meeting.pk}/members", {"users": [wichai.user_id]}).status_code == 403
    assert api(somchai, "delete", f"/rooms/{meeting.pk}/members/{somsri.user_id}").status_code == 403
    assert members(meeting) == {"somchai", "somsri"}
