"""ASGI entry point: HTTP goes to Django, /ws/ to the one HubConsumer."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up first)
from channels.db import database_sync_to_async  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.urls import path  # noqa: E402

from hub.consumers import HubConsumer  # noqa: E402
from hub.tokens import bearer_from_header, user_for_token  # noqa: E402


class BearerTokenMiddleware:
    """Authenticates a socket by `Authorization: Bearer`, which then wins over any session cookie.

    Tokens are never read from the query string: URLs end up in access logs (DESIGN.md §8).
    """

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        header = next((v.decode("latin1") for k, v in scope.get("headers", []) if k == b"authorization"), None)
        if header is not None:
            token = bearer_from_header(header)
            user = await database_sync_to_async(user_for_token)(token) if token else None
            scope = {**scope, "user": user or AnonymousUser(), "auth_method": "token"}
        else:
            scope = {**scope, "auth_method": "session"}
        return await self.inner(scope, receive, send)


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AuthMiddlewareStack(BearerTokenMiddleware(URLRouter([path("ws/", HubConsumer.as_asgi())]))),
    }
)
