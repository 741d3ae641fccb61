"""HubConsumer: the one WebSocket of a browser tab or client; it authenticates and routes frames.

It parses, checks who is asking, and hands each frame to the handler its app registered in
hub.protocol; business rules live in the apps' services, never here.
"""

import json
import logging
import uuid
from urllib.parse import urlsplit

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections
from django.http.request import validate_host
from django.utils import translation
from django.utils.translation import gettext as _

from hub import access, fanout, inbox, protocol, realtime, scopes, selectors
from hub.auth import header
from hub.dbwork import CATCH_UP, LIVE, OPENING, in_presence_order, on_database_threads
from hub.errors import HubError
from hub.heartbeat import heartbeat
from hub.i18n import choose_language
from hub.writer import SocketWriter

log = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


def origin_allowed(scope) -> bool | None:
    """True for a same-site or trusted Origin, False for a foreign one, None when there is none.

    Scheme, host and port must all match this site, as Django's CSRF check requires of a form
    post: an https:// page on another port or an http:// page is another origin. Comparing with
    the Host header (not only ALLOWED_HOSTS) keeps ALLOWED_HOSTS=['*'] from opening the socket to
    every site on the web (DESIGN.md §8). Behind a proxy the server sets the scheme from
    X-Forwarded-Proto (BEHIND_PROXY, hub.serve).
    """
    origin = header(scope, b"origin")
    if origin is None:
        return None
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    parts = urlsplit(origin)
    host = header(scope, b"host")
    scheme = "https" if scope.get("scheme") in ("wss", "https") else "http"
    if not parts.netloc or parts.netloc != host or parts.scheme != scheme:
        return False
    return validate_host(parts.hostname or "", settings.ALLOWED_HOSTS)


def language_of(scope) -> str:
    return choose_language(
        scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME),
        header(scope, b"accept-language"),
        api_client=scope.get("auth_method") == "token",
    )


# Frames that neither read nor change anything, answered without checking access again.
FRAMES_WITHOUT_EFFECT = {"ping"}


class HubConsumer(AsyncWebsocketConsumer):
    # A socket has no layer channel of its own: it hears events through hub.fanout, which holds
    # one subscription per group for the whole process. (Channels gives a consumer no layer
    # when its alias is not configured.)
    channel_layer_alias = "hub.no-layer-per-socket"
    user = None
    conn_id = ""
    language = settings.LANGUAGE_CODE
    # Events that arrive before hello is sent wait here: hello is always the first frame.
    early: list[dict] | None = None
    writer: SocketWriter | None = None
    credentials: access.Credentials | None = None
    rooms_allowed: frozenset[int] | None = None  # a scoped session's rooms (hub.scopes); None: all
    closing = False  # the server is closing it (access revoked, flooding, ...): no frame is acted on
    unchecked: access.Credentials | None = None  # to check in the frame's first run() (hub.protocol)
    lane = LIVE  # of the frame being acted on: its database work waits behind live work if catching up
    counted = False  # among its person's open sockets (hub.inbox.PersonBudgets)
    ended = False

    async def __call__(self, scope, receive, send):
        # Channels calls disconnect() only when the server says the client left; a send that
        # raised, or a server that cancelled us, would skip it. The socket's traces go regardless.
        self.frames = inbox.FrameBudget(settings.WS_FRAME_LIMIT)
        self.inbox = inbox.FrameInbox(receive, self.frames, on_refused=self._refused)
        try:
            await super().__call__(scope, self.inbox.receive, send)
        finally:
            self.inbox.stop()
            await self._end()

    async def connect(self):
        # Accept first: a refusal before accept reaches the client as a bare HTTP 403, and the
        # protocol promises readable close codes (4401, 4403).
        await self.accept()
        self.language = language_of(self.scope)
        # For all of the socket's life: its frames are handled in this task, in this context
        # (and the database threads run its work in a copy of it), so no frame needs to switch.
        translation.activate(self.language)
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        origin = origin_allowed(self.scope)
        # Browsers always send Origin; only non-browser clients holding a bearer token may omit it.
        if origin is False or (origin is None and self.scope.get("auth_method") != "token"):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.people = inbox.people()
        if not self.people.opened(user.pk, settings.WS_MAX_SOCKETS_PER_PERSON):
            await self.close(code=inbox.CLOSE_TOO_MANY_SOCKETS)
            return
        self.counted, self.user_id_at_open = True, user.pk
        self.conn_id = uuid.uuid4().hex
        self.writer = SocketWriter(self.base_send, on_overflow=self._too_slow, on_gone=self._gone)
        session = self.scope.get("session")
        by_session = session is not None and self.scope.get("auth_method") == "session"
        session_key = session.session_key if by_session else None
        token_id = self.scope.get("token_id")
        self.credentials = access.credentials_of(self.scope, user)
        self.early = []
        try:
            scoped = await on_database_threads(scopes.scope_of, OPENING)(session) if by_session else None
            self.rooms_allowed = None if scoped is None else scoped.rooms
            # The person's own group and the session's first: a room.left, a logout or a revocation
            # published while the rooms are read below is heard, and a room left meanwhile is not joined.
            first = realtime.groups_for_connection(user.pk, session_key, False, room_ids=[], token_id=token_id)
            await realtime.listen(self, first)
            hello, sees_everyone = await on_database_threads(selectors.hello_and_audience, CATCH_UP)(user)
            if self.rooms_allowed is not None:  # a session opened by a link: its rooms only (hub.scopes)
                hello["rooms"] = [room for room in hello["rooms"] if room["id"] in self.rooms_allowed]
                sees_everyone = False
            room_ids = [room["id"] for room in hello["rooms"]]
            groups = realtime.groups_for_connection(user.pk, session_key, sees_everyone, room_ids, token_id)
            await realtime.listen(self, [group for group in groups if group not in first], unless_left=True)
        except Exception:  # the channel layer or the database is down: the client retries and syncs
            log.warning("socket of user %s could not start listening; closing it", user.pk, exc_info=True)
            realtime.stop_listening(self)
            await self.close(code=fanout.CLOSE_RESYNC)
            return
        if self.ended:
            return
        self.user = user
        self.writer.write({"type": "websocket.send", "text": realtime.encode(hello)})
        early, self.early = self.early, None
        for frame in early:
            self.writer.write(frame)
        heartbeat().track(self)
        heartbeat().opened(self)  # the "open" listeners hear of it with others opened about now

    async def _notify(self, event: str) -> None:
        for listener in protocol.socket_listeners(event):
            try:
                await in_presence_order(listener)(self.user.pk, self.conn_id)
            except Exception:
                log.exception("socket %s listener %s failed", event, listener.__name__)

    async def disconnect(self, code):
        await self._end()

    async def _end(self) -> None:
        """Once, however the socket ended: it hears nothing more and the apps are told."""
        if self.ended:
            return
        self.ended = True
        if self.counted:
            self.people.closed(self.user_id_at_open)
        realtime.stop_listening(self)
        heartbeat().untrack(self)
        if self.writer is not None:
            self.writer.stop()
        if self.user is not None:
            await self._notify("close")

    # --- writing to the client: never waits for it (hub.writer) ---------------------------------

    def hears(self, message: dict) -> bool:
        """Whether an event published to one of its groups is for it. A scoped socket (hub.scopes)
        hears its session and its rooms; of its person's group, only being added to or taken out
        of those rooms (and closes, which the fan-out applies regardless): not other rooms it is
        added to, nor news of other meetings."""
        if self.rooms_allowed is None or message.get("group") != realtime.user_group(self.user_id_at_open):
            return True
        allowed = {realtime.room_group(room_id) for room_id in self.rooms_allowed}
        return message.get("join") in allowed or message.get("leave") in allowed

    def deliver(self, frame: dict) -> None:
        """An event published through hub.realtime, already encoded once for every socket."""
        if self.early is not None:
            self.early.append(frame)
        elif not self.ended:
            self.writer.write(frame)

    def hang_up(self, code: int) -> None:
        """Close after whatever was written before (the fan-out's way: it never waits); while
        the socket connects, after hello and the events that came before the close. Nothing the
        client sent is acted on any more, though it takes a round trip for the close to finish."""
        if self.closing:
            return
        self.closing = True
        self.inbox.drop_pending()
        close = {"type": "websocket.close", "code": code}
        if self.early is not None:
            self.early.append(close)
        elif self.writer is not None and not self.ended:
            self.writer.write(close)

    def _too_slow(self) -> None:
        # The client reads far slower than its rooms talk: it syncs when it catches up.
        log.warning("socket of user %s fell too far behind; closing it", getattr(self.user, "pk", None))
        realtime.stop_listening(self)
        self.hang_up(fanout.CLOSE_RESYNC)

    def _gone(self) -> None:
        realtime.stop_listening(self)

    def access_ended(self) -> None:
        """Its person may no longer use it (hub.access): it hears nothing more and is closed."""
        realtime.stop_listening(self)
        self.hang_up(CLOSE_UNAUTHENTICATED)

    async def dispatch(self, message):
        # Channels' own dispatch first checks the database connections on the worker thread, for
        # every message: a thread hop per frame, queued behind other sockets' queries. Every ORM
        # call of this consumer goes through database_sync_to_async, which checks them itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    def _refused(self) -> None:
        """A frame over the socket's budget, dropped as it was read (hub.inbox)."""
        if self.writer is None or self.ended or self.closing or self.early is not None:
            return  # (before hello nothing is answered: hello is always the first frame)
        if self.frames.flooding():
            log.warning("socket of user %s floods; closing it", getattr(self.user, "pk", None))
            realtime.stop_listening(self)
            self.hang_up(inbox.CLOSE_FLOODING)
        elif self.frames.may_answer():
            with translation.override(self.language):
                error = {"type": "error", "code": "rate_limited", "message": _("Too many frames. Please slow down.")}
            self.writer.write({"type": "websocket.send", "text": realtime.encode(error)})

    async def receive(self, text_data=None, bytes_data=None):
        if self.user is None or self.closing:
            return
        # Within its socket's budget (hub.inbox); now the person's, shared by all their sockets.
        budget = self.people.budget_of(self.user.pk, settings.WS_PERSON_FRAME_LIMIT)
        if not budget.allow():
            if budget.may_answer():
                message = _("Too many frames from all your windows together. Please slow down.")
                await self.send_error("rate_limited", message)
            return
        await self._handle(text_data, bytes_data)

    async def _handle(self, text_data, bytes_data):
        if text_data is None:
            await self.send_error("bad_frame", _("Frames must be JSON text, not binary."))
            return
        if len(text_data.encode()) > settings.WS_MAX_FRAME_BYTES:
            await self.send_error(
                "too_large", _("A frame may be at most %(limit)s bytes.") % {"limit": settings.WS_MAX_FRAME_BYTES}
            )
            return
        try:
            data = json.loads(text_data)
            if "\\u" in text_data:
                # A "\ud800" escape parses into a lone surrogate that can be neither stored nor
                # echoed; text that arrived as UTF-8 holds none, so only escapes need the check.
                json.dumps(data, ensure_ascii=False).encode()
        except (ValueError, RecursionError):
            await self.send_error("bad_frame", _("The frame is not valid JSON."))
            return
        if not isinstance(data, dict) or not isinstance(data.get("type"), str):
            await self.send_error("bad_frame", _('A frame must be a JSON object with a "type".'))
            return
        handler = protocol.handler_for(data["type"])
        if handler is None:
            await self.send_error(
                "bad_frame", _('Unknown frame type "%(type)s".') % {"type": data["type"][:50]}, frame=data
            )
            return
        try:
            try:
                await self._act(handler, data)
            except (OperationalError, InterfaceError):
                # A database connection killed under us (restart, failover): once more on a new
                # one. Handlers are safe to repeat (message.send by its client_id).
                log.warning("database connection lost during %s; retrying once", data["type"])
                await on_database_threads(close_old_connections)()
                await self._act(handler, data)
        except HubError as error:
            await self.send_error(error.code, str(error.message), frame=data, fields=error.fields)
        except Exception:
            log.exception("frame %s failed", data["type"])
            message = _("Something went wrong on the server. Please try again.")
            await self.send_error("server_error", message, frame=data)

    async def _act(self, handler, data: dict) -> None:
        self.lane = CATCH_UP if protocol.catching_up(data["type"]) else LIVE
        if self.rooms_allowed is None and protocol.checked_in_run(data["type"]):
            # The handler's first run() checks the credentials in its own trip to the database thread.
            self.unchecked = self.credentials
            try:
                await handler(self, data)
            except access.Ended:
                self.access_ended()
            finally:
                self.unchecked = None
            return
        if data["type"] not in FRAMES_WITHOUT_EFFECT:
            # Access may have been revoked in another process, or by a script, a moment ago:
            # a frame is acted on only while the socket's credentials still hold.
            if not await on_database_threads(access.still_hold)(self.credentials):
                self.access_ended()
                return
            if self.rooms_allowed is not None and not await self._within_scope(data):
                await self.send_error("forbidden", _("This link opens only its meeting's chat room."), frame=data)
                return
        await handler(self, data)

    async def run(self, work, *args):
        """work(*args) on the database thread; the first call for a frame registered with
        checks_access=False checks the socket's credentials in the same trip (raising
        access.Ended, which _act turns into a closed socket, when they no longer hold)."""
        credentials, self.unchecked = self.unchecked, None
        return await on_database_threads(access.checked, self.lane)(credentials, work, args)

    async def run_checking(self, work, *args):
        """work(credentials, *args) on the database thread, for a frame registered with
        checks_access=False whose work checks the credentials in its own statement (None: nothing
        to check); see hub.access.checked_by_work."""
        credentials, self.unchecked = self.unchecked, None
        return await on_database_threads(access.checked_by_work, self.lane)(credentials, work, args)

    async def _within_scope(self, data: dict) -> bool:
        """A scoped socket acts only on frames that touch its rooms alone (hub.scopes)."""
        rooms_of = protocol.rooms_of(data["type"])
        if rooms_of is None:
            return False
        return await on_database_threads(rooms_of)(data) <= self.rooms_allowed

    async def send_event(self, event: dict) -> None:
        # Through the writer, so that replies keep their order with the events before them.
        self.writer.write({"type": "websocket.send", "text": realtime.encode(event)})

    async def reply(self, frame: dict, event: dict) -> None:
        """Send `event` in answer to `frame`, echoing its `ref` so the client can match them."""
        ref = _ref_of(frame)
        if ref is not None:
            event = {**event, "ref": ref}
        await self.send_event(event)

    async def send_error(self, code: str, message: str, frame: dict | None = None, fields: dict | None = None):
        error = {"type": "error", "code": code, "message": message}
        if frame is not None:
            ref = _ref_of(frame)
            if ref is not None:
                error["ref"] = ref
            client_id = frame.get("client_id")
            if isinstance(client_id, str) and len(client_id) <= 100:
                error["client_id"] = client_id
        if fields:
            error["fields"] = {key: str(value) for key, value in fields.items()}
        await self.send_event(error)


class UnknownSocketPath(AsyncWebsocketConsumer):
    """Any socket path but /ws/: refused at the handshake, not a server error."""

    async def connect(self):
        await self.close()


def _ref_of(frame: dict):
    ref = frame.get("ref")
    if isinstance(ref, (str, int)) and not isinstance(ref, bool) and len(str(ref)) <= 100:
        return ref
    return None
