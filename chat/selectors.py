"""Reads of chat: which rooms a person may see, their messages, and what a socket is told first."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import F, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.models import Attachment, Membership, Message, Reaction, Room
from hub.errors import Forbidden, NotFound
from hub.search import clean_query

HISTORY_LIMIT = 100
SEARCH_LIMIT = 100
# The rooms an expert is invited to: sharing one of these is what lets people see each other.
INVITING_KINDS = [Room.Kind.MEETING, Room.Kind.CASE]


def users_sharing_a_room_with(user_id: int) -> QuerySet:
    """Ids of the users who share a meeting or case room with `user_id` (the user included, if any):
    whom an invited expert may see. Other rooms an expert is added to widen nothing."""
    rooms = Membership.objects.filter(user_id=user_id, room__kind__in=INVITING_KINDS).values("room_id")
    return Membership.objects.filter(room_id__in=rooms).values("user_id").distinct()


def pairs_sharing_a_room(user_ids: list[int]) -> list[tuple[int, int]]:
    """users_sharing_a_room_with() of many users in one query: (user, other user) pairs."""
    mine = Membership.objects.filter(user_id__in=user_ids, room__kind__in=INVITING_KINDS)
    return list(mine.values_list("user_id", "room__memberships__user_id").distinct())


def invitations_of(user_id: int, viewer: AbstractBaseUser) -> list[Room]:
    """The meeting and case rooms a person (an invited expert, typically) belongs to, of those the
    viewer is in too: a case's name is not for everyone who may see the expert."""
    return list(
        Room.objects.filter(memberships__user_id=user_id, kind__in=INVITING_KINDS)
        .filter(memberships__user=viewer)
        .order_by("-created_at")
        .only("id", "name", "kind", "created_at")
    )


def is_staff_member(user: AbstractBaseUser) -> bool:
    person = getattr(user, "person", None)
    return user.is_superuser or (person is not None and person.kind == "staff")


def room_for(user: AbstractBaseUser, room_id) -> Room | None:
    """The room if `user` may read it: a member, or staff looking at a public team channel."""
    try:
        room_id = int(room_id)
    except (TypeError, ValueError):
        return None
    room = Room.objects.filter(pk=room_id).first()
    if room is None:
        return None
    if Membership.objects.filter(room=room, user=user).exists():
        return room
    if room.kind == Room.Kind.CHANNEL and is_staff_member(user):
        return room
    return None


# On the send path (bench/chat.py): as raw SQL it costs a fifth of the CPU of the same ORM query.
ROOM_OF_MEMBER = (
    "SELECT chat_room.* FROM chat_room JOIN chat_membership ON chat_membership.room_id = chat_room.id "
    "WHERE chat_membership.room_id = %s AND chat_membership.user_id = %s"
)


def room_to_post_in(user: AbstractBaseUser, room_id) -> Room:
    """The room, if `user` may post in it now; one query when they may."""
    room_id = int(room_id)
    if not 0 < room_id < 2**63:  # beyond any id; SQLite would overflow on it
        raise NotFound()
    room = next(iter(Room.objects.raw(ROOM_OF_MEMBER, [room_id, user.pk])), None)
    if room is None:
        if room_for(user, room_id) is not None:
            raise Forbidden(_("Join the room to post in it."))
        raise NotFound()
    if room.archived_at is not None:
        raise Forbidden(_("This room is archived: it can be read, not written to."))
    return room


def ensure_can_post(user: AbstractBaseUser, room: Room) -> None:
    """For a room the person may read: refuse unless they may also write in it now."""
    room_to_post_in(user, room.pk)


def author_out(user) -> dict | None:
    if user is None:
        return None
    person = getattr(user, "person", None)
    username = user.get_username()
    return {
        "id": user.pk,
        "name": person.display_name if person else username,
        # Both, because an event is encoded once for readers of either language.
        "name_th": person.name_th if person else username,
        "name_en": person.name_en if person else username,
        "person": person.pk if person else None,
    }


def reactions_of(message_id: int) -> dict[str, list[int]]:
    summary: dict[str, list[int]] = {}
    for emoji, user_id in Reaction.objects.filter(message_id=message_id).order_by("pk").values_list("emoji", "user_id"):
        summary.setdefault(emoji, []).append(user_id)
    return summary


def attachment_out(attachment) -> dict:
    return {
        "id": attachment.pk,
        "name": attachment.name,
        "size": attachment.size,
        "content_type": attachment.content_type,
        "is_image": attachment.is_image,
        "url": f"/chats/files/{attachment.pk}/",
    }


def message_out(message: Message, reactions: dict | None = None, files: list | None = None) -> dict:
    """A message as the protocol and the API show it (DESIGN.md §3)."""
    deleted = message.deleted_at is not None
    return {
        "id": message.pk,
        "room": message.room_id,
        "seq": message.seq,
        "author": author_out(message.author),
        "body": "" if deleted else message.body,
        "html": "" if deleted else message.html,
        "thread": message.thread_id,
        "reply_count": message.reply_count,
        "client_id": message.client_id,
        "created_at": _iso(message.created_at),
        "edited_at": _iso(message.edited_at),
        "deleted": deleted,
        "pinned": message.pinned_at is not None and not deleted,
        "version": message.version,
        "reactions": reactions if reactions is not None else reactions_of(message.pk),
        "attachments": []
        if deleted
        else [attachment_out(a) for a in (files if files is not None else message.attachments.all())],
    }


def _iso(moment) -> str | None:
    """ISO 8601 with the Bangkok offset, as the protocol promises: 2026-11-25T14:30:00.123456+07:00."""
    return timezone.localtime(moment).isoformat() if moment else None


def messages_out(messages: list[Message], extras: dict | None = None) -> list[dict]:
    """Many messages with their reactions in one query and their files in another; none when
    `extras` (message id -> (reactions, files)) already holds them all (chat.syncing)."""
    if extras is not None and all(message.pk in extras for message in messages):
        return [message_out(message, *extras[message.pk]) for message in messages]
    summary: dict[int, dict[str, list[int]]] = {}
    # In the order given, as chat.syncing brings them.
    rows = (
        Reaction.objects.filter(message_id__in=[m.pk for m in messages])
        .order_by("pk")
        .values_list("message_id", "emoji", "user_id")
    )
    for message_id, emoji, user_id in rows:
        summary.setdefault(message_id, {}).setdefault(emoji, []).append(user_id)
    files: dict[int, list] = {}
    for attachment in Attachment.objects.filter(message_id__in=[m.pk for m in messages]).order_by("pk"):
        files.setdefault(attachment.message_id, []).append(attachment)
    return [message_out(message, summary.get(message.pk, {}), files.get(message.pk, [])) for message in messages]


def room_out(room: Room, user: AbstractBaseUser, membership: Membership | None = None, *, look_up: bool = True) -> dict:
    """A room as the person sees it; `look_up=False` when the caller knows they are not a member."""
    if membership is None and look_up:
        membership = Membership.objects.filter(room=room, user=user).first()
    last_read = membership.last_read_seq if membership else room.last_seq
    return {
        "id": room.pk,
        "kind": room.kind,
        "name": room.name or _direct_name(room, user),
        "topic": room.topic,
        "last_seq": room.last_seq,
        "version": room.version,
        "unread": max(0, room.last_seq - last_read),
        "read_seq": last_read,
        "archived": room.archived_at is not None,
        "member": membership is not None,
        "role": membership.role if membership else None,
    }


def _direct_name(room: Room, user: AbstractBaseUser) -> str:
    others = [
        author_out(membership.user)["name"]
        for membership in room.memberships.select_related("user__person").exclude(user=user)
    ]
    return ", ".join(sorted(others)) or _("Just you")


def rooms_of(user: AbstractBaseUser) -> list[dict]:
    """The rooms a person belongs to, most recent activity first (the sidebar, hello, the API)."""
    memberships = Membership.objects.filter(user=user).select_related("room").order_by("-room__last_seq", "room__name")
    return [room_out(membership.room, user, membership) for membership in memberships]


def channels_to_join(user: AbstractBaseUser) -> list[dict]:
    """Public team channels a staff member could join."""
    if not is_staff_member(user):
        return []
    rooms = Room.objects.filter(kind=Room.Kind.CHANNEL, archived_at__isnull=True).exclude(memberships__user=user)
    # Not a member of any of them by the query: no membership to look up per room (it was one
    # query per channel on every chat page, most of the page's time in an organisation of 1,500).
    return [room_out(room, user, look_up=False) for room in rooms.order_by("name")]


def members_of(room: Room) -> list[dict]:
    """Who is in a room, owners first, each as the page and the API show them."""
    memberships = room.memberships.select_related("user__person").order_by("joined_at", "pk")
    return [author_out(m.user) | {"role": m.role} for m in sorted(memberships, key=lambda m: m.role != "owner")]


def mention_candidates(room: Room, user: AbstractBaseUser) -> list[dict]:
    """Whom the composer offers after "@": the room's other members, then the teams the person may
    see, each with the handle the message carries and the words it is found by (Thai or English
    name, nickname, the handle itself)."""
    from directory.selectors import visible_teams

    found = []
    for membership in room.memberships.select_related("user__person").exclude(user=user).order_by("pk"):
        account, person = membership.user, getattr(membership.user, "person", None)
        words = [person.name_th, person.name_en, person.nickname] if person else []
        found.append(
            {
                "handle": account.get_username(),
                "label": person.display_name if person else account.get_username(),
                "search": " ".join([*words, account.get_username()]),
            }
        )
    for team in visible_teams(user).order_by("code"):
        search = f"{team.name_th} {team.name_en} {team.code}"
        found.append({"handle": team.code, "label": team.name, "search": search, "team": True})
    return found


def conversation(room: Room, user: AbstractBaseUser, limit: int = 50) -> dict:
    """What a page showing a room's conversation renders (chat/_conversation.html): the room as
    `user` sees it, its latest messages grouped by day, whether there are earlier ones, its pins."""
    messages = history(room, limit=limit)
    days: list[tuple] = []
    for message, out in zip(messages, messages_out(messages)):
        day = timezone.localtime(message.created_at).date()
        if not days or days[-1][0] != day:
            days.append((day, []))
        days[-1][1].append(out)
    return {
        "room": room_out(room, user),
        "days": days,
        "has_older": bool(messages) and messages[0].seq > 1,
        "pinned": messages_out(pinned_in(room)),
        "mention_candidates": mention_candidates(room, user),
    }


def pinned_in(room: Room) -> list[Message]:
    return list(
        Message.objects.filter(room=room, pinned_at__isnull=False, deleted_at__isnull=True)
        .select_related("author__person")
        .order_by("-pinned_at")[:50]
    )


def room_ids_of(user_id: int) -> list[int]:
    return list(Membership.objects.filter(user_id=user_id).values_list("room_id", flat=True))


# Read for every socket that opens (hello): as raw SQL it costs a fraction of the ORM's compiling.
HELLO_ROOMS = (
    "SELECT m.room_id, r.last_seq, r.version, m.last_read_seq FROM chat_membership m "
    "JOIN chat_room r ON r.id = m.room_id WHERE m.user_id = %s"
)


def hello_rooms(user: AbstractBaseUser) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(HELLO_ROOMS, [user.pk])
        rows = cursor.fetchall()
    return [
        {"id": room, "last_seq": last, "version": version, "unread": max(0, last - read)}
        for room, last, version, read in rows
    ]


def history(
    room: Room,
    *,
    before_seq: int | None = None,
    after_seq: int | None = None,
    limit: int = 50,
    thread: int | None = None,
) -> list[Message]:
    """Messages of a room in seq order: the newest `limit` before `before_seq`, or the first
    `limit` after `after_seq`. With `thread`, that thread's replies only."""
    return history_page(room, before_seq=before_seq, after_seq=after_seq, limit=limit, thread=thread)[0]


def history_page(
    room: Room,
    *,
    before_seq: int | None = None,
    after_seq: int | None = None,
    limit: int = 50,
    thread: int | None = None,
) -> tuple[list[Message], bool]:
    """One page of `history` and whether there is more in its direction: one row more than the
    page is read to tell, so a page of the largest size still knows (and pages on)."""
    limit = max(1, min(limit, HISTORY_LIMIT))
    messages = Message.objects.filter(room=room).select_related("author__person")
    messages = messages.filter(thread_id=thread) if thread else messages.filter(thread__isnull=True)
    if after_seq is not None:
        found = list(messages.filter(seq__gt=after_seq).order_by("seq")[: limit + 1])
        return found[:limit], len(found) > limit
    if before_seq is not None:
        messages = messages.filter(seq__lt=before_seq)
    found = list(reversed(messages.order_by("-seq")[: limit + 1]))
    return found[-limit:], len(found) > limit


def unread_for_rail(user: AbstractBaseUser) -> tuple[int, list[int]]:
    """Unread messages in all the person's rooms, and the rooms among them with something for them
    in person: a direct message, or a mention of their username (the rail's badge on every page)."""
    rows = list(
        Membership.objects.filter(user=user, room__last_seq__gt=F("last_read_seq")).values_list(
            "room_id", "room__kind", "room__last_seq", "last_read_seq"
        )
    )
    personal = {room for room, kind, _last, _read in rows if kind == Room.Kind.DIRECT}
    others = Q(pk__in=[])
    # Mentions are looked for in the 200 rooms with the newest messages: each room is a term of one
    # query, and SQLite takes about a thousand at most.
    for room, kind, _last, read in sorted(rows, key=lambda row: -row[2])[:200]:
        if kind != Room.Kind.DIRECT:
            others |= Q(room_id=room, seq__gt=read)
    if len(personal) < len(rows):
        mentioned = Message.objects.filter(others, deleted_at__isnull=True, body__icontains=f"@{user.get_username()}")
        personal |= set(mentioned.exclude(author=user).values_list("room_id", flat=True).distinct())
    return sum(last - read for _room, _kind, last, read in rows), sorted(personal)


def unread_total(user: AbstractBaseUser) -> int:
    rows = Membership.objects.filter(user=user).annotate(gap=F("room__last_seq") - F("last_read_seq"))
    return sum(max(0, gap) for gap in rows.values_list("gap", flat=True))


def direct_partners(user: AbstractBaseUser) -> dict[int, int]:
    """Room id → the other person's user id, for one-to-one direct messages (presence dots)."""
    rooms = Membership.objects.filter(user=user, room__kind=Room.Kind.DIRECT).values_list("room_id", flat=True)
    partners = Membership.objects.filter(room_id__in=list(rooms)).exclude(user=user).values_list("room_id", "user_id")
    seen: dict[int, list[int]] = {}
    for room_id, other in partners:
        seen.setdefault(room_id, []).append(other)
    return {room_id: others[0] for room_id, others in seen.items() if len(others) == 1}


def search_results_out(found: list[Message], query: str) -> list[dict]:
    """Found messages for the search page: with their room's name, their time to show in the
    reader's calendar, and the words searched for marked in them."""
    from chat.markdown import highlight

    words = clean_query(query).split()
    results = messages_out(found)
    for message, out in zip(found, results):
        out["room_name"] = message.room.name
        out["created"] = timezone.localtime(message.created_at)
        out["html"] = highlight(out["html"], words)
    return results


def search_messages(
    user: AbstractBaseUser,
    query: str,
    *,
    room: int | None = None,
    author: int | None = None,
    since=None,
    until=None,
    limit: int = 50,
) -> list[Message]:
    """Messages in the person's rooms holding every word of `query` (Thai has no spaces, so each
    word is matched as a substring: "ประชุม" finds "การประชุมประจำสัปดาห์"), newest first."""
    words = clean_query(query).split()
    if not words:
        return []
    found = Message.objects.filter(room_id__in=room_ids_of(user.pk), deleted_at__isnull=True)
    for word in words:
        found = found.filter(body__icontains=word)
    if room:
        found = found.filter(room_id=room)
    if author:
        found = found.filter(author_id=author)
    if since:
        found = found.filter(created_at__date__gte=since)
    if until:
        found = found.filter(created_at__date__lte=until)
    limit = max(1, min(limit, SEARCH_LIMIT))
    return list(found.select_related("author__person", "room").order_by("-created_at", "-pk")[:limit])


def first_staff_message_at(room_ids: list[int]) -> dict:
    """Room id → when a staff member first wrote in it (a notice has no author; an expert is not
    staff): licensing counts that as a case's first response. One query for any number of rooms."""
    rows = (
        Message.objects.filter(room_id__in=room_ids, author__person__kind="staff")
        .values("room_id")
        .annotate(first=Min("created_at"))
    )
    return {row["room_id"]: row["first"] for row in rows}
