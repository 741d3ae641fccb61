"""The channel layer: channels-redis's pub/sub layer, counting the times its subscriptions were lost.

Pub/sub keeps nothing for a subscriber that is away. When Redis restarts, redis-py connects the
layer's subscriber connection again and subscribes it to everything once more, without a word:
events published before that reached nobody. hub.fanout asks `subscriptions_lost` before it
hands on anything it hears, and closes its sockets when the number has changed, so that no
client is given a later event without the ones it missed.

It also lets a channel hear every group whose name starts with a prefix through one pattern
subscription (`group_prefix_add`): hub.fanout hears the groups of one person, one token or one
browser session that way, so that a new socket costs no subscription of its own (issue #12).

Messages are published on a connection of the shard's own, without waiting for each reply
before the next (hub.publishing).

This leans on channels-redis 4.3's internals (the per-loop layer and its shards); the version
is pinned in requirements.txt.
"""

import asyncio
import re

from channels_redis.pubsub import RedisPubSubChannelLayer, RedisPubSubLoopLayer, RedisSingleShardConnection
from channels_redis.utils import _wrap_close, decode_hosts

from hub import metrics, outages
from hub.publishing import Publisher


class PubSubLayer(RedisPubSubChannelLayer):
    """RedisPubSubChannelLayer, and how often the running loop's subscriptions were lost."""

    @property
    def subscriptions_lost(self) -> int:
        """Grows (never shrinks) each time a subscriber connection of this loop has been made
        again after it was lost; whatever was published to its channels meanwhile is gone."""
        return sum(shard.subscriptions_lost for shard in self._get_layer()._shards)

    async def group_prefix_add(self, prefix: str, channel: str) -> None:
        """From now on `channel` hears what is sent to any group whose name starts with `prefix`."""
        await self._get_layer().group_prefix_add(prefix, channel)

    async def group_prefix_discard(self, prefix: str, channel: str) -> None:
        await self._get_layer().group_prefix_discard(prefix, channel)

    def _get_layer(self):
        # As channels-redis's own, with the loop layer below.
        loop = asyncio.get_running_loop()
        layer = self._layers.get(loop)
        if layer is None:
            layer = self._layers[loop] = _LoopLayer(*self._args, **self._kwargs, channel_layer=self)
            _wrap_close(self, loop)
        return layer


class _LoopLayer(RedisPubSubLoopLayer):
    def __init__(self, hosts=None, **kwargs):
        super().__init__(hosts, **kwargs)
        self._shards = [_Shard(host, self) for host in decode_hosts(hosts)]
        # Redis patterns (as the subscriber hears them back) -> the layer channels that hear them.
        self.patterns: dict[str, set[str]] = {}

    def _pattern(self, prefix: str) -> str:
        # Glob characters in the layer's prefix or the group prefix must match only themselves.
        return re.sub(r"([*?\[\]\\])", r"\\\1", self._get_group_channel_name(prefix)) + "*"

    async def group_prefix_add(self, prefix: str, channel: str) -> None:
        if channel not in self.channels:
            raise RuntimeError("group_prefix_add() needs a channel of this process (new_channel()).")
        pattern = self._pattern(prefix)
        self.patterns.setdefault(pattern, set()).add(channel)
        # A group's messages are published on the shard its name hashes to: listen on every shard.
        for shard in self._shards:
            await shard.psubscribe(pattern)

    async def flush(self):
        await super().flush()
        self.patterns = {}

    async def group_prefix_discard(self, prefix: str, channel: str) -> None:
        pattern = self._pattern(prefix)
        channels = self.patterns.get(pattern, set())
        if channel not in channels:
            return
        channels.discard(channel)
        if not channels:
            del self.patterns[pattern]
            for shard in self._shards:
                await shard.punsubscribe(pattern)


class _Shard(RedisSingleShardConnection):
    """One Redis's connections; counts the times its subscriber connection is made again."""

    def __init__(self, host, channel_layer):
        super().__init__(host, channel_layer)
        self.subscriptions_lost = 0
        self._watched = None
        self._patterns: set[str] = set()
        self._publisher: Publisher | None = None

    async def publish(self, channel, message):
        # Not under the shard's lock, one at a time, as channels-redis does (hub.publishing).
        if self._publisher is None:
            self._ensure_redis()
            self._publisher = Publisher(self._redis.connection_pool)
        await self._publisher.publish(channel, message)

    async def subscribe(self, channel):
        await super().subscribe(channel)
        self._watch_connection()

    async def psubscribe(self, pattern: str) -> None:
        async with self._lock:
            if pattern not in self._patterns:
                self._ensure_redis()
                self._ensure_receiver()
                await self._pubsub.psubscribe(pattern)
                self._patterns.add(pattern)
        self._watch_connection()

    async def punsubscribe(self, pattern: str) -> None:
        async with self._lock:
            if pattern in self._patterns:
                self._ensure_redis()
                self._ensure_receiver()
                await self._pubsub.punsubscribe(pattern)
                self._patterns.discard(pattern)

    async def flush(self):
        publisher, self._publisher = self._publisher, None
        if publisher is not None:
            await publisher.close()
        await super().flush()
        self._patterns = set()

    def _watch_connection(self) -> None:
        # The first connection is made by the first subscribe and is not counted; each later one
        # (redis-py reconnects the same connection object and re-subscribes channels and patterns
        # in its callbacks, before it reads anything from the new socket) is.
        connection = self._pubsub.connection if self._pubsub is not None else None
        if connection is not None and connection is not self._watched:
            self._watched = connection
            connection.register_connect_callback(self._connected_again)

    def _connected_again(self, _connection) -> None:
        self.subscriptions_lost += 1

    def _receive_message(self, message):
        if message is None or message.get("type") != "pmessage":
            super()._receive_message(message)
            return
        pattern = message["pattern"]
        if isinstance(pattern, bytes):
            pattern = pattern.decode()
        channels = self.channel_layer.channels
        for channel_name in self.channel_layer.patterns.get(pattern, ()):
            queue = channels.get(channel_name)
            if queue is not None:
                queue.put_nowait(message["data"])

    async def _do_receiving(self):
        # channels-redis's loop, but while Redis is down it logged a traceback a second: the
        # outage is logged once instead (hub.outages), and its end when a read succeeds again.
        while True:
            try:
                if self._pubsub and self._pubsub.subscribed:
                    # (A message read here proves nothing of Redis now: it may have been in the
                    # socket's buffer when Redis went. The probe's round trip ends the outage.)
                    message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1)
                    self._receive_message(message)
                else:
                    await asyncio.sleep(0.1)
            except (TimeoutError, asyncio.CancelledError, GeneratorExit):
                raise
            except Exception as error:
                metrics.LAYER_ERRORS.labels("subscription").inc()
                outages.redis.failed("the channel layer's subscriptions", error)
                await asyncio.sleep(1)
