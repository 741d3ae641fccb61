"""Rate limits over a sliding window, shared by all processes through Redis if set."""

import threading
import time
import uuid
from collections import deque

from django.conf import settings

from hub import outages

_local: dict[str, deque] = {}
_lock = threading.Lock()
_redis = None
_longest_window = 0.0
USE = "rate limits (counted per process meanwhile)"


def allow(key: str, limit: int, window_seconds: float) -> bool:
    """Record one attempt under `key`; False when more than `limit` fell in the last window."""
    if settings.REDIS_URL:
        try:
            allowed = _allow_in_redis(_bucket(key), limit, window_seconds)
        except Exception as error:  # Redis down: this process's own count, rather than refusing everyone
            outages.redis.failed(USE, error)
        else:
            outages.redis.answered(USE)
            return allowed
    return _allow_here(key, limit, window_seconds)


def record(key: str, window_seconds: float) -> None:
    """Count one event under `key` without asking whether it was allowed (see `wait_seconds`)."""
    if settings.REDIS_URL:
        try:
            _record_in_redis(_bucket(key), window_seconds)
        except Exception as error:
            outages.redis.failed(USE, error)
        else:
            outages.redis.answered(USE)
            return
    _record_here(key, window_seconds)


def wait_seconds(key: str, limit: int, window_seconds: float) -> float:
    """0 while fewer than `limit` events fell in the last window; else how long until one ages out."""
    if settings.REDIS_URL:
        try:
            wait = _wait_in_redis(_bucket(key), limit, window_seconds)
        except Exception as error:
            outages.redis.failed(USE, error)
        else:
            outages.redis.answered(USE)
            return wait
    return _wait_here(key, limit, window_seconds)


def _bucket(key: str) -> str:
    return f"{settings.CHANNELS_PREFIX}:rate:{key}"


def _allow_here(key: str, limit: int, window_seconds: float) -> bool:
    now = time.monotonic()
    with _lock:
        attempts = _local.setdefault(key, deque())
        while attempts and attempts[0] <= now - window_seconds:
            attempts.popleft()
        attempts.append(now)
        if len(_local) > 10_000:  # forget people who have gone quiet
            _forget_quiet(now, window_seconds)
        return len(attempts) <= limit


def _record_here(key: str, window_seconds: float) -> None:
    global _longest_window
    now = time.monotonic()
    with _lock:
        _longest_window = max(_longest_window, window_seconds)
        _local.setdefault(key, deque()).append(now)
        if len(_local) > 10_000:
            _forget_quiet(now, window_seconds)


def _wait_here(key: str, limit: int, window_seconds: float) -> float:
    now = time.monotonic()
    with _lock:
        events = _local.get(key, deque())
        while events and events[0] <= now - window_seconds:
            events.popleft()
        if len(events) < limit:
            return 0.0
        # Allowed again once all but limit - 1 of the events have aged out.
        return events[len(events) - limit] + window_seconds - now


def _forget_quiet(now: float, window_seconds: float) -> None:
    global _longest_window
    # Keys of every window share the table: a short window must not forget a long one's events.
    _longest_window = max(_longest_window, window_seconds)
    for quiet in [k for k, v in _local.items() if not v or v[-1] <= now - _longest_window]:
        del _local[quiet]


def _client():
    global _redis
    if _redis is None:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        _redis = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0)
        )
    return _redis


def _record_in_redis(bucket: str, window_seconds: float) -> None:
    now = time.time()
    pipe = _client().pipeline()
    pipe.zremrangebyscore(bucket, 0, now - window_seconds)
    pipe.zadd(bucket, {f"{now}:{uuid.uuid4().hex[:8]}": now})
    pipe.expire(bucket, int(window_seconds) + 1)
    pipe.execute()


def _wait_in_redis(bucket: str, limit: int, window_seconds: float) -> float:
    now = time.time()
    pipe = _client().pipeline()
    pipe.zremrangebyscore(bucket, 0, now - window_seconds)
    pipe.zrevrange(bucket, limit - 1, limit - 1, withscores=True)  # the limit-th newest event
    event = pipe.execute()[1]
    return max(0.0, event[0][1] + window_seconds - now) if event else 0.0


# One call to Redis for an attempt (the send path's rate check, docs/performance.md): drop what
# fell out of the window, count this attempt, and say how many are in it now.
ALLOW = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, tonumber(ARGV[1]) - tonumber(ARGV[2]))
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return redis.call('ZCARD', KEYS[1])
"""
_allow_script = None


def _allow_in_redis(bucket: str, limit: int, window_seconds: float) -> bool:
    global _allow_script
    if _allow_script is None:
        _allow_script = _client().register_script(ALLOW)  # EVALSHA, loading the script when Redis lacks it
    now = time.time()
    member = f"{now}:{uuid.uuid4().hex[:8]}"
    return int(_allow_script(keys=[bucket], args=[repr(now), window_seconds, member, int(window_seconds) + 1])) <= limit


def reset() -> None:
    """Forget every count (tests start from zero)."""
    with _lock:
        _local.clear()
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
        keys = list(client.scan_iter(f"{settings.CHANNELS_PREFIX}:rate:*", count=500))
        if keys:
            client.delete(*keys)
