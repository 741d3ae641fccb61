"""Socket authentication: bearer tokens in the Authorization header, and reading request headers."""

from channels.auth import AuthMiddleware, get_user
from channels.sessions import CookieMiddleware, InstanceSessionWrapper, SessionMiddleware
from django.contrib.auth.models import AnonymousUser

from hub.dbwork import OPENING, on_database_threads
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
            found = await on_database_threads(token_for, OPENING)(token) if token else None
            user = found.user if found is not None else AnonymousUser()
            token_id = found.pk if found is not None else None
            scope = {**scope, "user": user, "auth_method": "token", "token_id": token_id}
        else:
            scope = {**scope, "auth_method": "session"}
        return await self.inner(scope, receive, send)


class SessionAuthMiddleware(AuthMiddleware):
    """Channels' session authentication with its queries on the database threads (hub.dbwork), not
    on Channels' one thread per process, where every browser's connect used to wait for all the
    others (the capacity benchmark, docs/performance.md)."""

    async def resolve_scope(self, scope):
        scope["user"]._wrapped = await on_database_threads(get_user.func, OPENING)(scope)


class SocketSessionMiddleware(SessionMiddleware):
    """Channels' SessionMiddleware without its wrapped `send`: the wrapper saves a changed session
    only along with an HTTP response, so on a socket it just checked the session on every frame
    the socket was sent (hello and every event) for as long as it was open."""

    async def __call__(self, scope, receive, send):
        wrapper = InstanceSessionWrapper(scope, send)
        await wrapper.resolve_session()
        return await self.inner(wrapper.scope, receive, send)


class SocketAuth:
    """Who a socket is: by its bearer token if it brings an Authorization header (which then wins
    over any session cookie), else by its session cookie as Channels' AuthMiddlewareStack does.
    A socket with a token skips the session and its lookup on the database thread altogether."""

    def __init__(self, inner):
        self.by_token = CookieMiddleware(BearerTokenMiddleware(inner))
        self.by_session = CookieMiddleware(SocketSessionMiddleware(SessionAuthMiddleware(BearerTokenMiddleware(inner))))

    async def __call__(self, scope, receive, send):
        by_token = header(scope, b"authorization") is not None
        return await (self.by_token if by_token else self.by_session)(scope, receive, send)


def socket_auth(inner):
    """Who a socket is (SocketAuth)."""
    return SocketAuth(inner)
