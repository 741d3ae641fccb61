"""Chat over the one socket: send and ack, fan-out to members, idempotent resends, sync, edits."""

import json

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from chat.models import Message
from chat.services import remove_member
from hub.asgi import application
from tests.hub.test_socket import browser_headers

# The consumer opens and closes database connections per frame: real commits, not a test transaction.
pytestmark = pytest.mark.django_db(transaction=True)


async def connect(headers) -> WebsocketCommunicator:
    socket = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _ = await socket.connect()
    assert connected
    hello = json.loads(await socket.receive_from(timeout=5))
    assert hello["type"] == "hello"
    return socket


async def next_of(socket, *types, timeout=3) -> dict:
    """The next frame of one of these types, skipping others (presence and the like)."""
    while True:
        frame = json.loads(await socket.receive_from(timeout=timeout))
        if frame["type"] in types:
            return frame


def test_a_message_is_acked_to_the_sender_and_reaches_every_member(pair):
    room = pair["room"]

    async def scenario():
        sender, reader, outsider = await connect(pair["h1"]), await connect(pair["h2"]), await connect(pair["h3"])
        await sender.send_json_to(
            {"type": "message.send", "room": room.pk, "body": "สวัสดี **ทุกคน**", "client_id": "c-1", "ref": "r"}
        )
        ack = await next_of(sender, "ack", "error")
        delivered = await next_of(reader, "message.new")
        outsider_heard_nothing = await outsider.receive_nothing(timeout=0.5) or await _only_presence(outsider)
        for socket in (sender, reader, outsider):
            await socket.disconnect()
        return ack, delivered, outsider_heard_nothing

    ack, delivered, outsider_silent = async_to_sync(scenario)()
    assert ack["type"] == "ack" and ack["client_id"] == "c-1" and ack["ref"] == "r"
    assert ack["message"]["seq"] == 1
    assert delivered["message"]["html"] == "<p>สวัสดี <strong>ทุกคน</strong></p>"
    assert delivered["message"]["author"]["name"] == "นายสมชาย ใจดี"
    assert delivered["message"]["created_at"].endswith("+07:00")
    assert outsider_silent


async def _only_presence(socket) -> bool:
    while not await socket.receive_nothing(timeout=0.3):
        frame = json.loads(await socket.receive_from())
        if frame["type"] not in ("presence", "presence.many"):
            return False
    return True


def test_the_same_client_id_twice_stores_one_message_and_acks_both(pair):
    room = pair["room"]

    async def scenario():
        sender = await connect(pair["h1"])
        frame = {"type": "message.send", "room": room.pk, "body": "ส่งซ้ำ", "client_id": "same"}
        await sender.send_json_to(frame)
        first = await next_of(sender, "ack")
        await sender.send_json_to(frame)
        second = await next_of(sender, "ack")
        await sender.send_json_to({**frame, "body": "คนละข้อความ"})
        refused = await next_of(sender, "error")
        await sender.disconnect()
        return first, second, refused

    first, second, refused = async_to_sync(scenario)()
    assert first["message"]["id"] == second["message"]["id"]
    assert Message.objects.filter(room=room).count() == 1
    assert refused["code"] == "invalid" and refused["client_id"] == "same"


def test_someone_outside_the_room_cannot_post_or_learn_that_it_exists(pair):
    room = pair["room"]

    async def scenario():
        outsider = await connect(pair["h3"])
        await outsider.send_json_to({"type": "message.send", "room": room.pk, "body": "แอบเข้า", "client_id": "x"})
        into_room = await next_of(outsider, "error")
        await outsider.send_json_to({"type": "message.send", "room": 999_999, "body": "ไม่มีห้อง", "client_id": "y"})
        nowhere = await next_of(outsider, "error")
        # Past any database's integers: still just a room that is not there, not a server error.
        await outsider.send_json_to({"type": "message.send", "room": 2**70, "body": "ไกลเกิน", "client_id": "z"})
        beyond = await next_of(outsider, "error")
        await outsider.disconnect()
        return into_room, nowhere, beyond

    into_room, nowhere, beyond = async_to_sync(scenario)()
    assert into_room["code"] == nowhere["code"] == beyond["code"] == "not_found"
    assert into_room["message"] == nowhere["message"] == beyond["message"]
    assert not Message.objects.exists()


def test_a_reconnecting_client_syncs_exactly_what_it_missed_in_order(pair):
    room = pair["room"]
    from chat.services import send_message

    for n in range(1, 6):
        send_message(pair["somchai"].user, room.pk, f"ข้อความที่ {n}", client_id=f"m{n}")

    async def scenario():
        reader = await connect(pair["h2"])
        await reader.send_json_to({"type": "sync", "rooms": {str(room.pk): 2}, "ref": "s"})
        frames = []
        while True:
            frame = await next_of(reader, "message.new", "sync.done", "sync.truncated")
            frames.append(frame)
            if frame["type"] != "message.new":
                break
        await reader.disconnect()
        return frames

    frames = async_to_sync(scenario)()
    assert [f["message"]["seq"] for f in frames[:-1]] == [3, 4, 5]
    assert frames[-1] == {"type": "sync.done", "ref": "s", "versions": {}}


def test_edit_keeps_history_delete_leaves_a_tombstone_reactions_reach_members(pair):
    room = pair["room"]
    from chat.services import send_message

    message, _ = send_message(pair["somchai"].user, room.pk, "ร่างแรก", client_id="e1")

    async def scenario():
        author, reader = await connect(pair["h1"]), await connect(pair["h2"])
        await reader.send_json_to({"type": "message.edit", "id": message.pk, "body": "แก้แล้ว"})
        not_yours = await next_of(reader, "error")
        await author.send_json_to({"type": "message.edit", "id": message.pk, "body": "แก้แล้ว"})
        updated = await next_of(reader, "message.updated")
        await reader.send_json_to({"type": "reaction.add", "id": message.pk, "emoji": "👍"})
        reaction = await next_of(author, "reaction")
        await author.send_json_to({"type": "message.delete", "id": message.pk})
        deleted = await next_of(reader, "message.deleted")
        for socket in (author, reader):
            await socket.disconnect()
        return not_yours, updated, reaction, deleted

    not_yours, updated, reaction, deleted = async_to_sync(scenario)()
    assert not_yours["code"] == "forbidden"
    assert updated["message"]["body"] == "แก้แล้ว" and updated["message"]["edited_at"]
    assert reaction["reactions"] == {"👍": [pair["somsri"].user_id]}
    assert deleted["message"]["deleted"] is True and deleted["message"]["body"] == ""
    assert deleted["message"]["seq"] == 1


def test_a_member_removed_while_connected_stops_receiving_at_once(pair):
    room = pair["room"]
    from chat.services import send_message

    async def scenario():
        reader = await connect(pair["h2"])
        await database(remove_member, room, pair["somsri"].user)
        left = await next_of(reader, "room.left")
        await database(send_message, pair["somchai"].user, room.pk, "หลังจากออกจากห้อง", "after")
        silent = await _only_presence(reader)
        await reader.send_json_to({"type": "message.send", "room": room.pk, "body": "ยังอยู่ไหม", "client_id": "z"})
        refused = await next_of(reader, "error")
        await reader.disconnect()
        return left, silent, refused

    left, silent, refused = async_to_sync(scenario)()
    assert left == {"type": "room.left", "room": room.pk}
    assert silent, "a removed member must not receive the room's messages"
    assert refused["code"] == "not_found"


async def database(function, *args):
    from channels.db import database_sync_to_async

    return await database_sync_to_async(function)(*args)


def test_too_long_empty_and_too_fast_messages_are_refused_with_their_codes(pair, settings):
    room = pair["room"]
    english = browser_headers(pair["somchai"].user, language="en")

    async def scenario():
        sender = await connect(english)
        await sender.send_json_to({"type": "message.send", "room": room.pk, "body": "ก" * 10_001, "client_id": "l"})
        too_long = await next_of(sender, "error")
        await sender.send_json_to({"type": "message.send", "room": room.pk, "body": "   ", "client_id": "e"})
        empty = await next_of(sender, "error")
        answers = []
        for n in range(22):
            await sender.send_json_to({"type": "message.send", "room": room.pk, "body": f"{n}", "client_id": f"f{n}"})
            answers.append(await next_of(sender, "ack", "error"))
        await sender.disconnect()
        return too_long, empty, answers

    too_long, empty, answers = async_to_sync(scenario)()
    assert too_long["code"] == "too_large" and "10,000" in too_long["message"]
    assert empty["code"] == "invalid"
    # Messages sent count, refused ones do not: 20 are allowed in 10 s, the next two are refused.
    assert [a["type"] for a in answers[:20]] == ["ack"] * 20
    assert [a.get("code") for a in answers[20:]] == ["rate_limited"] * 2 and answers[20]["client_id"] == "f20"
    assert Message.objects.filter(room=room).count() == 20


def test_mentions_and_direct_messages_ring_a_bell_for_their_people_only(pair):
    from chat.services import open_direct, send_message
    from tests.factories import make_team

    room = pair["room"]
    team = make_team(code="licensing")
    from directory.models import Person

    Person.objects.filter(pk=pair["somsri"].pk).update(team=team)
    dm = open_direct(pair["somchai"].user, [pair["outsider"].user])

    async def scenario():
        somsri, outsider, author = await connect(pair["h2"]), await connect(pair["h3"]), await connect(pair["h1"])
        await database(send_message, pair["somchai"].user, room.pk, "ฝาก @somsri ดูเอกสารด้วยครับ", "n1")
        mention = await next_of(somsri, "notification")
        await database(send_message, pair["somchai"].user, room.pk, "แจ้ง @licensing ทุกคน", "n2")
        team_mention = await next_of(somsri, "notification")
        await database(send_message, pair["somchai"].user, dm.pk, "ว่างคุยไหมครับ", "n3")
        direct = await next_of(outsider, "notification")
        author_silent = True
        while not await author.receive_nothing(timeout=0.5):
            author_silent &= json.loads(await author.receive_from())["type"] != "notification"
        for socket in (somsri, outsider, author):
            await socket.disconnect()
        return mention, team_mention, direct, author_silent

    mention, team_mention, direct, author_silent = async_to_sync(scenario)()
    assert mention["kind"] == "mention" and mention["message"]["body"] == "ฝาก @somsri ดูเอกสารด้วยครับ"
    assert 'class="mention"' in mention["message"]["html"]
    assert team_mention["kind"] == "mention" and team_mention["room"] == room.pk
    assert direct["kind"] == "direct" and direct["message"]["body"] == "ว่างคุยไหมครับ"
    assert author_silent, "nobody is notified of their own message"


def test_typing_reaches_the_other_members_and_an_outsider_is_refused(pair):
    room = pair["room"]

    async def scenario():
        typist, reader, outsider = await connect(pair["h1"]), await connect(pair["h2"]), await connect(pair["h3"])
        await typist.send_json_to({"type": "typing", "room": room.pk})
        seen = await next_of(reader, "typing")
        await outsider.send_json_to({"type": "typing", "room": room.pk, "ref": "t"})
        refused = await next_of(outsider, "error")
        for socket in (typist, reader, outsider):
            await socket.disconnect()
        return seen, refused

    seen, refused = async_to_sync(scenario)()
    assert seen == {
        "type": "typing",
        "room": room.pk,
        "user": {
            "id": pair["somchai"].user_id,
            "name": "นายสมชาย ใจดี",
            "name_th": "นายสมชาย ใจดี",
            "name_en": "Mr Somchai Jaidee",
            "person": pair["somchai"].pk,
        },
    }
    assert refused["code"] == "not_found" and refused["ref"] == "t"
