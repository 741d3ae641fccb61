"""The baselines of the chat benchmark: a raw websockets broadcast server and a bare Channels one.

Both speak the benchmark's tiny protocol: connect to /ws/?room=N, send a text frame, and every
socket of room N (the sender's too) receives it as it is.
"""

import asyncio
import os
import sys
from collections import defaultdict
from urllib.parse import parse_qs, urlsplit


def raw_websockets(port: int) -> None:
    """The ceiling of Python fan-out: one process, no framework, no layer."""
    import websockets

    rooms: dict[str, set] = defaultdict(set)

    async def handler(socket):
        room = parse_qs(urlsplit(socket.request.path).query).get("room", ["0"])[0]
        rooms[room].add(socket)
        try:
            async for frame in socket:
                websockets.broadcast(rooms[room], frame)
        finally:
            rooms[room].discard(socket)

    async def main():
        async with websockets.serve(handler, "127.0.0.1", port, max_size=2**20):
            await asyncio.Future()

    asyncio.run(main())


# --- A bare Channels broadcast consumer, served by Daphne with the hub's channel layer ------------


def bare_channels_application():
    import django
    from django.conf import settings

    if not settings.configured:
        redis_url = os.environ.get("REDIS_URL", "")
        kind = os.environ.get("CHANNEL_LAYER", "pubsub")
        backend = {
            "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "core": "channels_redis.core.RedisChannelLayer",
        }[kind]
        settings.configure(
            INSTALLED_APPS=["channels"],
            SECRET_KEY="bench-only" * 6,
            ALLOWED_HOSTS=["*"],
            CHANNEL_LAYERS={"default": {"BACKEND": backend, "CONFIG": {"hosts": [redis_url], "prefix": "benchbare"}}},
        )
        django.setup()
    from channels.generic.websocket import AsyncWebsocketConsumer
    from channels.routing import ProtocolTypeRouter, URLRouter
    from django.urls import path

    class Broadcast(AsyncWebsocketConsumer):
        async def connect(self):
            query = parse_qs(self.scope.get("query_string", b"").decode())
            self.room = f"room.{query.get('room', ['0'])[0]}"
            await self.channel_layer.group_add(self.room, self.channel_name)
            await self.accept()

        async def disconnect(self, code):
            await self.channel_layer.group_discard(self.room, self.channel_name)

        async def receive(self, text_data=None, bytes_data=None):
            await self.channel_layer.group_send(self.room, {"type": "relay", "text": text_data})

        async def relay(self, message):
            await self.send(text_data=message["text"])

    return ProtocolTypeRouter({"websocket": URLRouter([path("ws/", Broadcast.as_asgi())])})


if __name__ == "__main__":
    raw_websockets(int(sys.argv[1]))
