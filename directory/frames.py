"""Socket frames of the directory: presence chosen by the person, idle or not, and socket lifecycle."""

from django.utils.translation import gettext as _

from directory import services
from hub.dbwork import in_presence_order
from hub.errors import Invalid
from hub.protocol import Connection, frame, on_socket

on_socket("open")(services.connections_opened)
on_socket("alive")(services.connections_alive)
on_socket("close")(services.connection_closed)


@frame("presence.set", rooms=lambda data: set())
async def presence_set(conn: Connection, data: dict) -> None:
    status = data.get("status")
    if status is not None and not isinstance(status, str):
        raise Invalid(_("Presence is one of available, busy, away or auto."))
    chosen = await in_presence_order(services.choose_presence)(conn.user, status)
    await conn.reply(data, {"type": "presence.set", "status": chosen})


@frame("presence.idle", rooms=lambda data: set())
async def presence_idle(conn: Connection, data: dict) -> None:
    idle = data.get("idle")
    if not isinstance(idle, bool):
        raise Invalid(_("'idle' must be true or false."), fields={"idle": _("Not true or false.")})
    await in_presence_order(services.connection_alive)(conn.user.pk, conn.conn_id, idle)
