"""Per-person rate limits over a sliding window, shared by all processes through Redis if set."""

import logging
import threading
import time
import uuid
from collections import deque

from django.conf import settings

log = logging.getLogger(__name__)
_local: dict[str, deque] = {}
_lock = threading.Lock()
_redis = None


def allow(key: str, limit: int, window_seconds: float) -> bool:
    """Record one attempt under `key`; False when more than `limit` fell in the last window."""
    if settings.REDIS_URL:
        try:
            return _allow_in_redis(f"{settings.CHANNELS_PREFIX}:rate:{key}", limit, window_seconds)
        except Exception:  # Redis down: this process's own count, rather than refusing everyone
            log.warning("rate limit falls back to this process: Redis did not answer", exc_info=True)
    return _allow_here(key, limit, window_seconds)


def _allow_here(key: str, limit: int, window_seconds: float) -> bool:
    now = time.monotonic()
    with _lock:
        attempts = _local.setdefault(key, deque())
        while attempts and attempts[0] <= now - window_seconds:
            attempts.popleft()
        attempts.append(now)
        if len(_local) > 10_000:  # forget people who have gone quiet
            for quiet in [k for k, v in _local.items() if not v or v[-1] <= now - window_seconds]:
                del _local[quiet]
        return len(attempts) <= limit


def _allow_in_redis(bucket: str, limit: int, window_seconds: float) -> bool:
    global _redis
    if _redis is None:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        _redis = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0)
        )
    now = time.time()
    pipe = _redis.pipeline()
    pipe.zremrangebyscore(bucket, 0, now - window_seconds)
    pipe.zadd(bucket, {f"{now}:{uuid.uuid4().hex[:8]}": now})
    pipe.zcard(bucket)
    pipe.expire(bucket, int(window_seconds) + 1)
    return int(pipe.execute()[2]) <= limit


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
