"""Publishing to Redis without waiting for each reply (hub.publishing): everything published
arrives, in order; a restarted Redis costs no publish; one that stops answering or is gone makes
the publish fail soon, never hang, and the next one goes through once Redis is back."""

import asyncio
import os
import signal
import time

import pytest
import redis
import redis.asyncio

from hub import publishing
from hub.publishing import Publisher
from tests.chat import test_faults

own_redis = test_faults.own_redis  # the fixture: a redis-server of the test's own, to stop at will


def listening(url: str, channel: str):
    subscriber = redis.Redis.from_url(url).pubsub(ignore_subscribe_messages=True)
    subscriber.subscribe(channel)
    subscriber.get_message(timeout=1)  # the subscription's own confirmation
    return subscriber


def heard(subscriber, count: int) -> list[bytes]:
    out, deadline = [], time.monotonic() + 10
    while len(out) < count and time.monotonic() < deadline:
        message = subscriber.get_message(timeout=0.5)
        if message is not None:
            out.append(message["data"])
    return out


def test_five_hundred_publishes_at_once_all_arrive_in_the_order_they_were_made(own_redis):
    subscriber = listening(own_redis.url, "room")

    async def publish_all():
        publisher = Publisher(redis.asyncio.ConnectionPool.from_url(own_redis.url))
        await asyncio.gather(*(publisher.publish("room", f"ข้อความ {n}".encode()) for n in range(500)))
        await publisher.close()

    asyncio.run(publish_all())
    assert heard(subscriber, 500) == [f"ข้อความ {n}".encode() for n in range(500)]


def test_a_redis_restarted_between_two_publishes_costs_neither(own_redis):
    async def scenario():
        publisher = Publisher(redis.asyncio.ConnectionPool.from_url(own_redis.url))
        await publisher.publish("room", b"before")
        own_redis.kill()
        own_redis.start()
        subscriber = listening(own_redis.url, "room")
        await publisher.publish("room", b"after")  # its connection died with Redis: once more, on a new one
        await publisher.close()
        return subscriber

    subscriber = asyncio.run(scenario())
    assert heard(subscriber, 1) == [b"after"]


def test_a_redis_that_stops_answering_fails_the_publish_soon_and_the_next_goes_through_once_it_is_back(
    own_redis, monkeypatch
):
    monkeypatch.setattr(publishing, "REPLY_TIMEOUT_SECONDS", 0.5)
    subscriber = listening(own_redis.url, "room")

    async def scenario():
        publisher = Publisher(redis.asyncio.ConnectionPool.from_url(own_redis.url))
        await publisher.publish("room", b"one")
        os.kill(own_redis.process.pid, signal.SIGSTOP)
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            await publisher.publish("room", b"two")
        waited = time.monotonic() - started
        os.kill(own_redis.process.pid, signal.SIGCONT)
        await publisher.publish("room", b"three")
        await publisher.close()
        return waited

    waited = asyncio.run(scenario())
    assert waited < 3
    # "two" was written before Redis froze, so Redis may still deliver it when it wakes; nothing
    # promised it would, and its publisher was told it failed (the room's sockets then sync).
    assert [data for data in heard(subscriber, 3) if data != b"two"] == [b"one", b"three"]


def test_a_redis_that_is_gone_fails_the_publish_at_once(own_redis):
    async def scenario():
        publisher = Publisher(redis.asyncio.ConnectionPool.from_url(own_redis.url))
        await publisher.publish("room", b"one")
        own_redis.kill()
        started = time.monotonic()
        with pytest.raises(redis.exceptions.ConnectionError):
            await publisher.publish("room", b"two")
        await publisher.close()
        return time.monotonic() - started

    assert asyncio.run(scenario()) < 3
