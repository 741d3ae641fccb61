"""Socket frames of chat (DESIGN.md §3): send, edit, delete, react, read, typing, sync."""

from channels.db import database_sync_to_async
from django.utils.translation import gettext as _

from chat import selectors, services
from hub.errors import Invalid
from hub.protocol import Connection, frame


def _int(data: dict, key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(_("“%(key)s” must be a number.") % {"key": key}, fields={key: _("Not a number.")})
    return value


@frame("message.send")
async def message_send(conn: Connection, data: dict) -> None:
    room_id = _int(data, "room")
    thread = data.get("thread")
    if thread is not None:
        thread = _int(data, "thread")
    out = await database_sync_to_async(_send)(conn.user, room_id, data, thread)
    await conn.reply(data, {"type": "ack", "client_id": out["client_id"], "message": out})


def _send(user, room_id: int, data: dict, thread: int | None) -> dict:
    # One trip to the database thread per send: the rate check, the message, the ack's payload.
    message, _created = services.send_message(
        user, room_id, data.get("body"), data.get("client_id") or "", thread, data.get("attachments")
    )
    return getattr(message, "payload", None) or selectors.message_out(message)


@frame("message.edit")
async def message_edit(conn: Connection, data: dict) -> None:
    message = await database_sync_to_async(services.edit_message)(conn.user, _int(data, "id"), data.get("body"))
    await conn.reply(data, {"type": "ok", "id": message.pk})


@frame("message.delete")
async def message_delete(conn: Connection, data: dict) -> None:
    message = await database_sync_to_async(services.delete_message)(conn.user, _int(data, "id"))
    await conn.reply(data, {"type": "ok", "id": message.pk})


async def _react(conn: Connection, data: dict, add: bool) -> None:
    message = await database_sync_to_async(services.react)(conn.user, _int(data, "id"), data.get("emoji"), add)
    await conn.reply(data, {"type": "ok", "id": message.pk})


@frame("reaction.add")
async def reaction_add(conn: Connection, data: dict) -> None:
    await _react(conn, data, add=True)


@frame("reaction.remove")
async def reaction_remove(conn: Connection, data: dict) -> None:
    await _react(conn, data, add=False)


@frame("message.pin")
async def message_pin(conn: Connection, data: dict) -> None:
    pinned = data.get("pinned", True)
    if not isinstance(pinned, bool):
        raise Invalid(_("“pinned” must be true or false."), fields={"pinned": _("Not true or false.")})
    message = await database_sync_to_async(services.pin)(conn.user, _int(data, "id"), pinned)
    await conn.reply(data, {"type": "ok", "id": message.pk})


@frame("read")
async def read(conn: Connection, data: dict) -> None:
    await database_sync_to_async(services.mark_read)(conn.user, _int(data, "room"), _int(data, "seq"))


@frame("typing")
async def typing(conn: Connection, data: dict) -> None:
    await database_sync_to_async(services.announce_typing)(conn.user, _int(data, "room"))


@frame("sync")
async def sync(conn: Connection, data: dict) -> None:
    positions = data.get("rooms")
    if not isinstance(positions, dict):
        raise Invalid(_("“rooms” must map room ids to the last seq you have."), fields={"rooms": _("Not a map.")})
    messages, truncated = await database_sync_to_async(selectors.missed)(conn.user, positions)
    out = await database_sync_to_async(selectors.messages_out)(messages)
    for message in out:
        await conn.send_event({"type": "message.new", "message": message})
    await conn.reply(data, {"type": "sync.truncated" if truncated else "sync.done"})
