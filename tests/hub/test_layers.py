"""hub.layers: one pattern subscription hears every group whose name starts with a prefix."""

import asyncio
import uuid

import pytest

from hub.layers import PubSubLayer

pytestmark = pytest.mark.services


def test_a_channel_hears_every_group_of_a_prefix_once_and_nothing_else(redis_url):
    async def scenario():
        # Glob characters in the layer's prefix must match only themselves: "*" would hear "tX".
        prefix = f"ksptest{uuid.uuid4().hex[:8]}"
        layer = PubSubLayer(hosts=[redis_url], prefix=f"{prefix}*")
        other = PubSubLayer(hosts=[redis_url], prefix=f"{prefix}X")
        try:
            channel = await layer.new_channel()
            await layer.group_prefix_add("user.", channel)
            await layer.group_prefix_add("user.", channel)  # again: still one subscription
            await layer.group_add("room.1", channel)
            await asyncio.sleep(0.3)  # subscribing is not answered; publishing goes on another connection
            await other.group_send("user.5", {"type": "another.prefix"})
            await layer.group_send("token.5", {"type": "another.kind"})
            await layer.group_send("user.5", {"type": "user.5"})
            await layer.group_send("user.77", {"type": "user.77"})
            await layer.group_send("room.1", {"type": "room.1"})
            heard = [(await asyncio.wait_for(layer.receive(channel), 2))["type"] for _ in range(3)]
            assert heard == ["user.5", "user.77", "room.1"]
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(layer.receive(channel), 0.5)

            # Discarded: heard no more.
            channel = await layer.new_channel()
            await layer.group_prefix_add("user.", channel)
            await layer.group_prefix_discard("user.", channel)
            await asyncio.sleep(0.3)
            await layer.group_send("user.5", {"type": "user.5"})
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(layer.receive(channel), 0.5)
        finally:
            await layer.flush()
            await other.flush()

    asyncio.run(scenario())
