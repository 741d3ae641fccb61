"""The common send on PostgreSQL (no thread, no file, no mention) in one statement.

chat.services.send_message takes this path when it can; everything else, and SQLite, goes the
portable way (services._store: the room's row, the insert and the read pointer in a transaction).
One statement checks that the socket's credentials still hold (hub.access), that the author is
within the rate limit (chat.limits) and a member of a room that is not archived, takes the room's
next seq under its row lock, inserts the message, moves the author's read pointer past it, and
returns the room: one round trip to PostgreSQL, and in autocommit no BEGIN and COMMIT around it
(docs/performance.md, issue #12). A failed insert (the same client_id again) rolls back the whole
statement, the seq with it, so seqs stay gapless.
"""

import functools

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone

from chat import limits
from chat.models import Message, Room
from hub import access
from hub.access import Credentials

ROOM_COLUMNS = [field.column for field in Room._meta.concrete_fields]
ROOM_FIELDS = [field.attname for field in Room._meta.concrete_fields]

# What may stop the send before anything is written: the socket's credentials (hub.access, TRUE
# when there are none to check) and the author's messages in the rate limit's window (chat.limits).
SEND = """
WITH allowed AS (
    SELECT {holds} AS holds, (
        SELECT count(*) FROM (
            SELECT 1 FROM chat_message
            WHERE author_id = %(author)s AND created_at > %(since)s LIMIT %(limit)s
        ) recent
    ) < %(limit)s AS within_limit
), member AS (
    SELECT {room_columns}
    FROM chat_membership m JOIN chat_room r ON r.id = m.room_id
    WHERE m.room_id = %(room)s AND m.user_id = %(author)s AND (SELECT holds AND within_limit FROM allowed)
), next AS (
    UPDATE chat_room SET last_seq = last_seq + 1
    WHERE id = (SELECT id FROM member WHERE archived_at IS NULL)
    RETURNING id, last_seq
), stored AS (
    INSERT INTO chat_message
        (room_id, seq, author_id, body, html, thread_id, client_id, created_at, reply_count, version)
    SELECT id, last_seq, %(author)s, %(body)s, %(html)s, NULL, %(client_id)s, %(created_at)s, 0, 0 FROM next
    RETURNING id, seq
), author_read AS (
    UPDATE chat_membership SET last_read_seq = GREATEST(last_read_seq, stored.seq)
    FROM stored WHERE chat_membership.room_id = %(room)s AND chat_membership.user_id = %(author)s
)
SELECT allowed.holds, allowed.within_limit, stored.id, stored.seq, member.*
FROM allowed LEFT JOIN member ON TRUE LEFT JOIN stored ON TRUE
"""
ROOM_COLUMNS_SQL = ", ".join(f"r.{column}" for column in ROOM_COLUMNS)


def usable() -> bool:
    return connection.vendor == "postgresql"


def store(
    author: AbstractBaseUser, room_id: int, body: str, html: str, client_id: str, credentials: Credentials | None
) -> Message | None:
    """The stored message (its room loaded), or None when the author may not post in the room now
    (not a member, or the room is archived or gone): the caller then finds out why. Raises
    access.Ended when the credentials (None: none to check) no longer hold, RateLimited when the
    author sent their limit of messages in the window (chat.limits), and IntegrityError when the
    author already used this client_id."""
    created_at = timezone.now()
    params = {
        "room": room_id,
        "author": author.pk,
        "body": body,
        "html": html,
        "client_id": client_id,
        "created_at": connection.ops.adapt_datetimefield_value(created_at),
        "since": connection.ops.adapt_datetimefield_value(limits.send_window_start(created_at)),
        "limit": settings.CHAT_SEND_LIMIT,
    }
    holds = "TRUE"
    if credentials is not None:
        holds, access_params = access.condition(credentials, now_param="created_at")
        params.update(access_params)
    if connection.in_atomic_block:  # inside someone's transaction: a failed insert must not end it
        with transaction.atomic():
            row = _execute(_statement(holds), params)
    else:
        row = _execute(_statement(holds), params)
    holding, within_limit, message_id, seq, *room_values = row
    if not holding:
        raise access.Ended()
    if not within_limit:
        limits.refuse_send()
    if message_id is None:
        return None
    room = Room.from_db(connection.alias, ROOM_FIELDS, room_values)
    fields = {"author": author, "body": body, "html": html, "client_id": client_id, "created_at": created_at}
    return as_stored(pk=message_id, room=room, seq=seq, **fields)


@functools.cache
def _statement(holds: str) -> str:
    # One text per shape of credentials (none, session, token, both): a handful in all.
    return SEND.format(holds=holds, room_columns=ROOM_COLUMNS_SQL)


def as_stored(**fields) -> Message:
    """A Message made of what was just written in raw SQL, as if loaded from the database."""
    message = Message(**fields)
    message._state.adding, message._state.db = False, connection.alias
    return message


def _execute(sql: str, params: dict):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()
