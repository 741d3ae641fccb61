"""The registry of client frame types: each app registers the handlers of the frames it owns."""

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from django.conf import settings

PROTOCOL_VERSION = 1


class Connection(Protocol):
    """What a frame handler may use of the socket it was called from."""

    user: Any
    language: str

    async def reply(self, frame: dict, event: dict) -> None: ...

    async def send_event(self, event: dict) -> None: ...

    async def run(self, work: Callable, *args) -> Any:
        """work(*args) on the database thread, with the socket's access check in the same trip
        for a frame registered with checks_access=False (see `frame`)."""

    async def run_checking(self, work: Callable, *args) -> Any:
        """work(credentials, *args) on the database thread, where work checks the credentials
        (hub.access.Credentials, or None: nothing to check) in its own statement and raises
        hub.access.Ended when they no longer hold: the send path's one round trip."""


Handler = Callable[[Connection, dict], Awaitable[None]]
_handlers: dict[str, Handler] = {}
# For each frame type that a scoped socket (hub.scopes) may send: the chat rooms a frame touches.
RoomsOf = Callable[[dict], set]
_rooms_of: dict[str, RoomsOf] = {}
# Frame types whose handlers do all their work through conn.run(), which checks access on the way.
_checked_in_run: set[str] = set()
# Frame types whose work is a client catching up: it may wait behind others' live frames (hub.dbwork).
_catching_up: set[str] = set()


def frame(
    type_name: str, rooms: RoomsOf | None = None, checks_access: bool = True, catching_up: bool = False
) -> Callable[[Handler], Handler]:
    """Register the handler of one client frame type. `rooms(frame)` (sync, it may use the ORM)
    names the rooms the frame would touch (an empty set: none); without it, a socket scoped to a
    few rooms may not send the frame at all.

    The socket checks that its credentials still hold before a frame is acted on (hub.access),
    which is a trip to the database thread of its own. checks_access=False promises that the
    handler does nothing before its first `conn.run(...)`, which makes the check in the same trip:
    one trip per frame instead of two (the hot path of message.send, docs/performance.md).

    catching_up=True: the frame's database work is a client catching up on what it missed, which
    runs after the frames of people already at work when both wait (hub.dbwork's lanes)."""

    def register(handler: Handler) -> Handler:
        if type_name in _handlers:
            raise RuntimeError(f"frame type {type_name!r} registered twice")
        _handlers[type_name] = handler
        if rooms is not None:
            _rooms_of[type_name] = rooms
        if not checks_access:
            _checked_in_run.add(type_name)
        if catching_up:
            _catching_up.add(type_name)
        return handler

    return register


def handler_for(type_name: str) -> Handler | None:
    return _handlers.get(type_name)


def rooms_of(type_name: str) -> RoomsOf | None:
    return _rooms_of.get(type_name)


def checked_in_run(type_name: str) -> bool:
    return type_name in _checked_in_run


def catching_up(type_name: str) -> bool:
    return type_name in _catching_up


# What apps want to know of a socket's life: on_open(connections), with the [(user_id, conn_id)] of
# the sockets opened in the last moment (hub.heartbeat batches them), on_close(user_id, conn_id),
# and every HEARTBEAT_SECONDS on_alive(connections), with the [(user_id, conn_id)] of every socket
# of the process still open (hub.heartbeat). Each is a sync function (it may use the ORM); the
# hub runs it off the event loop and logs, never propagates, its failures.
HEARTBEAT_SECONDS = settings.WS_HEARTBEAT_SECONDS
_lifecycle: dict[str, list[Callable]] = {"open": [], "alive": [], "close": []}


def on_socket(event: str) -> Callable[[Callable], Callable]:
    def register(listener):
        _lifecycle[event].append(listener)
        return listener

    return register


def socket_listeners(event: str) -> list[Callable]:
    return list(_lifecycle[event])
