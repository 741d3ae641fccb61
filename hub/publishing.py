"""Publishing to Redis on one connection of its own, without waiting for each reply before the next.

channels-redis publishes one message at a time under its shard's lock, through redis-py's pool
and retry loop; at a few hundred sends a second that was a sixth of the server's CPU per send
(docs/performance.md, issue #12). Here every PUBLISH is written at once on one connection and
the replies are read back by one task, in order: a publish returns when its reply has come, or
raises when the connection broke or Redis stopped answering, as before (hub.realtime then tells
the room's sockets to sync). The replies are counts of receivers that nobody uses, so which reply
settles which publish does not matter, only that each gets one.
"""

import asyncio
import collections
import contextlib
import logging

from redis.exceptions import ConnectionError as RedisConnectionError

log = logging.getLogger(__name__)

# A Redis that has not answered a publish in this long is taken for gone: the publish fails
# and the connection is made again for the next one.
REPLY_TIMEOUT_SECONDS = 5


class Publisher:
    def __init__(self, pool):
        self.pool = pool  # redis-py's, for its connection settings (address, timeouts)
        self.connection = None
        self.waiting: collections.deque[asyncio.Future] = collections.deque()
        self.reader: asyncio.Task | None = None
        self.connecting = asyncio.Lock()

    async def publish(self, channel: str, message: bytes) -> None:
        try:
            await self._publish(channel, message)
        except RedisConnectionError:
            # A connection Redis closed when it restarted fails on first use: once more on a new
            # one (as the layer's retry did). A Redis that does not answer is not tried again.
            await self._publish(channel, message)

    async def _publish(self, channel: str, message: bytes) -> None:
        connection = self.connection or await self._connect()
        reply = asyncio.get_running_loop().create_future()
        self.waiting.append(reply)
        try:
            async with asyncio.timeout(REPLY_TIMEOUT_SECONDS):
                await connection.send_packed_command(connection.pack_command("PUBLISH", channel, message), False)
                await reply
        except asyncio.CancelledError:
            raise  # its reply still comes and is dropped (the reader skips settled ones)
        except Exception as error:
            self._lost(connection, error)
            raise

    async def _connect(self):
        async with self.connecting:
            if self.connection is None:
                # No socket timeout of redis-py's own: it would run every write in a task of its
                # own (asyncio.wait_for); the timeout above covers the write and the reply.
                connection = self.pool.connection_class(**{**self.pool.connection_kwargs, "socket_timeout": None})
                await connection.connect()
                self.connection = connection
                self.reader = asyncio.ensure_future(self._read(connection))
            return self.connection

    async def _read(self, connection) -> None:
        try:
            while True:
                await connection.read_response(timeout=float("inf"))
                if self.waiting:
                    reply = self.waiting.popleft()
                    if not reply.done():
                        reply.set_result(None)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            self._lost(connection, error)

    def _lost(self, connection, error: Exception) -> None:
        """The connection broke or Redis stopped answering: every publish still waiting on it fails."""
        if self.connection is not connection:
            return  # already given up (the reader and a publish both saw it)
        self.connection = None
        if self.reader is not None and self.reader is not asyncio.current_task():
            self.reader.cancel()
        self.reader = None
        waiting, self.waiting = self.waiting, collections.deque()
        for reply in waiting:
            if not reply.done():
                reply.set_exception(RedisConnectionError(f"Redis connection lost: {error!r}"))
                reply.exception()  # retrieved here: a cancelled publish never looks
        closing = asyncio.ensure_future(connection.disconnect(nowait=True))
        closing.add_done_callback(_ignore_result)

    async def close(self) -> None:
        connection, self.connection = self.connection, None
        if self.reader is not None:
            self.reader.cancel()
            self.reader = None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.disconnect(nowait=True)
        for reply in self.waiting:
            reply.cancel()
        self.waiting.clear()


def _ignore_result(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.debug("closing a lost Redis connection failed", exc_info=task.exception())
