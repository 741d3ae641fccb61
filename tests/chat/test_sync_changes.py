"""A client that reconnects gets everything that changed while it was away: new messages, and the
edits, deletions, reactions and pins of the messages it already has, in order and bounded."""

import json

import pytest
from asgiref.sync import async_to_sync

from chat import catchup
from chat.services import delete_message, edit_message, pin, react, send_message
from tests.chat.test_socket_chat import connect, next_of

pytestmark = pytest.mark.django_db(transaction=True)


def sync_all(headers, rooms: dict, versions: dict) -> tuple[list[dict], list[dict]]:
    """Sync as docs/protocol.md says a client does, asking again after sync.truncated: the events
    heard, and each round's closing frame."""

    async def scenario():
        socket = await connect(headers)
        events, rounds = [], []
        seqs, known = dict(rooms), dict(versions)
        while True:
            await socket.send_json_to({"type": "sync", "rooms": seqs, "versions": known})
            while True:
                frame = await next_of(socket, "message.new", "message.updated", "message.deleted", "sync.done",
                                      "sync.truncated")
                if frame["type"] in ("sync.done", "sync.truncated"):
                    break
                events.append(frame)
                if frame["type"] == "message.new":
                    room = str(frame["message"]["room"])
                    seqs[room] = max(seqs.get(room, 0), frame["message"]["seq"])
            rounds.append(frame)
            known.update(frame["versions"])
            if frame["type"] == "sync.done":
                break
        await socket.disconnect()
        return events, rounds

    return async_to_sync(scenario)()


def test_edits_deletions_reactions_and_pins_made_while_away_are_brought_back(pair):
    room, somchai, somsri = pair["room"], pair["somchai"].user, pair["somsri"].user
    sent = [send_message(somchai, room.pk, f"ข้อความ {n}", client_id=f"m{n}")[0] for n in range(1, 6)]
    # Somsri's screen has messages 1-5, version 0. Then, while she is away:
    edit_message(somchai, sent[0].pk, "ข้อความ 1 (แก้)")
    delete_message(somchai, sent[1].pk)
    react(somchai, sent[2].pk, "👍", add=True)
    pin(somchai, sent[3].pk, True)
    send_message(somchai, room.pk, "ข้อความ 6", client_id="m6")

    events, rounds = sync_all(pair["h2"], {str(room.pk): 5}, {str(room.pk): 0})

    assert [(e["type"], e["message"]["seq"]) for e in events] == [
        ("message.new", 6),
        ("message.updated", 1),
        ("message.deleted", 2),
        ("message.updated", 3),
        ("message.updated", 4),
    ]
    assert events[1]["message"]["body"] == "ข้อความ 1 (แก้)"
    assert events[2]["message"]["deleted"] is True and events[2]["message"]["body"] == ""
    assert events[3]["message"]["reactions"] == {"👍": [somchai.pk]}
    assert events[4]["message"]["pinned"] is True
    assert rounds == [{"type": "sync.done", "versions": {str(room.pk): 4}}]
    # From there, nothing more until something changes again.
    again, _rounds = sync_all(pair["h2"], {str(room.pk): 6}, {str(room.pk): 4})
    assert again == []
    assert somsri  # she is a member: she is told


def test_a_client_asking_only_for_changes_gets_those_to_every_message_of_the_room(pair):
    """With versions and no seqs (a client that has the whole room and only checks for changes),
    every message of the room may have changed: none is left out for want of a seq."""
    room, somchai = pair["room"], pair["somchai"].user
    sent = [send_message(somchai, room.pk, f"ข้อความ {n}", client_id=f"v{n}")[0] for n in range(1, 4)]
    edit_message(somchai, sent[2].pk, "ข้อความ 3 (แก้)")
    react(somchai, sent[0].pk, "🙏", add=True)

    events, rounds = sync_all(pair["h2"], {}, {str(room.pk): 0})

    assert [(e["type"], e["message"]["seq"]) for e in events] == [("message.updated", 3), ("message.updated", 1)]
    assert events[0]["message"]["body"] == "ข้อความ 3 (แก้)"
    assert events[1]["message"]["reactions"] == {"🙏": [somchai.pk]}
    assert rounds == [{"type": "sync.done", "versions": {str(room.pk): 2}}]


def test_a_long_absence_comes_back_in_rounds_each_bounded(pair, monkeypatch):
    monkeypatch.setattr(catchup, "SYNC_LIMIT", 4)
    room, somchai = pair["room"], pair["somchai"].user
    sent = [send_message(somchai, room.pk, f"ข้อความ {n}", client_id=f"m{n}")[0] for n in range(1, 8)]
    for message in sent:
        edit_message(somchai, message.pk, f"{message.body} แก้")
    for n in range(8, 11):
        send_message(somchai, room.pk, f"ข้อความ {n}", client_id=f"m{n}")

    events, rounds = sync_all(pair["h2"], {str(room.pk): 7}, {str(room.pk): 0})

    assert [r["type"] for r in rounds] == ["sync.truncated", "sync.truncated", "sync.done"]
    assert [(e["type"], e["message"]["seq"]) for e in events] == [
        ("message.new", 8), ("message.new", 9), ("message.new", 10),
        ("message.updated", 1), ("message.updated", 2), ("message.updated", 3), ("message.updated", 4),
        ("message.updated", 5), ("message.updated", 6), ("message.updated", 7),
    ]
    assert all(e["message"]["body"].endswith("แก้") for e in events if e["type"] == "message.updated")
    assert rounds[-1]["versions"] == {str(room.pk): 7}


def test_changes_in_rooms_the_client_is_not_in_are_not_told(pair):
    room, somchai = pair["room"], pair["somchai"].user
    message = send_message(somchai, room.pk, "ลับ", client_id="secret")[0]
    edit_message(somchai, message.pk, "ลับมาก")

    events, rounds = sync_all(pair["h3"], {str(room.pk): 0}, {str(room.pk): 0})

    assert events == [] and rounds == [{"type": "sync.done", "versions": {}}]


@pytest.mark.parametrize(
    "frame",
    [
        '{"type": "sync", "rooms": {"1": Infinity}}',
        '{"type": "sync", "rooms": {"1": -1}}',
        '{"type": "sync", "rooms": {"1": 1e400}}',
        '{"type": "sync", "rooms": {"1": 99999999999999999999999999999}}',
        '{"type": "sync", "rooms": {"one": 1}}',
        '{"type": "sync", "rooms": {"²": 1}}',
        '{"type": "sync", "rooms": {"9999999999999999999": 1}}',
        '{"type": "sync", "rooms": {"1": 1}, "versions": [1]}',
        '{"type": "message.send", "room": 1, "body": "x", "client_id": 12345}',
    ],
    ids=[
        "infinity", "negative", "huge-float", "past-64-bits", "not-a-room", "superscript-digit", "room-past-64-bits",
        "versions-not-a-map", "numeric-client-id",
    ],
)
def test_out_of_range_or_wrongly_typed_frames_are_invalid_not_a_server_error(pair, frame):
    async def scenario():
        socket = await connect(pair["h1"])
        await socket.send_to(text_data=frame)
        error = await next_of(socket, "error")
        await socket.disconnect()
        return error

    assert async_to_sync(scenario)()["code"] == "invalid"


@pytest.mark.parametrize("frame_type", ["typing", "read"])
def test_a_room_id_past_any_integer_is_not_found(pair, frame_type):
    async def scenario():
        socket = await connect(pair["h1"])
        await socket.send_to(text_data=json.dumps({"type": frame_type, "room": 10**30, "seq": 1}))
        error = await next_of(socket, "error")
        await socket.disconnect()
        return error

    assert async_to_sync(scenario)()["code"] == "not_found"


def test_changes_page_over_rest_in_version_order_for_members_only(client, pair):
    room, somchai = pair["room"], pair["somchai"].user
    sent = [send_message(somchai, room.pk, f"ข้อความ {n}", client_id=f"m{n}")[0] for n in range(1, 4)]
    edit_message(somchai, sent[2].pk, "สาม (แก้)")
    delete_message(somchai, sent[0].pk)
    react(somchai, sent[1].pk, "👍", add=True)

    client.force_login(pair["somsri"].user)
    first = client.get(f"/api/v1/rooms/{room.pk}/changes?after_version=0&limit=2").json()
    rest = client.get(f"/api/v1/rooms/{room.pk}/changes?after_version={first['version']}&limit=2").json()
    none = client.get(f"/api/v1/rooms/{room.pk}/changes?after_version={rest['version']}").json()

    assert [m["seq"] for m in first["results"]] == [3, 1] and first["has_more"] and first["version"] == 2
    assert [m["seq"] for m in rest["results"]] == [2] and not rest["has_more"] and rest["version"] == 3
    assert rest["results"][0]["reactions"] == {"👍": [somchai.pk]}
    assert none == {"results": [], "version": 3, "has_more": False}
    client.force_login(pair["outsider"].user)
    assert client.get(f"/api/v1/rooms/{room.pk}/changes").status_code == 404
    assert client.get(f"/api/v1/rooms/{room.pk}/changes?after_version=-1").status_code in (400, 422)


def test_a_synced_message_reads_as_the_history_shows_it(client, pair, settings, tmp_path):
    """Whichever way the server finds them (on PostgreSQL one statement, chat.syncing), messages
    come back from a sync exactly as the room's history shows them: authors with and without a
    directory entry, reactions, files, replies, edits and deletions."""
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    from chat.attachments import upload
    from chat.services import add_members
    from hub.tokens import issue_token

    settings.MEDIA_ROOT = tmp_path
    room, somchai, somsri = pair["room"], pair["somchai"].user, pair["somsri"].user
    bot = get_user_model().objects.create(username="registry-bot")  # an account with no person
    add_members(room, [bot])
    first, _ = send_message(somchai, room.pk, "**ตัวหนา** และ `code`", client_id="a")
    file = upload(somchai, room.pk, SimpleUploadedFile("คำขอ.pdf", b"%PDF-1.4 test", content_type="application/pdf"))
    send_message(somchai, room.pk, "แนบไฟล์", client_id="b", attachment_ids=[file.pk])
    send_message(somsri, room.pk, "ตอบในเธรด", client_id="c", thread_id=first.pk)
    send_message(bot, room.pk, "คำขอใหม่ 1 รายการ", client_id="d")
    gone, _ = send_message(somchai, room.pk, "จะลบ", client_id="e")
    react(somsri, first.pk, "👍", add=True)
    react(somchai, first.pk, "👍", add=True)
    react(somchai, first.pk, "🎉", add=True)
    edit_message(somchai, first.pk, "**ตัวหนา** (แก้)")
    delete_message(somchai, gone.pk)

    events, _rounds = sync_all(pair["h2"], {str(room.pk): 0}, {})
    synced = [event["message"] for event in events]
    token = issue_token(somsri, "test")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    history = client.get(f"/api/v1/rooms/{room.pk}/messages?limit=50", **auth).json()["results"]
    replies = client.get(f"/api/v1/rooms/{room.pk}/messages?limit=50&thread={first.pk}", **auth).json()["results"]
    shown = sorted({m["id"]: m for m in history + replies}.values(), key=lambda m: m["seq"])

    assert [m["seq"] for m in synced] == [m["seq"] for m in shown] == [1, 2, 3, 4, 5]
    assert synced == shown
    assert synced[0]["reactions"] == {"👍": [somsri.pk, somchai.pk], "🎉": [somchai.pk]}
    assert synced[0]["author"]["name_en"] == "Mr Somchai Jaidee" and synced[0]["edited_at"]
    assert synced[1]["attachments"][0]["name"] == "คำขอ.pdf"
    assert synced[3]["author"] == {
        "id": bot.pk, "name": "registry-bot", "name_th": "registry-bot", "name_en": "registry-bot", "person": None
    }
    assert synced[4]["deleted"] is True and synced[4]["body"] == ""
