"""ASGI entry point: HTTP goes to Django, /ws/ to the one HubConsumer."""

import asyncio
import os
import sys

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.urls import path, re_path  # noqa: E402

from hub import collector, realtime  # noqa: E402
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
            collector.start(loop)
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

# Full garbage collections at times this process chooses, never in a reconnect storm
# (hub.collector). Not in a test run, which imports this module too: its short-lived loops would
# never run the checks, and it would then make no full collection at all.
if "pytest" not in sys.modules:
    collector.take_over()
