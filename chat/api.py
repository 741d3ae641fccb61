"""/api/v1 endpoints of chat: rooms, history, sending, editing, reactions, read pointers."""

from datetime import date

from django.http import Http404
from ninja import File, Path, Query, Router, Schema, UploadedFile
from ninja.responses import Status
from pydantic import Field

from chat import attachments, selectors, services
from chat.attachments import MAX_FILES_PER_MESSAGE
from chat.catchup import SYNC_LIMIT, changes_in
from chat.services import MAX_BODY_CHARS, MAX_CLIENT_ID_CHARS, MAX_DIRECT_PEOPLE, MAX_EMOJI_CHARS
from hub.params import Id, Seq, page_size, text
from hub.search import MAX_QUERY_CHARS

router = Router(tags=["chat"])
# A room starts with at most this many people named at once: a list of ids is one query parameter
# each, and the databases cap those.
MAX_MEMBERS_AT_START = 1000


class RoomOut(Schema):
    id: int
    kind: str
    name: str
    topic: str
    last_seq: int
    version: int
    unread: int
    read_seq: int
    archived: bool
    member: bool
    role: str | None


class AuthorOut(Schema):
    id: int
    name: str
    name_th: str
    name_en: str
    person: int | None


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    is_image: bool
    url: str


class MessageOut(Schema):
    id: int
    room: int
    seq: int
    author: AuthorOut | None
    body: str
    html: str
    thread: int | None
    reply_count: int
    client_id: str
    created_at: str
    edited_at: str | None
    deleted: bool
    pinned: bool
    version: int
    reactions: dict[str, list[int]]
    attachments: list[AttachmentOut]


class RoomIn(Schema):
    kind: text(choices=["channel", "private"]) = "channel"
    name: text(min_length=1, max_length=200)
    topic: text(max_length=500) = ""
    members: list[Id] = Field(default=[], max_length=MAX_MEMBERS_AT_START)


class DirectIn(Schema):
    users: list[Id] = Field(max_length=MAX_DIRECT_PEOPLE)


class SendIn(Schema):
    body: text(max_length=MAX_BODY_CHARS) = ""
    client_id: text(max_length=MAX_CLIENT_ID_CHARS) = ""
    thread: Id | None = None
    attachments: list[Id] = Field(default=[], max_length=MAX_FILES_PER_MESSAGE)


class EditIn(Schema):
    body: text(max_length=MAX_BODY_CHARS)


class ReactionIn(Schema):
    emoji: text(min_length=1, max_length=MAX_EMOJI_CHARS)


class ReadIn(Schema):
    seq: Seq


class HistoryQuery(Schema):
    before_seq: Seq | None = None
    after_seq: Seq | None = None
    limit: page_size(selectors.HISTORY_LIMIT) = 50
    thread: Id | None = None


class SearchQuery(Schema):
    q: text(max_length=MAX_QUERY_CHARS)
    room: Id | None = None
    author: Id | None = None
    since: date | None = None
    until: date | None = None
    limit: page_size(selectors.SEARCH_LIMIT) = 50


class MessagePage(Schema):
    results: list[MessageOut]
    has_more: bool


def _room(request, room_id: int):
    room = selectors.room_for(request.auth, room_id)
    if room is None:
        raise Http404
    return room


@router.get("/rooms", response=list[RoomOut], summary="Your rooms, most recent activity first")
def list_rooms(request, joinable: bool = False):
    return selectors.channels_to_join(request.auth) if joinable else selectors.rooms_of(request.auth)


@router.post("/rooms", response={201: RoomOut}, summary="Start a team channel or a private group")
def start_room(request, payload: RoomIn):
    room = services.start_room(request.auth, payload.kind, payload.name, payload.topic, payload.members)
    return Status(201, selectors.room_out(room, request.auth))


@router.post("/rooms/direct", response=RoomOut, summary="Open the direct-message room with these people")
def open_direct(request, payload: DirectIn):
    return selectors.room_out(services.open_direct_by_ids(request.auth, payload.users), request.auth)


@router.post("/rooms/{room_id}/join", response=RoomOut, summary="Join a team channel")
def join(request, room_id: Path[Id]):
    return selectors.room_out(services.join_channel(request.auth, room_id), request.auth)


@router.post("/rooms/{room_id}/leave", response={204: None}, summary="Leave a room")
def leave(request, room_id: Path[Id]):
    services.leave_room(request.auth, room_id)
    return Status(204, None)


class MemberOut(Schema):
    id: int
    name: str
    person: int | None
    role: str


class MembersIn(Schema):
    users: list[Id] = Field(max_length=MAX_MEMBERS_AT_START)


@router.get("/rooms/{room_id}/members", response=list[MemberOut], summary="Who is in a room, owners first")
def members(request, room_id: Path[Id]):
    return selectors.members_of(_room(request, room_id))


@router.post("/rooms/{room_id}/members", response=list[MemberOut], summary="Add people to a room (owners)")
def invite(request, room_id: Path[Id], payload: MembersIn):
    return selectors.members_of(services.invite(request.auth, room_id, payload.users))


@router.delete("/rooms/{room_id}/members/{user_id}", response={204: None}, summary="Take someone out of a room")
def remove(request, room_id: Path[Id], user_id: Path[Id]):
    services.remove_from_room(request.auth, room_id, user_id)
    return Status(204, None)


@router.get("/rooms/{room_id}/messages", response=MessagePage, summary="Page through a room's messages by seq")
def history(request, room_id: Path[Id], page: Query[HistoryQuery]):
    room = _room(request, room_id)
    messages, has_more = selectors.history_page(
        room, before_seq=page.before_seq, after_seq=page.after_seq, limit=page.limit, thread=page.thread
    )
    return {"results": selectors.messages_out(messages), "has_more": has_more}


@router.post(
    "/rooms/{room_id}/messages",
    response={201: MessageOut, 200: MessageOut},
    summary="Send a message (the same client_id again returns the first one, with 200)",
)
def send(request, room_id: Path[Id], payload: SendIn):
    message, created = services.send_message(
        request.auth, room_id, payload.body, payload.client_id, payload.thread, payload.attachments
    )
    return Status(201 if created else 200, selectors.message_out(message))


@router.patch("/messages/{message_id}", response=MessageOut, summary="Edit your message")
def edit(request, message_id: Path[Id], payload: EditIn):
    return selectors.message_out(services.edit_message(request.auth, message_id, payload.body))


@router.delete("/messages/{message_id}", response=MessageOut, summary="Delete a message (a tombstone stays)")
def delete(request, message_id: Path[Id]):
    return selectors.message_out(services.delete_message(request.auth, message_id))


@router.post("/messages/{message_id}/reactions", response=MessageOut, summary="Add your reaction")
def add_reaction(request, message_id: Path[Id], payload: ReactionIn):
    return selectors.message_out(services.react(request.auth, message_id, payload.emoji, add=True))


@router.delete("/messages/{message_id}/reactions/{emoji}", response=MessageOut, summary="Take your reaction back")
def remove_reaction(request, message_id: Path[Id], emoji: Path[text(min_length=1, max_length=MAX_EMOJI_CHARS)]):
    return selectors.message_out(services.react(request.auth, message_id, emoji, add=False))


@router.post("/rooms/{room_id}/read", response=RoomOut, summary="Move your read pointer (never backwards)")
def mark_read(request, room_id: Path[Id], payload: ReadIn):
    services.mark_read(request.auth, room_id, payload.seq)
    return selectors.room_out(_room(request, room_id), request.auth)


@router.get("/search/messages", response=list[MessageOut], summary="Search the messages of your rooms")
def search(request, filters: Query[SearchQuery]):
    found = selectors.search_messages(
        request.auth,
        filters.q,
        room=filters.room,
        author=filters.author,
        since=filters.since,
        until=filters.until,
        limit=filters.limit,
    )
    return selectors.messages_out(found)


@router.post(
    "/rooms/{room_id}/attachments",
    response={201: AttachmentOut},
    summary="Upload a file to send in the room (then send a message with its id)",
)
def upload_attachment(request, room_id: Path[Id], file: File[UploadedFile]):
    return Status(201, selectors.attachment_out(attachments.upload(request.auth, room_id, file)))


@router.post("/messages/{message_id}/pin", response=MessageOut, summary="Pin a message for the room")
def pin(request, message_id: Path[Id]):
    return selectors.message_out(services.pin(request.auth, message_id, True))


@router.delete("/messages/{message_id}/pin", response=MessageOut, summary="Take a pin down")
def unpin(request, message_id: Path[Id]):
    return selectors.message_out(services.pin(request.auth, message_id, False))


@router.post("/rooms/{room_id}/archive", response=RoomOut, summary="Archive a room (owners): it becomes read-only")
def archive(request, room_id: Path[Id]):
    return selectors.room_out(services.archive_room(request.auth, room_id, True), request.auth)


@router.delete("/rooms/{room_id}/archive", response=RoomOut, summary="Open an archived room again (owners)")
def unarchive(request, room_id: Path[Id]):
    return selectors.room_out(services.archive_room(request.auth, room_id, False), request.auth)


class ChangesQuery(Schema):
    after_version: Seq = Field(0, description="the room version you have")
    limit: page_size(SYNC_LIMIT) = 100


class ChangesPage(Schema):
    results: list[MessageOut]
    version: int = Field(description="the room version you have once these are applied")
    has_more: bool


@router.get(
    "/rooms/{room_id}/changes",
    response=ChangesPage,
    summary="Messages edited, deleted, reacted to or pinned after a room version, in version order",
)
def changes(request, room_id: Path[Id], page: Query[ChangesQuery]):
    room = _room(request, room_id)
    found = changes_in(room, page.after_version, page.limit)
    return {"results": selectors.messages_out(found.messages), "version": found.version, "has_more": found.has_more}
