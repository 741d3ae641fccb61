"""Every HEARTBEAT_SECONDS, tell the apps which sockets of this process are still open, in one batch.

A call per socket (the consumer's own timer, before) made 10,000 idle sockets cost 333 trips a
second to the database thread and Redis; one batch per process costs one trip per listener.
"""

import asyncio
import logging
import weakref

from channels.db import database_sync_to_async

from hub import protocol
from hub.loops import one_per_loop

log = logging.getLogger(__name__)

BATCH = 500  # connections per call to a listener


class Heartbeat:
    def __init__(self):
        self.sockets: set = set()
        self.task: asyncio.Task | None = None

    def track(self, socket) -> None:
        """`socket` has `user` and `conn_id`; it is reported until untracked."""
        self.sockets.add(socket)
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self._beat())

    def untrack(self, socket) -> None:
        # The close listener is queued after this on the same single database thread as the
        # heartbeat's calls, so a refresh can never bring back a connection that was dropped.
        self.sockets.discard(socket)

    async def _beat(self) -> None:
        while self.sockets:
            await asyncio.sleep(protocol.HEARTBEAT_SECONDS)
            alive = [(socket.user.pk, socket.conn_id) for socket in self.sockets if socket.user is not None]
            # In slices: the listeners run on the database thread that every send waits for.
            for start in range(0, len(alive), BATCH):
                for listener in protocol.socket_listeners("alive"):
                    try:
                        await database_sync_to_async(listener)(alive[start : start + BATCH])
                    except Exception:
                        log.exception("socket heartbeat listener %s failed", listener.__name__)


_heartbeats: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Heartbeat]" = weakref.WeakKeyDictionary()


def heartbeat() -> Heartbeat:
    """The heartbeat of the running event loop (one per server process)."""
    return one_per_loop(_heartbeats, Heartbeat)
