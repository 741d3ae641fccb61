"""ASGI entry point: HTTP goes to Django, /ws/ to the one HubConsumer."""

import asyncio
import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.urls import path, re_path  # noqa: E402

from hub import realtime  # noqa: E402
from hub.auth import socket_auth  # noqa: E402  (needs Django set up first)
from hub.consumers import HubConsumer, UnknownSocketPath  # noqa: E402
from hub.observe import NoteUser, Observe  # noqa: E402


class BindLoop:
    """Tells hub.realtime which event loop serves this process (see realtime.bind_loop)."""

    def __init__(self, inner):
        self.inner = inner
        self.loop = None

    async def __call__(self, scope, receive, send):
        loop = asyncio.get_running_loop()
        if loop is not self.loop:  # once in a server; tests run the application on several loops
            realtime.bind_loop(loop)
            self.loop = loop
        return await self.inner(scope, receive, send)


if settings.JOBS_IN_SERVER:
    from hub.jobs import start_in_process

    start_in_process()

# Observe: a request id, one log line per request and per socket, the socket metrics (hub.observe).
application = Observe(
    BindLoop(
        ProtocolTypeRouter(
            {
                "http": django_asgi_app,
                "websocket": socket_auth(
                    NoteUser(URLRouter([path("ws/", HubConsumer.as_asgi()), re_path(r"", UnknownSocketPath.as_asgi())]))
                ),
            }
        )
    )
)

# A full garbage collection of a process holding thousands of sockets took 0.3-0.7 s, and while
# sockets were opening one came every 1-2 s: the loop stood still and so did every delivery (the
# reconnect storm, docs/performance.md). What start-up loaded stays for the process's life and is
# set aside from collections; full collections run at most a tenth as often (the young
# generations, where most garbage dies, are collected as before).
gc.freeze()
gc.set_threshold(700, 10, 100)
