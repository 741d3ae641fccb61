"""Chat over REST: the same rules as the socket, for the mobile app and bots."""

import pytest

from chat.models import Message, Room
from chat.services import create_room, send_message
from hub.tokens import issue_token
from tests.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    def call(person, method, path, body=None, **extra):
        token = issue_token(person.user, "test")
        return getattr(client, method)(
            f"/api/v1{path}", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}", **extra
        )

    return call


@pytest.fixture
def team():
    somchai, somsri, expert = make_person("somchai"), make_person("somsri"), make_person("expert", kind="expert")
    room = create_room(kind=Room.Kind.PRIVATE, name="ทีม", owner=somchai.user, members=[somsri.user])
    return {"somchai": somchai, "somsri": somsri, "expert": expert, "room": room}


def test_send_page_history_and_resend(api, team):
    room = team["room"]
    first = api(team["somchai"], "post", f"/rooms/{room.pk}/messages", {"body": "หนึ่ง", "client_id": "a"})
    assert first.status_code == 201 and first.json()["seq"] == 1
    again = api(team["somchai"], "post", f"/rooms/{room.pk}/messages", {"body": "หนึ่ง", "client_id": "a"})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    for n in range(2, 8):
        send_message(team["somsri"].user, room.pk, f"ข้อความ {n}")
    page = api(team["somchai"], "get", f"/rooms/{room.pk}/messages?limit=3").json()
    assert [m["seq"] for m in page["results"]] == [5, 6, 7] and page["has_more"]
    older = api(team["somchai"], "get", f"/rooms/{room.pk}/messages?limit=3&before_seq=5").json()
    assert [m["seq"] for m in older["results"]] == [2, 3, 4]
    newer = api(team["somchai"], "get", f"/rooms/{room.pk}/messages?after_seq=5").json()
    assert [m["seq"] for m in newer["results"]] == [6, 7] and not newer["has_more"]


def test_rooms_show_unread_and_read_moves_forward_only(api, team):
    room = team["room"]
    for n in range(3):
        send_message(team["somchai"].user, room.pk, f"{n}")
    rooms = api(team["somsri"], "get", "/rooms").json()
    assert rooms[0]["unread"] == 3
    assert api(team["somsri"], "post", f"/rooms/{room.pk}/read", {"seq": 3}).json()["unread"] == 0
    assert api(team["somsri"], "post", f"/rooms/{room.pk}/read", {"seq": 1}).json()["read_seq"] == 3


def test_opening_a_dm_twice_gives_the_same_room(api, team):
    somsri_user = team["somsri"].user_id
    first = api(team["somchai"], "post", "/rooms/direct", {"users": [somsri_user]}).json()
    second = api(team["somsri"], "post", "/rooms/direct", {"users": [team["somchai"].user_id]}).json()
    assert first["id"] == second["id"] and first["kind"] == "direct"
    assert first["name"] == "นายสมชาย ใจดี" or second["name"] == "นายสมชาย ใจดี"


def test_an_expert_cannot_open_a_dm_with_someone_outside_their_rooms(api, team):
    response = api(team["expert"], "post", "/rooms/direct", {"users": [team["somchai"].user_id]})
    assert response.status_code == 400


def test_outsiders_get_404_for_rooms_messages_and_reactions(api, team):
    room = team["room"]
    message, _ = send_message(team["somchai"].user, room.pk, "ลับ")
    for method, path, body in [
        ("get", f"/rooms/{room.pk}/messages", None),
        ("post", f"/rooms/{room.pk}/messages", {"body": "x"}),
        ("patch", f"/messages/{message.pk}", {"body": "x"}),
        ("delete", f"/messages/{message.pk}", None),
        ("post", f"/messages/{message.pk}/reactions", {"emoji": "👍"}),
        ("post", f"/rooms/{room.pk}/read", {"seq": 1}),
    ]:
        response = api(team["expert"], method, path, body)
        assert response.status_code == 404, (method, path, response.content)
    assert Message.objects.get(pk=message.pk).body == "ลับ"


def test_staff_start_a_channel_others_can_join_it(api, team):
    created = api(team["somchai"], "post", "/rooms", {"kind": "channel", "name": "ห้องกาแฟ"})
    assert created.status_code == 201
    joinable = api(team["somsri"], "get", "/rooms?joinable=true").json()
    assert [r["name"] for r in joinable] == ["ห้องกาแฟ"]
    joined = api(team["somsri"], "post", f"/rooms/{created.json()['id']}/join").json()
    assert joined["member"] is True
    assert api(team["expert"], "post", f"/rooms/{created.json()['id']}/join").status_code == 404


def test_markdown_is_rendered_and_sanitized(api, team):
    room = team["room"]
    body = "[คลิก](javascript:alert(1)) <script>alert(1)</script> **ตัวหนา** `code` @somsri \u202egnp.exe"
    message = api(team["somchai"], "post", f"/rooms/{room.pk}/messages", {"body": body}).json()
    html = message["html"]
    assert 'href="javascript' not in html and "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<strong>ตัวหนา</strong>" in html and "<code>code</code>" in html
    assert (
        f'<a class="mention" href="/people/{team["somsri"].pk}/"><span class="lang-th" lang="th">@นายสมชาย ใจดี</span>'
        '<span class="lang-en" lang="en">@Mr Somchai Jaidee</span></a>'
    ) in html
    assert "\u202e" not in html


def test_pathological_markdown_renders_quickly_enough_to_send(api, team):
    room = team["room"]
    for body in ["`" * 9000, "*a" * 4000, "[" * 4999 + "x" + "]" * 4999, "> " * 4000, "_" * 9999]:
        response = api(team["somchai"], "post", f"/rooms/{room.pk}/messages", {"body": body})
        assert response.status_code == 201


def test_search_finds_thai_words_inside_longer_text_only_in_your_rooms(api, team):
    room = team["room"]
    other = create_room(kind=Room.Kind.PRIVATE, name="ลับ", owner=team["expert"].user, members=[])
    send_message(team["somchai"].user, room.pk, "พรุ่งนี้มีการประชุมประจำสัปดาห์ตอนสิบโมง")
    send_message(team["somsri"].user, room.pk, "Meeting notes are in the shared drive")
    send_message(team["expert"].user, other.pk, "การประชุมลับของผู้ทรงคุณวุฒิ")
    found = api(team["somsri"], "get", "/search/messages?q=ประชุม").json()
    assert [m["body"] for m in found] == ["พรุ่งนี้มีการประชุมประจำสัปดาห์ตอนสิบโมง"]
    assert [m["body"] for m in api(team["somsri"], "get", "/search/messages?q=MEETING").json()] == [
        "Meeting notes are in the shared drive"
    ]
    by_author = api(team["somsri"], "get", f"/search/messages?q=e&author={team['somsri'].user_id}").json()
    assert len(by_author) == 1
    too_long = api(team["somsri"], "get", "/search/messages?q=" + "ก" * 101)
    assert too_long.status_code == 400


def test_pins_are_shared_by_the_room_and_archived_rooms_are_read_only(api, team):
    room = team["room"]
    message, _ = send_message(team["somsri"].user, room.pk, "เอกสารประกอบการประชุมอยู่ที่นี่")
    pinned = api(team["somsri"], "post", f"/messages/{message.pk}/pin").json()
    assert pinned["pinned"] is True
    page = api(team["somchai"], "get", f"/rooms/{room.pk}/messages").json()
    assert page["results"][0]["pinned"] is True
    assert api(team["somsri"], "post", f"/rooms/{room.pk}/archive").status_code == 403  # not the owner
    archived = api(team["somchai"], "post", f"/rooms/{room.pk}/archive").json()
    assert archived["archived"] is True
    refused = api(
        team["somsri"], "post", f"/rooms/{room.pk}/messages", {"body": "ยังส่งได้ไหม"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "This room is archived: it can be read, not written to."
    history = api(team["somsri"], "get", f"/rooms/{room.pk}/messages").json()["results"]
    assert [m["body"] for m in history] == ["เอกสารประกอบการประชุมอยู่ที่นี่"]


def test_abuse_limits_and_leftovers_found_in_review(api, team, settings, tmp_path):
    import io

    settings.MEDIA_ROOT = tmp_path
    room = team["room"]
    message, _ = send_message(team["somchai"].user, room.pk, "ดู @somsri ที่ [ลิงก์](https://e.example/?q=@somsri)")
    # A mention inside a link's address stays in the address; a //host link is not "local".
    assert 'href="https://e.example/?q=@somsri"' in message.html
    assert 'href="//evil' not in send_message(team["somchai"].user, room.pk, "[x](//evil.example)")[0].html
    # Reactions are emoji, not words.
    assert api(team["somsri"], "post", f"/messages/{message.pk}/reactions", {"emoji": "abc"}).status_code == 400
    assert api(team["somsri"], "post", f"/messages/{message.pk}/reactions", {"emoji": "👍🏽"}).status_code == 200
    # Sending over REST is rate limited like the socket: 20 in 10 s (two sent above).
    codes = [
        api(team["somchai"], "post", f"/rooms/{room.pk}/messages", {"body": f"{n}"}).status_code for n in range(19)
    ]
    assert codes.count(201) == 18 and codes[-1] == 429
    # The files of a deleted message go with it.
    upload = io.BytesIO(b"%PDF-1.4")
    upload.name = "a.pdf"
    from django.test import Client

    browser = Client()
    browser.force_login(team["somsri"].user)
    file = browser.post(f"/api/v1/rooms/{room.pk}/attachments", {"file": upload}).json()
    sent = browser.post(
        f"/api/v1/rooms/{room.pk}/messages",
        {"body": "ไฟล์", "attachments": [file["id"]]},
        content_type="application/json",
    ).json()
    assert browser.get(file["url"]).status_code == 200
    browser.delete(f"/api/v1/messages/{sent['id']}")
    assert browser.get(file["url"]).status_code == 404


def test_experts_cannot_open_direct_messages(api, team):
    create_room(kind=Room.Kind.MEETING, name="ประชุม", owner=team["somchai"].user, members=[team["expert"].user])
    assert api(team["expert"], "post", "/rooms/direct", {"users": [team["somchai"].user_id]}).status_code == 403


def test_the_chat_page_searches_messages(client, team):
    send_message(team["somchai"].user, team["room"].pk, "วาระการประชุมคณะกรรมการ")
    client.force_login(team["somsri"].user)
    html = client.get("/chats/search/", {"q": "ประชุม"}).content.decode()
    assert "วาระการ<mark>ประชุม</mark>คณะกรรมการ" in html and f"/chats/{team['room'].pk}/#m" in html
    assert client.get("/chats/search/", {"q": "ก" * 101}).status_code == 400
