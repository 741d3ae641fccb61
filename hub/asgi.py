"""ASGI entry point: HTTP goes to Django, /ws/ to the one HubConsumer."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up first)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path, re_path  # noqa: E402

from hub.auth import BearerTokenMiddleware  # noqa: E402
from hub.consumers import HubConsumer, UnknownSocketPath  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AuthMiddlewareStack(
            BearerTokenMiddleware(
                URLRouter([path("ws/", HubConsumer.as_asgi()), re_path(r"", UnknownSocketPath.as_asgi())])
            )
        ),
    }
)
