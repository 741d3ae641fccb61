"""Writes of chat: messages, reactions, pins, typing and read pointers; and, from chat.rooms,
rooms and who belongs to them.

Every message is stored before anyone is told: events go out through hub.realtime after commit.
Other apps (meetings, licensing) create their rooms and post through here.
"""

import unicodedata

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from chat import attachments, limits, markdown, selectors, sending
from chat.models import Attachment, Membership, Message, MessageEdit, Reaction, Room
from chat.notices import post_notice  # noqa: F401 - system notices (licensing, meetings) go through chat.services
from chat.redaction import redact_words  # noqa: F401 - erasing a name from a room (licensing's retention)
from chat.rooms import (  # noqa: F401 - chat's writes are reached through chat.services
    MAX_DIRECT_PEOPLE,
    add_members,
    archive_room,
    create_room,
    invite,
    join_channel,
    leave_room,
    open_direct,
    open_direct_by_ids,
    remove_from_room,
    remove_member,
    set_archived,
    start_room,
)
from hub import access, realtime
from hub.errors import Forbidden, Invalid, NotFound, TooLarge

MAX_BODY_CHARS = 10_000
MAX_CLIENT_ID_CHARS = 100
MAX_EMOJI_CHARS = 16
MAX_EMOJI_KINDS = 20  # different emoji on one message
MAX_REACTIONS_EACH = 10  # one person's reactions on one message
MAX_EDITS_KEPT = 20


# --- Messages ------------------------------------------------------------------------------------


def send_message(
    user: AbstractBaseUser,
    room_id: int,
    body: str,
    client_id: str = "",
    thread_id: int | None = None,
    attachment_ids: list | None = None,
    credentials: access.Credentials | None = None,
) -> tuple[Message, bool]:
    """Store a message and announce it; returns (message, created).

    The same client_id from the same author returns the first message (a resend after a lost
    ack); with a different body it is refused. Seqs count up by one per room with no gaps: the
    room's counter is taken under its row lock and rolls back with a failed insert. A socket's
    `credentials` are checked before anything is written (access.Ended when they no longer hold).

    This is the hot path (bench/chat.py): on PostgreSQL the common send (no thread, no file, no
    mention) is one statement (chat.sending), the access check and the rate limit included;
    otherwise six, four of them in raw SQL (_store). The message as announced is left on
    `message.payload` for the caller's ack.
    """
    body = _clean_body(body, allow_empty=bool(attachment_ids))
    client_id = (client_id or "").strip()
    if len(client_id) > MAX_CLIENT_ID_CHARS:
        raise Invalid(_("client_id is at most %(limit)s characters.") % {"limit": MAX_CLIENT_ID_CHARS})
    if thread_id is None and not attachment_ids and sending.usable() and not markdown.mentioned_handles(body):
        sent = _send_in_one_statement(user, room_id, body, client_id, credentials)
        if sent is not None:
            return sent
        credentials = None  # the statement found them holding
    access.require(credentials)
    limits.check_send(user)
    room = selectors.room_to_post_in(user, room_id)
    if client_id and attachment_ids:
        # Its files are already tied to the first message: answer with that one before checking them.
        earlier = _earlier_send(user, client_id, body, room_id)
        if earlier is not None:
            return earlier, False
    thread = None
    if thread_id is not None:
        thread = Message.objects.filter(room=room, pk=thread_id, deleted_at__isnull=True).first()
        if thread is None:
            raise NotFound(_("The message you are replying to is not in this room."))
        thread = thread.thread or thread  # a reply to a reply joins the same thread
    files = attachments.attach(user, room.pk, attachment_ids) if attachment_ids else []
    html, mentioned = _render(body, room, user)  # before taking the room's lock, which others wait on
    try:
        with transaction.atomic():
            message = _store(room, user, body, html, thread, client_id)
            if files:
                Attachment.objects.filter(pk__in=[f.pk for f in files]).update(message=message)
            if thread is not None:
                Message.objects.filter(pk=thread.pk).update(reply_count=F("reply_count") + 1)
            for file in files:
                file.message = message
            out = message.payload = selectors.message_out(message, reactions={}, files=files)
            realtime.publish_to_room(room.pk, {"type": "message.new", "message": out})
            _notify(room, user, out, mentioned)
    except IntegrityError:
        # The same client_id stored by a concurrent send (another tab, another process).
        earlier = _earlier_send(user, client_id, body, room_id) if client_id else None
        if earlier is None:
            raise
        return earlier, False
    return message, True


def _send_in_one_statement(
    user, room_id, body: str, client_id: str, credentials: access.Credentials | None
) -> tuple[Message, bool] | None:
    """send_message's common case on PostgreSQL; None when the portable path must say why not."""
    room_id = int(room_id)
    if not 0 < room_id < 2**63:
        raise NotFound()
    try:
        message = sending.store(user, room_id, body, markdown.render(body), client_id, credentials)
    except IntegrityError:
        # The same client_id stored before (a resend after a lost ack), or by a concurrent send.
        earlier = _earlier_send(user, client_id, body, room_id) if client_id else None
        if earlier is None:
            raise
        return earlier, False
    if message is None:
        return None
    out = message.payload = selectors.message_out(message, reactions={}, files=[])
    realtime.publish_to_room(room_id, {"type": "message.new", "message": out})
    _notify(message.room, user, out, set())
    return message, True


# The hot path in raw SQL that PostgreSQL and SQLite (≥ 3.35) both run: the ORM's compiling of
# the same three statements cost more CPU than everything else in a send (docs/performance.md).
TAKE_NEXT_SEQ = "UPDATE chat_room SET last_seq = last_seq + 1 WHERE id = %s RETURNING last_seq"
INSERT_MESSAGE = (
    "INSERT INTO chat_message "
    "(room_id, seq, author_id, body, html, thread_id, client_id, created_at, reply_count, version) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 0, 0) RETURNING id"
)
AUTHOR_HAS_READ = (
    "UPDATE chat_membership SET last_read_seq = CASE WHEN last_read_seq < %s THEN %s ELSE last_read_seq END "
    "WHERE room_id = %s AND user_id = %s"
)


def _store(room: Room, author: AbstractBaseUser, body: str, html: str, thread, client_id: str) -> Message:
    """Take the room's next seq (under its row lock, held until commit), insert the message, and
    move the author's read pointer past it. Inside the caller's transaction."""
    created_at = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(TAKE_NEXT_SEQ, [room.pk])
        seq = cursor.fetchone()[0]
        cursor.execute(
            INSERT_MESSAGE,
            [
                room.pk,
                seq,
                author.pk,
                body,
                html,
                thread.pk if thread else None,
                client_id,
                connection.ops.adapt_datetimefield_value(created_at),
            ],
        )
        message_id = cursor.fetchone()[0]
        cursor.execute(AUTHOR_HAS_READ, [seq, seq, room.pk, author.pk])
    return sending.as_stored(
        pk=message_id,
        room=room,
        seq=seq,
        author=author,
        body=body,
        html=html,
        thread=thread,
        client_id=client_id,
        created_at=created_at,
    )


TAKE_NEXT_VERSION = "UPDATE chat_room SET version = version + 1 WHERE id = %s RETURNING version"


def _mark_changed(message: Message) -> None:
    """Give a stored message the room's next version, so that a client that reconnects asks for it
    (selectors.changed_since). First in its transaction: the room's row lock, taken here until
    commit, is the first lock a send takes too, so the two never wait on each other in a circle."""
    with connection.cursor() as cursor:
        cursor.execute(TAKE_NEXT_VERSION, [message.room_id])
        message.version = cursor.fetchone()[0]


def _earlier_send(user, client_id: str, body: str, room_id: int) -> Message | None:
    earlier = Message.objects.select_related("author__person").filter(author=user, client_id=client_id).first()
    if earlier is None:
        return None
    if earlier.body != body or earlier.room_id != room_id:
        raise Invalid(
            _("This client_id was already used for a different message."), fields={"client_id": _("Already used.")}
        )
    return earlier


def edit_message(user: AbstractBaseUser, message_id: int, body: str) -> Message:
    body = _clean_body(body)
    message = _message_for(user, message_id)
    if message.author_id != user.pk:
        raise Forbidden(_("Only the author can edit a message."))
    if message.deleted_at is not None:
        raise Invalid(_("A deleted message cannot be edited."))
    selectors.ensure_can_post(user, message.room)
    if body == message.body:
        return message
    limits.act(user)
    with transaction.atomic():
        _mark_changed(message)
        MessageEdit.objects.create(message=message, body=message.body)
        kept = message.edits.order_by("-edited_at", "-pk").values_list("pk", flat=True)[MAX_EDITS_KEPT:]
        MessageEdit.objects.filter(pk__in=list(kept)).delete()
        message.body, message.html, message.edited_at = body, _render(body, message.room, user)[0], timezone.now()
        message.save(update_fields=["body", "html", "edited_at", "version"])
        realtime.publish_to_room(
            message.room_id, {"type": "message.updated", "message": selectors.message_out(message)}
        )
    return message


def delete_message(user: AbstractBaseUser, message_id: int) -> Message:
    """Leave a tombstone: the seq stays, the words go."""
    message = _message_for(user, message_id)
    limits.act(user)
    membership = Membership.objects.filter(room=message.room, user=user).first()
    if membership is None:
        raise NotFound()
    if message.author_id != user.pk and membership.role != Membership.Role.OWNER:
        raise Forbidden(_("Only the author or a room owner can delete a message."))
    if message.deleted_at is not None:
        return message
    with transaction.atomic():
        _mark_changed(message)
        message.edits.all().delete()
        message.reactions.all().delete()
        for file in message.attachments.all():
            file.file.delete(save=False)
        message.attachments.all().delete()
        message.body, message.html, message.deleted_at = "", "", timezone.now()
        message.save(update_fields=["body", "html", "deleted_at", "version"])
        realtime.publish_to_room(
            message.room_id, {"type": "message.deleted", "message": selectors.message_out(message)}
        )
    return message


def react(user: AbstractBaseUser, message_id: int, emoji: str, add: bool) -> Message:
    emoji = (emoji or "").strip()
    if not _is_emoji(emoji):
        raise Invalid(_("Give one emoji."), fields={"emoji": _("Not an emoji.")})
    message = _message_for(user, message_id)
    selectors.ensure_can_post(user, message.room)
    limits.act(user)
    if message.deleted_at is not None:
        raise Invalid(_("A deleted message cannot get reactions."))
    with transaction.atomic():
        _mark_changed(message)
        Message.objects.filter(pk=message.pk).update(version=message.version)
        if add:
            kinds = set(message.reactions.values_list("emoji", flat=True))
            mine = message.reactions.filter(user=user).count()
            if (emoji not in kinds and len(kinds) >= MAX_EMOJI_KINDS) or mine >= MAX_REACTIONS_EACH:
                raise Invalid(_("This message has as many reactions as it can take."))
            Reaction.objects.get_or_create(message=message, user=user, emoji=emoji)
        else:
            Reaction.objects.filter(message=message, user=user, emoji=emoji).delete()
        realtime.publish_to_room(
            message.room_id,
            {
                "type": "reaction",
                "message": message.pk,
                "room": message.room_id,
                "version": message.version,
                "reactions": selectors.reactions_of(message.pk),
            },
        )
    return message


def pin(user: AbstractBaseUser, message_id: int, pinned: bool) -> Message:
    """Any member may pin a message for the room, or take a pin down."""
    message = _message_for(user, message_id)
    selectors.ensure_can_post(user, message.room)
    limits.act(user)
    if message.deleted_at is not None:
        raise Invalid(_("A deleted message cannot be pinned."))
    with transaction.atomic():
        _mark_changed(message)
        message.pinned_at = timezone.now() if pinned else None
        message.save(update_fields=["pinned_at", "version"])
        realtime.publish_to_room(
            message.room_id, {"type": "message.updated", "message": selectors.message_out(message)}
        )
    return message


def announce_typing(user: AbstractBaseUser, room_id: int) -> None:
    """Tell the room's members this person is typing: members only, at most every second."""
    if not Membership.objects.filter(room_id=room_id, user=user).exists():
        raise NotFound()
    if limits.allow_typing(user):
        author = selectors.author_out(user)
        realtime.publish_to_room(room_id, {"type": "typing", "room": room_id, "user": author})


def mark_read(user: AbstractBaseUser, room_id: int, seq: int) -> int:
    """Move the read pointer forward (never back); returns where it stands."""
    membership = Membership.objects.filter(room_id=room_id, user=user).select_related("room").first()
    if membership is None:
        raise NotFound()
    seq = max(0, min(int(seq), membership.room.last_seq))
    Membership.objects.filter(pk=membership.pk).update(last_read_seq=Greatest("last_read_seq", seq))
    position = Membership.objects.values_list("last_read_seq", flat=True).get(pk=membership.pk)
    realtime.publish_to_user(
        user.pk, {"type": "read", "room": room_id, "seq": position, "unread": membership.room.last_seq - position}
    )
    return position


# --- Helpers -------------------------------------------------------------------------------------


def _is_emoji(text: str) -> bool:
    """One emoji, possibly with skin tone, variation selector or joined parts (👍🏽, ❤️, 👩‍💻)."""
    if not text or len(text) > MAX_EMOJI_CHARS:
        return False
    return all(
        unicodedata.category(ch) in {"So", "Sk", "Mn", "Me"} or ch in "\u200d\ufe0f" or 0x1F3FB <= ord(ch) <= 0x1F3FF
        for ch in text
    )


def _clean_body(body, allow_empty: bool = False) -> str:
    if body is None and allow_empty:
        body = ""
    if not isinstance(body, str):
        raise Invalid(_("A message is text."), fields={"body": _("Not text.")})
    body = body.strip()
    if not body and not allow_empty:
        raise Invalid(_("A message cannot be empty."), fields={"body": _("Empty.")})
    if len(body) > MAX_BODY_CHARS:
        raise TooLarge(
            _("A message may be at most %(limit)s characters; this one has %(count)s.")
            % {"limit": f"{MAX_BODY_CHARS:,}", "count": f"{len(body):,}"},
            fields={"body": _("Too long.")},
        )
    return body


def _render(body: str, room: Room, author: AbstractBaseUser) -> tuple[str, set[int]]:
    """The message's HTML, and the members it mentions: @username, or @team-code for a team. Only
    people and teams the author may see in the directory become mentions: a link would tell an
    invited expert a name they may not know; the rest stays plain text."""
    from directory.selectors import teams_by_code, visible_users

    handles = markdown.mentioned_handles(body)
    if not handles:
        return markdown.render(body), set()
    room_members = get_user_model().objects.filter(memberships__room=room)
    members = {user.pk: user for user in visible_users(author, room_members).select_related("person")}
    mentionable, mentioned = {}, set()
    for user in members.values():
        if user.username.lower() in handles:
            person = getattr(user, "person", None)
            label = (person.name_th, person.name_en) if person else user.username  # shown in the reader's language
            mentionable[user.username.lower()] = (label, f"/people/{person.pk}/" if person else "#")
            mentioned.add(user.pk)
    for code, (team_id, name, user_ids) in teams_by_code(handles - set(mentionable), author).items():
        mentionable[code] = (name, f"/people/?team={team_id}")
        mentioned |= set(user_ids) & set(members)
    return markdown.render(body, mentionable), mentioned


def _notify(room: Room, author: AbstractBaseUser, message: dict, mentioned: set[int]) -> None:
    """Mentions and direct messages ring a bell for their people (not for the author)."""
    recipients = {user_id: "mention" for user_id in mentioned}
    if room.kind == Room.Kind.DIRECT:
        for user_id in room.memberships.values_list("user_id", flat=True):
            recipients.setdefault(user_id, "direct")
    recipients.pop(author.pk, None)
    for user_id, kind in recipients.items():
        realtime.publish_to_user(
            user_id, {"type": "notification", "kind": kind, "room": room.pk, "room_name": room.name, "message": message}
        )


def _message_for(user, message_id: int) -> Message:
    message = Message.objects.select_related("room").filter(pk=message_id).first()
    if message is None or selectors.room_for(user, message.room_id) is None:
        raise NotFound()
    return message
