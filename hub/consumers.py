"""HubConsumer: the one WebSocket of a browser tab or client; it authenticates and routes frames.

It parses, checks who is asking, and hands each frame to the handler its app registered in
hub.protocol; business rules live in the apps' services, never here.
"""

import asyncio
import json
import logging
import time
from urllib.parse import urlsplit

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections
from django.http.request import validate_host
from django.utils import translation
from django.utils.translation import gettext as _

from hub import protocol, realtime, selectors
from hub.auth import header
from hub.errors import HubError
from hub.i18n import choose_language

log = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
# The channel layer stopped delivering (Redis restarted or down): the client reconnects and syncs.
# 1012 ("service restart") would say it best, but Daphne can only send 1000 or 3000-4999.
CLOSE_SERVICE_RESTART = 4012


def origin_allowed(scope) -> bool | None:
    """True for a same-site or trusted Origin, False for a foreign one, None when there is none.

    Comparing with the Host header (not only ALLOWED_HOSTS) keeps ALLOWED_HOSTS=['*'] from
    opening the socket to every site on the web (DESIGN.md §8).
    """
    origin = header(scope, b"origin")
    if origin is None:
        return None
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    netloc = urlsplit(origin).netloc
    host = header(scope, b"host")
    if not netloc or netloc != host:
        return False
    hostname = urlsplit(f"//{netloc}").hostname or ""
    return validate_host(hostname, settings.ALLOWED_HOSTS)


def language_of(scope) -> str:
    return choose_language(
        scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME),
        header(scope, b"accept-language"),
        api_client=scope.get("auth_method") == "token",
    )


class HubConsumer(AsyncWebsocketConsumer):
    user = None
    conn_id = ""
    language = settings.LANGUAGE_CODE

    async def connect(self):
        # Accept first: a refusal before accept reaches the client as a bare HTTP 403, and the
        # protocol promises readable close codes (4401, 4403).
        await self.accept()
        self.joined: list[str] = []
        self.language = language_of(self.scope)
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        origin = origin_allowed(self.scope)
        # Browsers always send Origin; only non-browser clients holding a bearer token may omit it.
        if origin is False or (origin is None and self.scope.get("auth_method") != "token"):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.user = user
        self.conn_id = self.channel_name
        session = self.scope.get("session")
        by_session = session is not None and self.scope.get("auth_method") == "session"
        session_key = session.session_key if by_session else None
        # The person's own group first: a room.left published while the rooms are read below is
        # then heard, not lost between the read and the joining.
        own = realtime.user_group(user.pk)
        await self.channel_layer.group_add(own, self.channel_name)
        self.joined.append(own)
        hello, sees_everyone = await database_sync_to_async(selectors.hello_and_audience)(user)
        room_ids = [room["id"] for room in hello["rooms"]]
        for group in realtime.groups_for_connection(user.pk, session_key, sees_everyone, room_ids):
            if group not in self.joined:
                await self.channel_layer.group_add(group, self.channel_name)
                self.joined.append(group)
        await self.send_event(hello)
        await self._notify("open")
        self.last_probe_heard = time.monotonic()
        self.heartbeat = asyncio.create_task(self._beat())

    async def _beat(self):
        """Every few seconds, check that the channel layer still reaches this socket; every
        HEARTBEAT_SECONDS, refresh presence and group memberships (the core layer expires them).

        Redis keeps no messages: whatever was published while it was down or restarting is gone.
        A socket whose probe cannot be sent (Redis down), or that has heard none of its probes
        for PROBE_DEAD_SECONDS (its subscription lost), closes (4012) so that its client
        reconnects and syncs from the database, which has everything.
        """
        since_heartbeat = 0.0
        while True:
            await asyncio.sleep(protocol.PROBE_SECONDS)
            try:
                await self.channel_layer.send(self.channel_name, {"type": "hub.probe"})
                deaf = time.monotonic() - self.last_probe_heard > protocol.PROBE_DEAD_SECONDS
            except Exception:  # a refused or broken connection: the layer is down
                deaf = True
            if deaf:
                log.warning("channel layer lost socket %s; closing it so the client syncs", self.channel_name)
                await self.close(code=CLOSE_SERVICE_RESTART)
                return
            since_heartbeat += protocol.PROBE_SECONDS
            if since_heartbeat >= protocol.HEARTBEAT_SECONDS:
                since_heartbeat = 0.0
                await self._notify("alive")
                for group in self.joined:
                    await self.channel_layer.group_add(group, self.channel_name)

    async def hub_probe(self, message):
        self.last_probe_heard = time.monotonic()

    async def _notify(self, event: str) -> None:
        for listener in protocol.socket_listeners(event):
            try:
                await database_sync_to_async(listener)(self.user.pk, self.conn_id)
            except Exception:
                log.exception("socket %s listener %s failed", event, listener.__name__)

    async def disconnect(self, code):
        if self.user is not None:
            self.heartbeat.cancel()
            await self._notify("close")
        for group in getattr(self, "joined", []):
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:  # the layer may be down; the groups die with the process
                log.debug("group_discard failed for %s", group, exc_info=True)

    async def receive(self, text_data=None, bytes_data=None):
        if self.user is None:
            return
        with translation.override(self.language):
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
            # A "\ud800" escape parses into a lone surrogate that can be neither stored nor echoed.
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
                await handler(self, data)
            except (OperationalError, InterfaceError):
                # A database connection killed under us (restart, failover): once more on a new
                # one. Handlers are safe to repeat (message.send by its client_id).
                log.warning("database connection lost during %s; retrying once", data["type"])
                await database_sync_to_async(close_old_connections)()
                await handler(self, data)
        except HubError as error:
            await self.send_error(error.code, str(error.message), frame=data, fields=error.fields)
        except Exception:
            log.exception("frame %s failed", data["type"])
            message = _("Something went wrong on the server. Please try again.")
            await self.send_error("server_error", message, frame=data)

    async def send_event(self, event: dict) -> None:
        await self.send(text_data=realtime.encode(event))

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

    async def hub_event(self, message):
        """An event published through hub.realtime: already encoded, sent as it is. It may also
        tell the socket to join or leave a group (a room the person was added to or removed from)."""
        if message.get("leave") and message["leave"] in self.joined:
            await self.channel_layer.group_discard(message["leave"], self.channel_name)
            self.joined.remove(message["leave"])
        if message.get("join") and message["join"] not in self.joined:
            await self.channel_layer.group_add(message["join"], self.channel_name)
            self.joined.append(message["join"])
        await self.send(text_data=message["text"])
        if message.get("close"):
            await self.close(code=message["close"])


class UnknownSocketPath(AsyncWebsocketConsumer):
    """Any socket path but /ws/: refused at the handshake, not a server error."""

    async def connect(self):
        await self.close()


def _ref_of(frame: dict):
    ref = frame.get("ref")
    if isinstance(ref, (str, int)) and not isinstance(ref, bool) and len(str(ref)) <= 100:
        return ref
    return None
