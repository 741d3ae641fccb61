"""Notices the system posts in a room (a case's status, a decision): messages with no author.

Re-exported by chat.services. A notice takes the room's next seq like any message, so every
client gets it through the same message.new event, sync and history; it is rendered as a notice,
not as someone's words. It may be posted in an archived room: it records what happened.
"""

from django.db import connection, transaction
from django.utils.html import format_html
from django.utils.translation import gettext as _

from chat import markdown, selectors
from chat.models import Message, Room
from hub import realtime
from hub.errors import Invalid, NotFound

MAX_NOTICE_CHARS = 2_000
TAKE_NEXT_SEQ = "UPDATE chat_room SET last_seq = last_seq + 1 WHERE id = %s RETURNING last_seq"


def post_notice(room_id: int, text: str, link: str | None = None, link_label: str | None = None) -> Message:
    """Store a notice in the room and announce it after commit; `link` (http or https only) is shown
    under the text. Inside the caller's transaction, if any: a rolled-back change posts nothing."""
    text = (text or "").strip()
    if not text or len(text) > MAX_NOTICE_CHARS:
        raise Invalid(_("A notice needs a text of at most %(limit)s characters.") % {"limit": MAX_NOTICE_CHARS})
    if link and not link.lower().startswith(("https://", "http://")):
        raise Invalid(_("A notice's link must be an http or https address."))
    html = markdown.render(text)
    body = text
    if link:
        html += format_html(
            '<p><a href="{}" rel="noopener noreferrer" target="_blank">{}</a></p>', link, link_label or link
        )
        body = f"{text}\n{link}"
    with transaction.atomic():
        if not Room.objects.filter(pk=room_id).exists():
            raise NotFound()
        with connection.cursor() as cursor:
            # The room's row lock, held until commit, keeps seqs gapless as chat.services._store does.
            cursor.execute(TAKE_NEXT_SEQ, [room_id])
            seq = cursor.fetchone()[0]
        message = Message.objects.create(room_id=room_id, seq=seq, author=None, body=body, html=html)
        realtime.publish_to_room(room_id, {"type": "message.new", "message": selectors.message_out(message, {}, [])})
    return message
