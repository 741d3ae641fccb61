"""A reconnecting client's catch-up on PostgreSQL: each part in one statement, no ORM on the way.

chat.catchup takes this path when it can; SQLite goes the portable way (the ORM). After a restart
every client reconnects and syncs at once, and a sync through the ORM cost about 4 ms of CPU
(four queries compiled, three models built per message, reactions and files looked up apart):
most of the reconnect storm's time (docs/performance.md, issue #12). Here the messages come with
their authors, people, reactions and files in one statement whose text never changes (the rooms
and positions travel as arrays), and the models are built from the row as the ORM would.
"""

from django.contrib.auth import get_user_model
from django.db import connection

from chat.models import Attachment, Membership, Message, Room

User = get_user_model()
Person = User._meta.get_field("person").related_model  # the directory's person of an account

_PARTS = [(Message, "m"), (User, "u"), (Person, "p")]
_FIELDS = {model: [field.attname for field in model._meta.concrete_fields] for model, _alias in _PARTS}
_COLUMNS = ", ".join(
    f"{alias}.{connection.ops.quote_name(field.column)}"
    for model, alias in _PARTS
    for field in model._meta.concrete_fields
)
_FILE_FIELDS = ("id", "name", "size", "content_type", "is_image")  # what chat.selectors.attachment_out shows

_SELECT = f"""
SELECT {_COLUMNS},
    (SELECT json_agg(json_build_array(r.emoji, r.user_id) ORDER BY r.id)
       FROM chat_reaction r WHERE r.message_id = m.id),
    (SELECT json_agg(json_build_array({", ".join(f"f.{name}" for name in _FILE_FIELDS)}) ORDER BY f.id)
       FROM {Attachment._meta.db_table} f WHERE f.message_id = m.id)
"""  # noqa: S608 - column and table names from the models only

_JOINS = f"""
LEFT JOIN {User._meta.db_table} u ON u.id = m.author_id
LEFT JOIN {Person._meta.db_table} p ON p.{Person._meta.get_field("user").column} = u.id
"""

NEW = f"""
{_SELECT}
FROM unnest(%(rooms)s::bigint[], %(seqs)s::bigint[]) AS asked(room_id, seq)
JOIN {Membership._meta.db_table} ms ON ms.room_id = asked.room_id AND ms.user_id = %(user)s
JOIN chat_message m ON m.room_id = asked.room_id AND m.seq > asked.seq
{_JOINS}
ORDER BY m.room_id, m.seq
LIMIT %(limit)s
"""

CHANGED = f"""
{_SELECT}
FROM unnest(%(rooms)s::bigint[], %(versions)s::bigint[], %(upto)s::bigint[]) AS asked(room_id, version, upto)
JOIN chat_message m ON m.room_id = asked.room_id AND m.version > asked.version
    AND (asked.upto IS NULL OR m.seq <= asked.upto)
{_JOINS}
ORDER BY m.room_id, m.version
LIMIT %(limit)s
"""

CURRENT = f"""
SELECT ms.room_id, r.version FROM {Membership._meta.db_table} ms JOIN {Room._meta.db_table} r ON r.id = ms.room_id
WHERE ms.user_id = %(user)s AND ms.room_id = ANY(%(rooms)s::bigint[])
"""  # noqa: S608


def _converters(model) -> list[tuple[int, list, object]]:
    """(position, converters, column) of the model's fields whose database values need converting
    (a JSON field's text, say), as the ORM's compiler applies them."""
    found = []
    for position, field in enumerate(model._meta.concrete_fields):
        column = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if converters:
            found.append((position, converters, column))
    return found


_CONVERTERS = {model: _converters(model) for model, _alias in _PARTS}

# What came with each message: its reactions (emoji -> the people, in the order given) and files.
Extras = dict[int, tuple[dict[str, list[int]], list[Attachment]]]


def usable() -> bool:
    return connection.vendor == "postgresql"


def current_versions(user, room_ids) -> dict[int, int]:
    """room -> its version, for the user's rooms among room_ids."""
    with connection.cursor() as cursor:
        cursor.execute(CURRENT, {"user": user.pk, "rooms": list(room_ids)})
        return dict(cursor.fetchall())


def new_messages(user, seqs: dict[int, int], limit: int) -> tuple[list[Message], Extras]:
    """The messages after each room's seq, in the user's rooms only, in room and seq order."""
    params = {"user": user.pk, "rooms": list(seqs), "seqs": list(seqs.values()), "limit": limit}
    return _messages(NEW, params)


def changed_messages(behind: dict[int, int], seqs: dict[int, int], limit: int) -> tuple[list[Message], Extras]:
    """The messages changed after each room's version, up to the room's seq the client has."""
    rooms = list(behind)
    params = {
        "rooms": rooms,
        "versions": [behind[room] for room in rooms],
        "upto": [seqs.get(room) for room in rooms],
        "limit": limit,
    }
    return _messages(CHANGED, params)


def _messages(sql: str, params: dict) -> tuple[list[Message], Extras]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    messages, extras = [], {}
    for row in rows:
        message, author, person, start = None, None, None, 0
        for model, _alias in _PARTS:
            values = row[start : start + len(_FIELDS[model])]
            start += len(_FIELDS[model])
            if _CONVERTERS[model] and values[0] is not None:
                values = list(values)
                for position, converters, column in _CONVERTERS[model]:
                    for convert in converters:
                        values[position] = convert(values[position], column, connection)
            if model is Message:
                message = Message.from_db(connection.alias, _FIELDS[model], values)
            elif values[0] is not None:  # a LEFT JOIN found it
                built = model.from_db(connection.alias, _FIELDS[model], values)
                author, person = (built, person) if model is User else (author, built)
        # As select_related("author__person") leaves them: no query when message_out reads them.
        if author is not None:
            author._state.fields_cache["person"] = person
        message._state.fields_cache["author"] = author
        reactions: dict[str, list[int]] = {}
        for emoji, user_id in row[start] or ():
            reactions.setdefault(emoji, []).append(user_id)
        files = [
            Attachment(message_id=message.pk, **dict(zip(_FILE_FIELDS, values, strict=True)))
            for values in row[start + 1] or ()
        ]
        messages.append(message)
        extras[message.pk] = (reactions, files)
    return messages, extras
