"""Socket authentication: bearer tokens in the Authorization header, and reading request headers."""

from channels.auth import AuthMiddleware, get_user
from channels.sessions import CookieMiddleware, SessionMiddleware
from django.contrib.auth.models import AnonymousUser

from hub.dbwork import on_database_threads
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
            found = await on_database_threads(token_for)(token) if token else None
            user = found.user if found is not None else AnonymousUser()
            token_id = found.pk if found is not None else None
            scope = {**scope, "user": user, "auth_method": "token", "token_id": token_id}
        else:
            scope = {**scope, "auth_method": "session"}
        return await self.inner(scope, receive, send)


class SessionAuthMiddleware(AuthMiddleware):
    """Channels' session authentication, skipped for a socket that brings a bearer token (which
    wins anyway, BearerTokenMiddleware): one trip to the database thread fewer per connect. Its
    queries run on the database threads (hub.dbwork), not on Channels' one thread per process,
    where every browser's connect used to wait for all the others (the capacity benchmark)."""

    async def resolve_scope(self, scope):
        if header(scope, b"authorization") is None:
            scope["user"]._wrapped = await on_database_threads(get_user.func)(scope)


def socket_auth(inner):
    """Channels' AuthMiddlewareStack, then the bearer token: who a socket is."""
    return CookieMiddleware(SessionMiddleware(SessionAuthMiddleware(BearerTokenMiddleware(inner))))
