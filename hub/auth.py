"""Socket authentication: bearer tokens in the Authorization header, and reading request headers."""

from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser

from hub.tokens import bearer_from_header, token_for


def header(scope, name: bytes) -> str | None:
    """One request header of an ASGI scope, decoded as HTTP headers are (latin-1)."""
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin1")
    return None


class BearerTokenMiddleware:
    """Authenticates a socket by `Authorization: Bearer`, which then wins over any session cookie.

    Tokens are never read from the query string: URLs end up in access logs (DESIGN.md §8).
    """

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        value = header(scope, b"authorization")
        if value is not None:
            token = bearer_from_header(value)
            found = await database_sync_to_async(token_for)(token) if token else None
            user = found.user if found is not None else AnonymousUser()
            token_id = found.pk if found is not None else None
            scope = {**scope, "user": user, "auth_method": "token", "token_id": token_id}
        else:
            scope = {**scope, "auth_method": "session"}
        return await self.inner(scope, receive, send)
