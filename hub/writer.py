"""Writes to one socket, in order, without ever making the caller wait for a slow client.

The fan-out writes each event to hundreds of sockets in turn; if one write waited for a client
that has stopped reading (a laptop gone to sleep: Uvicorn's send waits while the socket's buffer
is full), every other socket of the process would wait too. So a write is started at once and,
in the usual case, finishes at once; one that has to wait is finished in a task of its own, and
what comes for that socket meanwhile queues behind it. A client that falls MAX_BACKLOG frames
behind is given up: `on_overflow` is called (the consumer stops listening and closes with 4012, so
the client syncs when it is back).
"""

import asyncio
import collections
import contextlib
import logging
from collections.abc import Callable, Coroutine

log = logging.getLogger(__name__)

MAX_BACKLOG = 1000


class SocketWriter:
    def __init__(self, send: Callable[[dict], Coroutine], on_overflow: Callable[[], None], on_gone: Callable[[], None]):
        self.send, self.on_overflow, self.on_gone = send, on_overflow, on_gone
        self.backlog: collections.deque | None = None  # not None while a write waits for the client
        self.task: asyncio.Task | None = None
        self.given_up = False

    def write(self, message: dict) -> None:
        """Send an ASGI message (websocket.send or websocket.close) after those written before."""
        if self.backlog is not None:
            if len(self.backlog) >= MAX_BACKLOG and not self.given_up:
                self.given_up = True
                self.backlog.clear()
                self.on_overflow()
            elif not self.given_up or message["type"] == "websocket.close":
                self.backlog.append(message)
            return
        sending = self.send(message).__await__()  # any awaitable the server's send returns
        try:
            waiting = sending.send(None)  # run it as far as it goes without waiting
        except StopIteration:
            return  # written: the usual case
        except Exception:
            log.debug("the client has gone", exc_info=True)
            self.on_gone()
            return
        self.backlog = collections.deque()
        self.task = asyncio.ensure_future(self._drain(sending, waiting))

    async def _drain(self, sending: Coroutine, waiting) -> None:
        try:
            await _finish(sending, waiting)
            while self.backlog:
                await self.send(self.backlog.popleft())
        except asyncio.CancelledError:
            raise
        except Exception:
            log.debug("the client has gone", exc_info=True)
            self.on_gone()
        finally:
            self.backlog = None

    def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()


async def _finish(sending: Coroutine, waiting) -> None:
    """Drive a coroutine that was started by hand to its end, as a Task would have."""
    try:
        while True:
            if waiting is None:  # a bare yield (asyncio.sleep(0)): just let the loop run
                await asyncio.sleep(0)
            else:
                try:
                    await waiting
                except asyncio.CancelledError:
                    # Cancelled as a Task would be: the server's own clean-up runs.
                    with contextlib.suppress(BaseException):
                        sending.throw(asyncio.CancelledError())
                    raise
                except Exception:
                    log.debug("a write's future failed; the write sees it", exc_info=True)
            waiting = sending.send(None)
    except StopIteration:
        return
    finally:
        sending.close()
