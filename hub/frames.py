"""Socket frames the hub itself answers."""

from hub.protocol import Connection, frame


@frame("ping")
async def ping(conn: Connection, data: dict) -> None:
    await conn.reply(data, {"type": "pong"})
