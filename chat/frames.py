"""Socket frames of chat (DESIGN.md §3): send, edit, delete, react, read, typing, sync."""

from django.utils.translation import gettext as _

from chat import selectors, services
from chat.catchup import catch_up
from chat.models import Message
from hub.errors import Invalid, NotFound
from hub.protocol import Connection, frame

# Ids and positions are stored as 64-bit integers: anything larger names nothing that exists.
LARGEST = 2**63 - 1
MAX_SYNC_ROOMS = 500  # each room is a term of one query; SQLite takes about a thousand at most


def _int(data: dict, key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(_("“%(key)s” must be a number.") % {"key": key}, fields={key: _("Not a number.")})
    if not 0 <= value <= LARGEST:
        raise NotFound()
    return value


def _positions(data: dict, key: str) -> dict[int, int]:
    """A map of room ids to non-negative whole numbers (seqs or versions), as a client sends it."""
    raw = data.get(key, {})
    message = _("“%(key)s” must map room ids to whole numbers.") % {"key": key}
    if not isinstance(raw, dict) or len(raw) > MAX_SYNC_ROOMS:
        raise Invalid(message, fields={key: _("Not a map of rooms.")})
    positions = {}
    for room, position in raw.items():
        # isdecimal() alone would let "²" or "٣" through, which int() then refuses.
        if not (isinstance(room, str) and room.isascii() and room.isdecimal() and int(room) <= LARGEST):
            raise Invalid(message, fields={key: _("Not a map of rooms.")})
        if isinstance(position, bool):
            raise Invalid(message, fields={key: _("Not a map of rooms.")})
        if not isinstance(position, int) or not 0 <= position <= LARGEST:
            raise Invalid(message, fields={key: _("Not a map of rooms.")})
        positions[int(room)] = position
    return positions


def _room(data: dict) -> set:
    return {_int(data, "room")}


def _room_of_message(data: dict) -> set:
    # A message that does not exist is in no room a scoped socket may use.
    return {Message.objects.filter(pk=_int(data, "id")).values_list("room_id", flat=True).first()}


def _synced_rooms(data: dict) -> set:
    return {*_positions(data, "rooms"), *_positions(data, "versions")}


@frame("message.send", rooms=_room, checks_access=False)
async def message_send(conn: Connection, data: dict) -> None:
    room_id = _int(data, "room")
    thread = data.get("thread")
    if thread is not None:
        thread = _int(data, "thread")
    client_id = data.get("client_id")
    if client_id is not None and not isinstance(client_id, str):
        raise Invalid(_("client_id is text."), fields={"client_id": _("Not text.")})
    out = await conn.run_checking(_send, conn.user, room_id, data, thread)
    await conn.reply(data, {"type": "ack", "client_id": out["client_id"], "message": out})


def _send(credentials, user, room_id: int, data: dict, thread: int | None) -> dict:
    # One trip to the database thread per send: the access and rate checks, the message, the ack's
    # payload; on PostgreSQL, one statement for all but the payload (chat.sending).
    message, _created = services.send_message(
        user, room_id, data.get("body"), data.get("client_id") or "", thread, data.get("attachments"), credentials
    )
    return getattr(message, "payload", None) or selectors.message_out(message)


@frame("message.edit", rooms=_room_of_message, checks_access=False)
async def message_edit(conn: Connection, data: dict) -> None:
    message = await conn.run(services.edit_message, conn.user, _int(data, "id"), data.get("body"))
    await conn.reply(data, {"type": "ok", "id": message.pk})


@frame("message.delete", rooms=_room_of_message, checks_access=False)
async def message_delete(conn: Connection, data: dict) -> None:
    message = await conn.run(services.delete_message, conn.user, _int(data, "id"))
    await conn.reply(data, {"type": "ok", "id": message.pk})


async def _react(conn: Connection, data: dict, add: bool) -> None:
    message = await conn.run(services.react, conn.user, _int(data, "id"), data.get("emoji"), add)
    await conn.reply(data, {"type": "ok", "id": message.pk})


@frame("reaction.add", rooms=_room_of_message, checks_access=False)
async def reaction_add(conn: Connection, data: dict) -> None:
    await _react(conn, data, add=True)


@frame("reaction.remove", rooms=_room_of_message, checks_access=False)
async def reaction_remove(conn: Connection, data: dict) -> None:
    await _react(conn, data, add=False)


@frame("message.pin", rooms=_room_of_message, checks_access=False)
async def message_pin(conn: Connection, data: dict) -> None:
    pinned = data.get("pinned", True)
    if not isinstance(pinned, bool):
        raise Invalid(_("“pinned” must be true or false."), fields={"pinned": _("Not true or false.")})
    message = await conn.run(services.pin, conn.user, _int(data, "id"), pinned)
    await conn.reply(data, {"type": "ok", "id": message.pk})


@frame("read", rooms=_room, checks_access=False)
async def read(conn: Connection, data: dict) -> None:
    await conn.run(services.mark_read, conn.user, _int(data, "room"), _int(data, "seq"))


@frame("typing", rooms=_room, checks_access=False)
async def typing(conn: Connection, data: dict) -> None:
    await conn.run(services.announce_typing, conn.user, _int(data, "room"))


@frame("sync", rooms=_synced_rooms, checks_access=False, catching_up=True)
async def sync(conn: Connection, data: dict) -> None:
    """What the client missed: new messages after `rooms` (room -> last seq with no gap before it)
    and, for `versions` (room -> version), changes to the messages it has (docs/protocol.md)."""
    if not isinstance(data.get("rooms"), dict):
        raise Invalid(_("“rooms” must map room ids to the last seq you have."), fields={"rooms": _("Not a map.")})
    seqs, versions = _positions(data, "rooms"), _positions(data, "versions")
    found = await conn.run(_catch_up, conn.user, seqs, versions)
    for message in found["new"]:
        await conn.send_event({"type": "message.new", "message": message})
    for message in found["changed"]:
        kind = "message.deleted" if message["deleted"] else "message.updated"
        await conn.send_event({"type": kind, "message": message})
    done = {"type": "sync.truncated" if found["truncated"] else "sync.done", "versions": found["versions"]}
    await conn.reply(data, done)


def _catch_up(user, seqs: dict[int, int], versions: dict[int, int]) -> dict:
    caught = catch_up(user, seqs, versions)
    return {
        "new": selectors.messages_out(caught.messages, caught.extras),
        "changed": selectors.messages_out(caught.changed, caught.extras),
        "versions": {str(room): version for room, version in caught.versions.items()},
        "truncated": caught.truncated,
    }
