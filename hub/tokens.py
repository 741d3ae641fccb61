"""Issuing and checking personal API tokens."""

import functools
import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.utils import timezone

from hub.models import ApiToken

TOKEN_PREFIX = "ksp_"  # noqa: S105 - a marker, not a secret
# Writing last_used_at on every request would make each API call a write; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: AbstractBaseUser, name: str) -> str:
    """Create a token for `user` and return it; it cannot be read back later."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name[:100], digest=_digest(token), prefix=token[:12])
    return token


def user_for_token(token: str) -> AbstractBaseUser | None:
    """The active user a bearer token belongs to, or None for an unknown, revoked or malformed one."""
    found = token_for(token)
    return found.user if found is not None else None


def token_for(token: str) -> ApiToken | None:
    """The live token (with its active user, and their person if any) that a bearer token is, or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    now = timezone.now()
    if connection.vendor == "postgresql":
        return _live_token_by_sql(_digest(token), now)
    found = (
        # The person too (the directory's, if any): a socket's hello names them (hub.selectors).
        ApiToken.objects.select_related("user", "user__person")
        .filter(digest=_digest(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if found is None:
        return None
    if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found


@functools.cache
def _live_token_statement() -> tuple[str, list, list, list, type]:
    """The select_related query above written out once: compiling it took most of the CPU of
    opening a socket (docs/performance.md, issue #12). psycopg returns every column as the model
    holds it, so rows become models without Django's converters; SQLite's would need them.

    The stale last_used_at is written by the same statement (a data-modifying WITH, run once
    whether or not the SELECT reads it): a separate UPDATE, compiled by the ORM, was a second
    query and a tenth of the CPU of a connect with a token not used for a minute. As before, the
    token returned holds last_used_at as it was before this use."""
    user_model = get_user_model()
    person_model = user_model._meta.get_field("person").related_model  # the directory's

    def columns(model, alias):
        fields = model._meta.concrete_fields
        return [f'{alias}."{field.column}"' for field in fields], [field.attname for field in fields]

    token_columns, token_fields = columns(ApiToken, "t")
    user_columns, user_fields = columns(user_model, "u")
    person_columns, person_fields = columns(person_model, "p")
    # Named c0, c1, ...: the three tables share column names (id), and the UPDATE needs the token's.
    selected = [f"{column} AS c{index}" for index, column in enumerate(token_columns + user_columns + person_columns)]
    token_table, pk = ApiToken._meta.db_table, ApiToken._meta.pk.column
    pk_index = next(index for index, field in enumerate(ApiToken._meta.concrete_fields) if field.column == pk)
    sql = (
        f"WITH found AS (SELECT {', '.join(selected)} "  # noqa: S608 - model names only
        f'FROM "{token_table}" t JOIN "{user_model._meta.db_table}" u ON u.id = t.user_id '
        f'LEFT JOIN "{person_model._meta.db_table}" p ON p.user_id = u.id '
        "WHERE t.digest = %s AND t.revoked_at IS NULL AND u.is_active LIMIT 1), "
        f'touched AS (UPDATE "{token_table}" SET last_used_at = %s WHERE "{pk}" = (SELECT c{pk_index} FROM found) '
        "AND (last_used_at IS NULL OR last_used_at < %s)) "
        "SELECT * FROM found"
    )
    return sql, token_fields, user_fields, person_fields, person_model


def _live_token_by_sql(digest: str, now) -> ApiToken | None:
    sql, token_fields, user_fields, person_fields, person_model = _live_token_statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, [digest, now, now - LAST_USED_RESOLUTION])
        row = cursor.fetchone()
    if row is None:
        return None
    user_model = get_user_model()
    split, end = len(token_fields), len(token_fields) + len(user_fields)
    token = ApiToken.from_db(connection.alias, token_fields, row[:split])
    user = user_model.from_db(connection.alias, user_fields, row[split:end])
    person_values = row[end:]
    person = person_model.from_db(connection.alias, person_fields, person_values) if person_values[0] else None
    token.user = user
    # As select_related leaves it: user.person is the person, or raises DoesNotExist without one.
    user_model._meta.get_field("person").set_cached_value(user, person)
    if person is not None:
        person_model._meta.get_field("user").set_cached_value(person, user)
    return token


def revoke_token(user: AbstractBaseUser, token_id: int) -> ApiToken:
    """The person (or an admin, passing the token's owner) revokes a token: it stops working at
    once over HTTP, and the sockets opened with it close (hub.signals)."""
    token = ApiToken.objects.get(pk=token_id, user=user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def bearer_from_header(value: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header value, if that is what it is."""
    if not value:
        return None
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
