"""Every HEARTBEAT_SECONDS, tell the apps which sockets of this process are still open, in one batch;
every WS_ACCESS_SWEEP_SECONDS, close the sockets whose credentials no longer hold (hub.access); and
the sockets opened in the last OPEN_BATCH_SECONDS, in one batch too.

A call per socket (the consumer's own timer, before) made 10,000 idle sockets cost 333 trips a
second to the database thread and Redis; one batch per process costs one trip per listener.
"""

import asyncio
import logging
import weakref

from django.conf import settings

from hub import access, protocol
from hub.collector import collector
from hub.dbwork import CATCH_UP, in_presence_order, on_database_threads
from hub.fanout import keep
from hub.loops import one_per_loop

log = logging.getLogger(__name__)

BATCH = 500  # connections per call to a listener
# Opened sockets are told in batches: when every client of a restarted process reconnects at once,
# a trip to the database thread and Redis per socket would hold up everything else (issue #12).
OPEN_BATCH_SECONDS = 0.1


class Heartbeat:
    def __init__(self):
        self.sockets: set = set()
        self.task: asyncio.Task | None = None
        self.opening: list = []

    def track(self, socket) -> None:
        """`socket` has `user` and `conn_id`; it is reported until untracked."""
        self.sockets.add(socket)
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self._beat())

    def opened(self, socket) -> None:
        """Tell the apps (the "open" listeners) of `socket`, with the others opened about now."""
        collector.opened()
        self.opening.append(socket)
        if len(self.opening) == 1:
            loop = asyncio.get_running_loop()
            loop.call_later(OPEN_BATCH_SECONDS, lambda: keep(loop.create_task(self._tell_opened())))

    async def _tell_opened(self) -> None:
        # Those closed meanwhile are left out: their close listener may already have run.
        opened = [(socket.user.pk, socket.conn_id) for socket in self.opening if socket in self.sockets]
        self.opening = []
        for start in range(0, len(opened), BATCH):
            for listener in protocol.socket_listeners("open"):
                try:
                    await in_presence_order(listener)(opened[start : start + BATCH])
                except Exception:
                    log.exception("socket open listener %s failed", listener.__name__)

    def untrack(self, socket) -> None:
        # The close listener is queued after this on the same single database thread as the
        # heartbeat's calls, so a refresh can never bring back a connection that was dropped.
        if socket in self.sockets:
            collector.closed()
        self.sockets.discard(socket)

    async def _beat(self) -> None:
        tick = min(protocol.HEARTBEAT_SECONDS, settings.WS_ACCESS_SWEEP_SECONDS)
        since_heartbeat = 0.0
        while self.sockets:
            await asyncio.sleep(tick)
            since_heartbeat += tick
            await self._sweep()
            if since_heartbeat >= protocol.HEARTBEAT_SECONDS:
                since_heartbeat = 0.0
                await self._tell_alive()

    async def _tell_alive(self) -> None:
        alive = [(socket.user.pk, socket.conn_id) for socket in self.sockets if socket.user is not None]
        # In slices: the listeners run on the database thread that every send waits for.
        for start in range(0, len(alive), BATCH):
            for listener in protocol.socket_listeners("alive"):
                try:
                    await in_presence_order(listener)(alive[start : start + BATCH])
                except Exception:
                    log.exception("socket heartbeat listener %s failed", listener.__name__)

    async def _sweep(self) -> None:
        """Close the sockets whose person, password, session or token changed where no event could
        tell this process (another process on the in-memory layer, a bulk update by a script)."""
        sockets = [socket for socket in self.sockets if socket.credentials is not None and not socket.closing]
        for start in range(0, len(sockets), BATCH):
            batch = sockets[start : start + BATCH]
            try:
                ended = await on_database_threads(access.no_longer_holding, CATCH_UP)([s.credentials for s in batch])
            except Exception:
                log.exception("could not check the access of open sockets")
                return
            for socket in batch:
                if socket.credentials in ended:
                    socket.access_ended()


_heartbeats: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Heartbeat]" = weakref.WeakKeyDictionary()


def heartbeat() -> Heartbeat:
    """The heartbeat of the running event loop (one per server process)."""
    return one_per_loop(_heartbeats, Heartbeat)
