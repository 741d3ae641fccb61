"""Whether an open socket's credentials still hold: the person active, the password, the session
and the API token it was opened with all unchanged since.

HTTP requests re-authenticate every time; a socket authenticates once. So a socket remembers what
it was opened with, checks it again before acting on any frame (one query), and every
WS_ACCESS_SWEEP_SECONDS the process checks all its sockets at once (hub.heartbeat), which closes
the idle ones too when the change was made where the channel layer cannot carry the news (another
process on the in-memory layer, a script changing rows in bulk). Changes made through the models
close the sockets at once, in every process (hub.signals → hub.realtime.end_access/end_token).
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from hub.errors import HubError
from hub.models import ApiToken

# The database session backend keeps sessions in a table that one query can check; with the
# cache backends a session ends only by logout (hub.signals), which closes its sockets anyway.
_DB_SESSIONS = settings.SESSION_ENGINE in {
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
}


class Ended(Exception):
    """The socket's credentials no longer hold: nothing was done, and the socket is to close."""


@dataclass(frozen=True)
class Credentials:
    """What a socket was opened with. The password hash is kept because changing a password must
    end every session and socket of the person, as Django's session auth hash does over HTTP."""

    user_id: int
    password: str
    session_key: str | None = None
    token_id: int | None = None


def credentials_of(scope: dict, user) -> Credentials:
    session = scope.get("session") if scope.get("auth_method") == "session" else None
    return Credentials(
        user_id=user.pk,
        password=user.password,
        session_key=getattr(session, "session_key", None) if _DB_SESSIONS else None,
        token_id=scope.get("token_id"),
    )


def condition(credentials: Credentials, now_param: str = "access_now") -> tuple[str, dict]:
    """`still_hold` as an SQL condition with named parameters, for a statement that checks the
    credentials in its own round trip (the send path, chat.sending). `now_param` names a parameter
    the caller already passes with the current time, adapted for the database (or leaves it to this)."""
    user_table = get_user_model()._meta.db_table
    sql = (
        f"EXISTS (SELECT 1 FROM {user_table} u"  # noqa: S608 - table names only
        " WHERE u.id = %(access_user)s AND u.is_active AND u.password = %(access_password)s"
    )
    params: dict = {"access_user": credentials.user_id, "access_password": credentials.password}
    if credentials.token_id is not None:
        sql += (
            f" AND EXISTS (SELECT 1 FROM {ApiToken._meta.db_table} t"  # noqa: S608
            " WHERE t.id = %(access_token)s AND t.user_id = u.id AND t.revoked_at IS NULL)"
        )
        params["access_token"] = credentials.token_id
    if credentials.session_key is not None:
        sql += (
            " AND EXISTS (SELECT 1 FROM django_session s"  # noqa: S608 - a parameter's name only
            f" WHERE s.session_key = %(access_session)s AND s.expire_date > %({now_param})s)"
        )
        params["access_session"] = credentials.session_key
        if now_param == "access_now":
            params["access_now"] = connection.ops.adapt_datetimefield_value(timezone.now())
    return sql + ")", params


def still_hold(credentials: Credentials) -> bool:
    """One query: may this socket still act for its person?"""
    sql, params = condition(credentials)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 WHERE {sql}", params)
        return cursor.fetchone() is not None


def require(credentials: Credentials | None) -> None:
    """Raise Ended unless the credentials still hold (None: nothing to check)."""
    if credentials is not None and not still_hold(credentials):
        raise Ended()


def checked(credentials: Credentials | None, work, args: tuple):
    """work(*args), once `still_hold(credentials)` (None: nothing to check): in one trip to the
    database thread."""
    require(credentials)
    return work(*args)


def checked_by_work(credentials: Credentials | None, work, args: tuple):
    """work(credentials, *args), which checks the credentials in a statement of its own and raises
    Ended when they no longer hold: the send path's one round trip (chat.sending). When the work
    refuses the frame before its statement ran (bad input), the credentials are checked here, so
    that no answer but the close reaches a socket whose access has ended."""
    try:
        return work(credentials, *args)
    except HubError:
        require(credentials)
        raise


def no_longer_holding(many: list[Credentials]) -> set[Credentials]:
    """Of these, the credentials that no longer hold: three queries however many there are."""
    if not many:
        return set()
    from django.contrib.sessions.models import Session

    user_ids = {credentials.user_id for credentials in many}
    passwords = dict(get_user_model().objects.filter(pk__in=user_ids, is_active=True).values_list("pk", "password"))
    token_ids = {credentials.token_id for credentials in many if credentials.token_id is not None}
    live_tokens = set(
        ApiToken.objects.filter(pk__in=token_ids, revoked_at__isnull=True).values_list("pk", flat=True)
        if token_ids
        else ()
    )
    session_keys = {credentials.session_key for credentials in many if credentials.session_key is not None}
    live_sessions = set(
        Session.objects.filter(session_key__in=session_keys, expire_date__gt=timezone.now()).values_list(
            "session_key", flat=True
        )
        if session_keys
        else ()
    )
    return {
        credentials
        for credentials in many
        if passwords.get(credentials.user_id) != credentials.password
        or (credentials.token_id is not None and credentials.token_id not in live_tokens)
        or (credentials.session_key is not None and credentials.session_key not in live_sessions)
    }
