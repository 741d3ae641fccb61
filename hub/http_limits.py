"""Uvicorn's HTTP protocol with a deadline for request headers and a cap on connections per address.

Uvicorn waits for request headers without limit, and takes as many connections from one address as
it is sent: 20,000 half-sent requests used up the process's file descriptors, and /healthz, the API
and new sockets failed for everyone. `./run serve` and `./run demo` pass this class to Uvicorn
(`--http hub.http_limits:LimitedHttpToolsProtocol`, see hub.serve). Production still runs behind a
reverse proxy (docs/deployment.md); these limits are the last line, not the first.

- HTTP_HEADER_TIMEOUT_SECONDS (10): from the connection's start, or from the first byte of each
  later request on it, the headers must be complete within this time or the connection is closed.
  An idle keep-alive connection is closed sooner by Uvicorn's own keep-alive timeout (5 s).
- MAX_CONNECTIONS_PER_ADDRESS (200; 0 for none): open connections, sockets included, from one
  client address (an IPv6 /64 counts as one). Past it a new connection gets 503 and is closed.
  Behind a proxy (BEHIND_PROXY) every connection comes from the proxy, so the default is none and
  the proxy limits clients.
"""

import asyncio
import logging
import os
import time

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from hub.addresses import network_of

log = logging.getLogger(__name__)


def _behind_proxy() -> bool:
    return os.environ.get("BEHIND_PROXY", "").strip().lower() in {"1", "true", "yes", "on"}


HEADER_TIMEOUT_SECONDS = float(os.environ.get("HTTP_HEADER_TIMEOUT_SECONDS") or 10)
MAX_CONNECTIONS_PER_ADDRESS = int(os.environ.get("MAX_CONNECTIONS_PER_ADDRESS") or (0 if _behind_proxy() else 200))

_REFUSED = b"Too many connections from your address."
_REFUSAL = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\nretry-after: 10\r\n"
    b"connection: close\r\ncontent-length: %d\r\n\r\n%s" % (len(_REFUSED), _REFUSED)
)
# One event loop per server process, so these need no lock. A connection upgraded to a WebSocket
# is handed to another protocol object whose closing this class never hears of: transports are
# kept, and those that have closed are dropped whenever their address connects again.
_open_by_address: dict[str, set[asyncio.Transport]] = {}
_last_warned: dict[str, float] = {}


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    _header_deadline: asyncio.TimerHandle | None = None
    _address: str | None = None

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        address = network_of(self.client[0]) if self.client and MAX_CONNECTIONS_PER_ADDRESS else None
        if address is not None:
            if not _admit(address, transport):
                _warn_once_a_minute(address)
                transport.write(_REFUSAL)
                transport.close()
                return
            self._address = address
        self._start_header_deadline()

    def connection_lost(self, exc) -> None:
        self._cancel_header_deadline()
        if self._address is not None:
            _release(self._address, self.transport)
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        # A later request on a kept-alive connection gets its own deadline from its first byte.
        if self._header_deadline is None:
            self._start_header_deadline()

    def on_headers_complete(self) -> None:
        self._cancel_header_deadline()
        super().on_headers_complete()

    def _start_header_deadline(self) -> None:
        if HEADER_TIMEOUT_SECONDS > 0:
            self._header_deadline = self.loop.call_later(HEADER_TIMEOUT_SECONDS, self._headers_too_slow)

    def _cancel_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if not self.transport.is_closing():
            self.transport.close()


def _admit(address: str, transport) -> bool:
    open_ = _open_by_address.setdefault(address, set())
    open_.difference_update([other for other in open_ if other.is_closing()])
    if len(open_) >= MAX_CONNECTIONS_PER_ADDRESS:
        return False
    open_.add(transport)
    if len(_open_by_address) > 10_000:  # forget addresses whose connections have all closed
        for other in list(_open_by_address):
            _open_by_address[other].difference_update([t for t in _open_by_address[other] if t.is_closing()])
            if not _open_by_address[other]:
                del _open_by_address[other]
    return True


def _release(address: str, transport) -> None:
    open_ = _open_by_address.get(address)
    if open_ is not None:
        open_.discard(transport)
        if not open_:
            del _open_by_address[address]


def _warn_once_a_minute(address: str) -> None:
    now = time.monotonic()
    if now - _last_warned.get(address, 0.0) >= 60:
        if len(_last_warned) > 10_000:
            _last_warned.clear()
        _last_warned[address] = now
        log.warning("refused connections from %s: %s already open", address, MAX_CONNECTIONS_PER_ADDRESS)
