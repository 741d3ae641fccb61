"""Presence: who has a socket open, who is idle, busy, in a meeting or out of office.

Open connections live in Redis when REDIS_URL is set (shared by every process) and in this process
otherwise. They are what may be lost: each connection refreshes its entry while it lives, and an
entry that is not refreshed expires, so a killed process does not leave people online forever.
"""

import functools
import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings

from hub import outages

# A connection not refreshed for this long counts as gone (hub.heartbeat refreshes every 30 s).
CONNECTION_TTL_SECONDS = 90


@dataclass(frozen=True)
class Connection:
    conn_id: str
    idle: bool


class MemoryStore:
    """One process's connections: the embedded configuration and tests without Redis."""

    def __init__(self):
        self._lock = threading.Lock()
        self._connections: dict[int, dict[str, tuple[bool, float]]] = {}
        self._last_status: dict[int, str] = {}

    def put(self, user_id: int, conn_id: str, idle: bool) -> None:
        with self._lock:
            self._connections.setdefault(user_id, {})[conn_id] = (idle, time.time() + CONNECTION_TTL_SECONDS)

    def opened(self, connections: list[tuple[int, str]]) -> None:
        """Connections just opened, not idle; one that already said something keeps what it said."""
        expires = time.time() + CONNECTION_TTL_SECONDS
        with self._lock:
            for user_id, conn_id in connections:
                self._connections.setdefault(user_id, {}).setdefault(conn_id, (False, expires))

    def refresh(self, connections: list[tuple[int, str]]) -> None:
        """Push back the expiry of these connections, each keeping whether it is idle."""
        expires = time.time() + CONNECTION_TTL_SECONDS
        with self._lock:
            for user_id, conn_id in connections:
                entries = self._connections.setdefault(user_id, {})
                entries[conn_id] = (entries.get(conn_id, (False, 0.0))[0], expires)

    def drop(self, user_id: int, conn_id: str) -> None:
        with self._lock:
            self._connections.get(user_id, {}).pop(conn_id, None)

    def connections(self, user_id: int) -> list[Connection]:
        now = time.time()
        with self._lock:
            entries = self._connections.get(user_id, {})
            return [Connection(conn, idle) for conn, (idle, expires) in entries.items() if expires > now]

    def connections_of(self, user_ids: list[int]) -> dict[int, list[Connection]]:
        return {user_id: self.connections(user_id) for user_id in user_ids}

    def swap_statuses(self, statuses: dict[int, str]) -> dict[int, str | None]:
        """Remember each status as the last one announced for its user; return the ones before."""
        with self._lock:
            previous = {user_id: self._last_status.get(user_id) for user_id in statuses}
            self._last_status.update(statuses)
            return previous

    def online_user_ids(self) -> set[int]:
        now = time.time()
        with self._lock:
            return {
                user_id
                for user_id, entries in self._connections.items()
                if any(expires > now for _idle, expires in entries.values())
            }

    def clear(self) -> None:
        with self._lock:
            self._connections.clear()
            self._last_status.clear()


def _degrades(fallback):
    """While Redis is down presence is unknown, not an error: the call returns `fallback(*args)`
    (nobody online, nothing changed) and the outage is logged once (hub.outages)."""

    def wrap(method):
        @functools.wraps(method)
        def guarded(self, *args, **kwargs):
            import redis

            try:
                result = method(self, *args, **kwargs)
            except redis.RedisError as error:
                outages.redis.failed("presence (everyone shows offline meanwhile)", error)
                return fallback(*args)
            outages.redis.answered("presence")
            return result

        return guarded

    return wrap


def _nothing(*_args) -> None:
    return None


class RedisStore:
    """Connections of every process: a hash per user, and a sorted set of users by expiry."""

    def __init__(self, url: str, prefix: str):
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # Fail fast and never retry: presence may be lost, the thread that asks must not wait.
        self._redis = redis.Redis.from_url(
            url, socket_timeout=0.5, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0)
        )
        self._prefix = f"{prefix}:presence"

    def _user_key(self, user_id: int) -> str:
        return f"{self._prefix}:user:{user_id}"

    @_degrades(_nothing)
    def put(self, user_id: int, conn_id: str, idle: bool) -> None:
        self._write([(user_id, conn_id, idle)])

    @_degrades(_nothing)
    def opened(self, connections: list[tuple[int, str]]) -> None:
        """Connections just opened, not idle, in one trip; one that already said something (its
        idle frame may come before the batch of opens, hub.heartbeat) keeps what it said."""
        if not connections:
            return
        expires = time.time() + CONNECTION_TTL_SECONDS
        writing = self._redis.pipeline(transaction=False)
        for user_id, conn_id in connections:
            writing.hsetnx(self._user_key(user_id), conn_id, f"0|{expires}")
        for user_id in {user_id for user_id, _conn_id in connections}:
            writing.expire(self._user_key(user_id), CONNECTION_TTL_SECONDS)
            writing.zadd(f"{self._prefix}:online", {str(user_id): expires})
        writing.execute()

    @_degrades(_nothing)
    def refresh(self, connections: list[tuple[int, str]]) -> None:
        """Push back the expiry of these connections, each keeping whether it is idle: two trips
        to Redis for however many connections."""
        if not connections:
            return
        reading = self._redis.pipeline(transaction=False)
        for user_id, conn_id in connections:
            reading.hget(self._user_key(user_id), conn_id)
        idle = [_entry(value)[0] if value else False for value in reading.execute()]
        self._write([(user_id, conn_id, is_idle) for (user_id, conn_id), is_idle in zip(connections, idle)])

    def _write(self, entries: list[tuple[int, str, bool]]) -> None:
        """(user id, connection, idle): each connection expires CONNECTION_TTL_SECONDS from now."""
        expires = time.time() + CONNECTION_TTL_SECONDS
        writing = self._redis.pipeline(transaction=False)
        for user_id, conn_id, idle in entries:
            writing.hset(self._user_key(user_id), conn_id, f"{int(idle)}|{expires}")
        for user_id in {user_id for user_id, _conn_id, _idle in entries}:
            writing.expire(self._user_key(user_id), CONNECTION_TTL_SECONDS)
            writing.zadd(f"{self._prefix}:online", {str(user_id): expires})
        writing.execute()

    @_degrades(_nothing)
    def drop(self, user_id: int, conn_id: str) -> None:
        self._redis.hdel(self._user_key(user_id), conn_id)
        if not self.connections(user_id):
            self._redis.zrem(f"{self._prefix}:online", str(user_id))

    def connections(self, user_id: int) -> list[Connection]:
        return self.connections_of([user_id])[user_id]

    def connections_of(self, user_ids: list[int]) -> dict[int, list[Connection]]:
        """connections() of many people in one trip; none for nobody (an empty pipeline "answers"
        even while Redis is down, which would end a logged outage early and log it again)."""
        return self._connections_of(user_ids) if user_ids else {}

    @_degrades(lambda user_ids: {user_id: [] for user_id in user_ids})
    def _connections_of(self, user_ids: list[int]) -> dict[int, list[Connection]]:
        reading = self._redis.pipeline(transaction=False)
        for user_id in user_ids:
            reading.hgetall(self._user_key(user_id))
        now = time.time()
        return {user_id: _unexpired(entries, now) for user_id, entries in zip(user_ids, reading.execute())}

    # Down, every status counts as unchanged: nothing is announced on what Redis cannot say.
    @_degrades(lambda statuses: dict(statuses))
    def swap_statuses(self, statuses: dict[int, str]) -> dict[int, str | None]:
        """swap_status() of many people in one trip."""
        writing = self._redis.pipeline(transaction=False)
        for user_id, status in statuses.items():
            writing.getset(f"{self._prefix}:status:{user_id}", status)
        return {
            user_id: previous.decode() if previous is not None else None
            for user_id, previous in zip(statuses, writing.execute())
        }

    @_degrades(lambda: set())
    def online_user_ids(self) -> set[int]:
        members = self._redis.zrangebyscore(f"{self._prefix}:online", time.time(), "+inf")
        return {int(member) for member in members}

    def clear(self) -> None:
        keys = list(self._redis.scan_iter(f"{self._prefix}:*", count=500))
        if keys:
            self._redis.delete(*keys)


def _entry(value: bytes) -> tuple[bool, float]:
    """A connection's value in Redis, "<idle 0|1>|<expires>", read back."""
    idle, _, expires = value.decode().partition("|")
    return idle == "1", float(expires)


def _unexpired(entries: dict[bytes, bytes], now: float) -> list[Connection]:
    found = []
    for conn, value in entries.items():
        idle, expires = _entry(value)
        if expires > now:
            found.append(Connection(conn.decode(), idle))
    return found


_store = None
_store_lock = threading.Lock()


def store() -> MemoryStore | RedisStore:
    global _store
    with _store_lock:
        if _store is None:
            _store = RedisStore(settings.REDIS_URL, settings.CHANNELS_PREFIX) if settings.REDIS_URL else MemoryStore()
        return _store


# Other apps tell presence who is in a call right now (meetings registers a source in its ready()):
# a callable given person ids that returns those of them in a meeting. The directory knows nothing
# of meetings; a source that fails leaves people as they are.
_in_meeting_sources: list = []


def register_in_meeting_source(source) -> None:
    if source not in _in_meeting_sources:
        _in_meeting_sources.append(source)


def people_in_a_meeting(person_ids: list[int]) -> set[int]:
    found: set[int] = set()
    for source in _in_meeting_sources:
        try:
            found |= set(source(list(person_ids)))
        except Exception:  # presence must never fail a page or the heartbeat
            logging.getLogger(__name__).warning("in-meeting source %r failed", source, exc_info=True)
    return found
