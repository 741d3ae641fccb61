"""The ASGI edge of observability: a request id for every request and socket, one log line when
each ends, and the socket metrics (open sockets, frames in and out, message.send to ack).

Wrapped around the whole application (hub.asgi), so that nothing inside the consumer or the
views has to count: a socket's frames are counted as they pass the server's receive and send.
"""

import atexit
import json
import logging
import re
import time
import uuid

from hub import logs, metrics

access_log = logging.getLogger("hub.access")

# nginx passes its $request_id; anything else a client sends is not trusted as one.
_GIVEN_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Sends awaiting their ack, per socket: a client that never reads its acks cannot grow it.
_MAX_WAITING_ACKS = 100
_ACK_PREFIX = '{"type":"ack"'
_ACK_CLIENT_ID = '{"type":"ack","client_id":'


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def _client(scope) -> str | None:
    client = scope.get("client")
    return client[0] if client else None


class Observe:
    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.inner(scope, receive, send)
        given = _header(scope, b"x-request-id")
        rid = given if given and _GIVEN_ID.match(given) else uuid.uuid4().hex
        # Inner layers (NoteUser, RequestFactsMiddleware) add who it was; Channels copies the
        # scope, not this dictionary.
        scope = {**scope, "request_id": rid, "ksp_facts": {}}
        token = logs.request_id.set(rid)
        try:
            if scope["type"] == "http":
                await self._http(scope, receive, send, rid)
            else:
                await self._socket(scope, receive, send)
        finally:
            logs.request_id.reset(token)

    async def _http(self, scope, receive, send, rid: str) -> None:
        started = time.perf_counter()
        answer = {"status": None, "bytes": 0}

        async def sending(message):
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), (b"x-request-id", rid.encode())]}
            elif message["type"] == "http.response.body":
                answer["bytes"] += len(message.get("body", b""))
            return await send(message)

        try:
            await self.inner(scope, receive, sending)
        finally:
            status = answer["status"]
            metrics.HTTP_REQUESTS.labels(f"{status // 100}xx" if status else "none").inc()
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            fields = {
                "event": "request",
                "method": scope.get("method"),
                "path": scope.get("path"),  # never the query string: it may carry what is not ours to keep
                "status": status,
                "bytes": answer["bytes"],
                "duration_ms": duration_ms,
                "client": _client(scope),
                "user": scope["ksp_facts"].get("user"),
            }
            access_log.info(
                "%s %s %s %.1f ms", fields["method"], fields["path"], status, duration_ms, extra={"fields": fields}
            )

    async def _socket(self, scope, receive, send) -> None:
        started = time.perf_counter()
        session = {"accepted": False, "in": 0, "out": 0, "close_code": None, "closed_by": None}
        waiting_acks: dict[str, float] = {}

        async def receiving():
            message = await receive()
            kind = message["type"]
            if kind == "websocket.receive":
                session["in"] += 1
                metrics.FRAMES_IN_BATCHED.add()
                text = message.get("text")
                if text and '"message.send"' in text:
                    _note_send(text, waiting_acks)
            elif kind == "websocket.disconnect" and session["close_code"] is None:
                session["close_code"], session["closed_by"] = message.get("code"), "client"
            return message

        async def sending(message):
            kind = message["type"]
            if kind == "websocket.send":
                session["out"] += 1
                metrics.FRAMES_OUT_BATCHED.add()
                text = message.get("text")
                if waiting_acks and text and text.startswith(_ACK_PREFIX):
                    _note_ack(text, waiting_acks)
            elif kind == "websocket.accept" and not session["accepted"]:
                session["accepted"] = True
                metrics.OPEN_SOCKETS.inc()
                metrics.SOCKETS_OPENED.inc()
            elif kind == "websocket.close" and session["close_code"] is None:
                session["close_code"], session["closed_by"] = message.get("code", 1000), "server"
            return await send(message)

        try:
            await self.inner(scope, receiving, sending)
        finally:
            if session["accepted"]:
                metrics.OPEN_SOCKETS.dec()
            duration = round(time.perf_counter() - started, 3)
            fields = {
                "event": "socket",
                "path": scope.get("path"),
                "accepted": session["accepted"],
                "frames_in": session["in"],
                "frames_out": session["out"],
                "close_code": session["close_code"],
                "closed_by": session["closed_by"],
                "duration_s": duration,
                "client": _client(scope),
                "user": scope["ksp_facts"].get("user"),
            }
            access_log.info(
                "socket %s closed %s by %s after %.1f s, %d frames in, %d out",
                fields["path"],
                fields["close_code"],
                fields["closed_by"],
                duration,
                session["in"],
                session["out"],
                extra={"fields": fields},
            )


# Where a frame names its client_id: found without parsing the whole frame again (the consumer
# parses it), since this runs for every send (docs/performance.md). A JSON string's own quotes are
# escaped, so the pattern cannot match inside a body.
_CLIENT_ID = re.compile(r'"client_id"\s*:\s*"')
_strings = json.JSONDecoder()


def _client_id_at(text: str, start: int) -> str | None:
    try:
        client_id, _end = _strings.raw_decode(text, start)
    except ValueError:
        return None
    return client_id if isinstance(client_id, str) else None


def _note_send(text: str, waiting: dict[str, float]) -> None:
    found = _CLIENT_ID.search(text)
    client_id = _client_id_at(text, found.end() - 1) if found else None
    if client_id is not None:
        if len(waiting) >= _MAX_WAITING_ACKS:
            waiting.pop(next(iter(waiting)))
        waiting[client_id] = time.perf_counter()


def _note_ack(text: str, waiting: dict[str, float]) -> None:
    # hub.realtime.encode writes an ack as {"type":"ack","client_id":"…",…}.
    client_id = _client_id_at(text, len(_ACK_CLIENT_ID)) if text.startswith(_ACK_CLIENT_ID) else None
    sent = waiting.pop(client_id, None) if client_id is not None else None
    if sent is not None:
        metrics.SEND_LATENCY.observe(time.perf_counter() - sent)


class NoteUser:
    """Inside Channels' authentication: notes who opened the socket, for its log line."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        user = scope.get("user")
        if user is not None and getattr(user, "is_authenticated", False) and "ksp_facts" in scope:
            scope["ksp_facts"]["user"] = user.pk
        return await self.inner(scope, receive, send)


class RequestFactsMiddleware:
    """Django middleware: notes who made the request, for its log line, if the request already
    looked the person up (it never costs a query of its own)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        facts = getattr(request, "scope", {}).get("ksp_facts")
        user = getattr(request, "_cached_user", None)
        if facts is not None and user is not None and user.is_authenticated:
            facts["user"] = user.pk
        return response


atexit.register(metrics.process_ended)
