"""The one place that knows channel-layer group names and sends events to open sockets.

Events are announced only after the transaction that stored them commits, and publishing is best
effort: the database is the record, the channel layer only the doorbell (DESIGN.md §2, §8).
"""

import asyncio
import contextvars
import hashlib
import json
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from hub import fanout, metrics, outages
from hub.dbwork import in_presence_order
from hub.fanout import EVENT

log = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


# Every staff member's sockets: what all staff may see (presence of anyone) goes here once.
STAFF_GROUP = "staff"


def session_group(session_key: str) -> str:
    # Group names must be short ASCII; the session key itself must never travel to Redis.
    return "session." + hashlib.sha256(session_key.encode()).hexdigest()[:40]


def room_group(room_id: int) -> str:
    return f"room.{room_id}"


def token_group(token_id: int) -> str:
    return f"token.{token_id}"


def groups_for_connection(
    user_id: int, session_key: str | None, sees_everyone: bool, room_ids: list[int], token_id: int | None = None
) -> list[str]:
    """Groups a newly authenticated socket joins."""
    groups = [user_group(user_id), *(room_group(room_id) for room_id in room_ids)]
    if session_key:
        groups.append(session_group(session_key))
    if token_id is not None:
        groups.append(token_group(token_id))
    if sees_everyone:
        groups.append(STAFF_GROUP)
    return groups


# A person's, a token's and a browser session's groups have a socket or two each: subscribed one by
# one, nearly every socket that opens would cost a subscription and its reply (a fifth of the CPU
# of a connect, issue #12). A process hears each of these kinds whole through one pattern
# subscription instead (hub.layers), and hands on what is for its own sockets. The price: every
# process reads every such event of the deployment (read pointers, notifications, room changes,
# experts' presence, closes), where before only the processes holding that person's sockets did;
# one holding none of theirs decodes it and drops it. Room groups, which carry the messages, stay
# one subscription each. The channel names are unchanged, so old and new processes hear each
# other during a rolling restart. (The core and in-memory layers have no patterns: there each
# group is subscribed as before.)
HEARD_WHOLE = ("user.", "token.", "session.")


def _heard_whole(group: str) -> str | None:
    return next((prefix for prefix in HEARD_WHOLE if group.startswith(prefix)), None)


async def listen(socket: fanout.Socket, groups: list[str], unless_left: bool = False) -> None:
    """The socket hears, from now on, what is published to these groups (in this order);
    unless_left: but not a group it was told to leave meanwhile (see ProcessFanout.join)."""
    process = fanout.fanout()
    for group in groups:
        await process.join(socket, group, unless_left=unless_left, through=_heard_whole(group))


def stop_listening(socket: fanout.Socket) -> None:
    """The socket closed: it hears nothing more."""
    fanout.fanout().forget(socket)


def encode(event: dict) -> str:
    """Serialise an event once, however many sockets receive it."""
    return json.dumps(event, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def publish_to_user(user_id: int, event: dict) -> None:
    _publish_after_commit(user_group(user_id), {"type": EVENT, "text": encode(event)})


def publish_to_room(room_id: int, event: dict) -> None:
    """To every open socket of the room's members."""
    _publish_after_commit(room_group(room_id), {"type": EVENT, "text": encode(event)})


def room_joined(user_id: int, room_id: int, event: dict) -> None:
    """The user's open sockets join the room's group, then hear of the room."""
    _publish_after_commit(user_group(user_id), {"type": EVENT, "text": encode(event), "join": room_group(room_id)})


def room_left(user_id: int, room_id: int, event: dict) -> None:
    """The user's open sockets leave the room's group at once (DESIGN.md §8: CVE-2023-32678)."""
    _publish_after_commit(user_group(user_id), {"type": EVENT, "text": encode(event), "leave": room_group(room_id)})


def publish_presences(changes: list[dict]) -> None:
    """People's presence changed (one, or a batch of sockets opened or closed together): all staff
    see it, of the experts only those in `experts`, each in one frame, not one per person. When a
    thousand people come online within seconds (a morning, a restart), one event each meant a
    thousand frames to each of a thousand sockets.
    `changes`: [{person, user, status, experts: [user ids of the experts who may see it]}]."""
    if not changes:
        return
    _publish_after_commit(STAFF_GROUP, _presence_frame(changes))
    for_experts: dict[int, list[dict]] = {}
    for change in changes:
        for expert_user_id in set(change["experts"]):
            for_experts.setdefault(expert_user_id, []).append(change)
    for expert_user_id, theirs in for_experts.items():
        _publish_after_commit(user_group(expert_user_id), _presence_frame(theirs))


def _presence_frame(changes: list[dict]) -> dict:
    """One change is a plain `presence` event, several a `presence.many` (docs/protocol.md)."""
    seen = [{"person": c["person"], "user": c["user"], "status": c["status"]} for c in changes]
    event = {"type": "presence", **seen[0]} if len(seen) == 1 else {"type": "presence.many", "changes": seen}
    return {"type": EVENT, "text": encode(event)}


def end_session(session_key: str) -> None:
    """Close every socket opened with this browser session (after logout)."""
    event = {"type": "session.ended"}
    _publish_after_commit(session_group(session_key), {"type": EVENT, "text": encode(event), "close": 4401})


ACCESS_ENDED = {"type": EVENT, "text": encode({"type": "access.ended"}), "close": 4401}


def end_access(user_id: int) -> None:
    """Close every socket of the person (deactivated, password changed): they must log in again."""
    _publish_after_commit(user_group(user_id), ACCESS_ENDED)


def end_token(token_id: int) -> None:
    """Close the sockets opened with this API token (revoked); the person's other sockets stay."""
    _publish_after_commit(token_group(token_id), ACCESS_ENDED)


def _publish_after_commit(group: str, message: dict) -> None:
    transaction.on_commit(lambda: _send(group, message))


# The server's event loop, once the ASGI application has run on it (hub.asgi). Publishing is then
# handed to that loop without waiting, so a slow or dead Redis never holds up the thread that
# stored the message, nor the ack its sender is waiting for.
_loop: asyncio.AbstractEventLoop | None = None


def bind_loop(loop: asyncio.AbstractEventLoop) -> None:
    global _loop
    _loop = loop


def after(seconds: float, work, *args) -> bool:
    """Run `work(*args)` (sync; it may use the ORM) on the database thread `seconds` from now, on
    the server's loop: for announcements that should wait a moment (presence). False, and nothing
    scheduled, where no server loop runs (a script, a synchronous test): the caller acts now."""
    if _loop is None or not _loop.is_running():
        return False

    async def run():
        try:
            await in_presence_order(work)(*args)
        except Exception:
            log.exception("deferred %s failed", getattr(work, "__name__", work))

    def start():
        fanout.keep(_loop.create_task(run()))

    # In a context of its own: the caller's (often the database thread's, inside asgiref's
    # sync_to_async) would make asgiref refuse the later database call as a nested one.
    _loop.call_soon_threadsafe(_loop.call_later, seconds, start, context=contextvars.Context())
    return True


def _send(group: str, message: dict) -> None:
    message = {**message, "group": group}  # the receiving process hands it to its sockets in that group
    layer = get_channel_layer()
    if layer is None:
        return
    if _loop is not None and _loop.is_running():
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is _loop:
            _start_publishing(layer, group, message)
        else:  # (not run_coroutine_threadsafe: nobody waits for its future, which costs per send)
            _loop.call_soon_threadsafe(_start_publishing, layer, group, message)
        return
    # No server loop (a management command, a test): publish and wait.
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception as error:  # the layer may be down; the database already holds the truth
        metrics.LAYER_ERRORS.labels("publish").inc()
        outages.redis.failed("publishing events", error)
    else:
        outages.redis.answered("publishing events")


def _start_publishing(layer, group: str, message: dict) -> None:
    fanout.keep(_loop.create_task(_publish(layer, group, message)))


async def _publish(layer, group: str, message: dict) -> None:
    try:
        await layer.group_send(group, message)
    except Exception as error:  # the layer may be down; the database already holds the truth
        metrics.LAYER_ERRORS.labels("publish").inc()
        outages.redis.failed("publishing events", error)  # logged once per outage, not per event
        fanout.publish_failed(layer, group)
    else:
        outages.redis.answered("publishing events")
