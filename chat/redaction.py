"""Erasing words (an applicant's name, after the retention period) from a room's messages while
keeping the discussion. Re-exported by chat.services."""

import html as html_module
import re

from django.db import connection, transaction

from chat import selectors
from chat.models import Message, MessageEdit
from hub import realtime

TAKE_NEXT_VERSION = "UPDATE chat_room SET version = version + 1 WHERE id = %s RETURNING version"


def redact_words(room_id: int, words: list[str], replacement: str) -> int:
    """Replace each of `words` (longest first, any case) in the room's messages, their HTML and
    their edit history; returns how many messages changed. Reconnecting clients get the new text."""
    words = sorted({w.strip() for w in words if w and len(w.strip()) >= 2}, key=len, reverse=True)
    if not words:
        return 0
    plain = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    escaped = re.compile("|".join(re.escape(html_module.escape(w)) for w in words), re.IGNORECASE)
    changed = 0
    with transaction.atomic():
        for message in Message.objects.filter(room_id=room_id, deleted_at__isnull=True).select_related("author"):
            body, html = (
                plain.sub(replacement, message.body),
                escaped.sub(html_module.escape(replacement), message.html),
            )
            if (body, html) == (message.body, message.html):
                continue
            with connection.cursor() as cursor:
                cursor.execute(TAKE_NEXT_VERSION, [room_id])
                message.version = cursor.fetchone()[0]
            message.body, message.html = body, html
            message.save(update_fields=["body", "html", "version"])
            realtime.publish_to_room(room_id, {"type": "message.updated", "message": selectors.message_out(message)})
            changed += 1
        for edit in MessageEdit.objects.filter(message__room_id=room_id):
            body = plain.sub(replacement, edit.body)
            if body != edit.body:
                MessageEdit.objects.filter(pk=edit.pk).update(body=body)
    return changed
