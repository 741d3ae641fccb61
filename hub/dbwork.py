"""Where a socket's database work runs: on PostgreSQL, on a few threads at once.

Channels' database_sync_to_async runs all sync ORM work of a process on one thread by default
(DESIGN.md §8), so every frame and every connect waited for the round trips of all the others
before it. On PostgreSQL a socket's work (its token, hello, every frame) goes to a few threads of
the process's own instead: while one waits for PostgreSQL or Redis, others run (docs/performance.md,
issue #12). One socket's frames still run one after another (the consumer awaits each). SQLite
takes one writer at a time, so there everything stays on the one thread.

Each of these threads keeps its pooled connection from one call to the next, and hands calls over
through a plain queue rather than asgiref's executor: borrowing the connection from the pool and
giving it back around every call, and asgiref's futures, locks and context copying, cost about
half as much CPU again as a socket's token query itself (a connect makes two such calls; every
frame one). What asgiref's DatabaseSyncToAsync did around each call is done here instead: the
connection is checked before use (hub.postgresql's check, which costs no round trip unless the
server has written: a restart or pg_terminate_backend leaves its FATAL error there) and closed,
so the pool replaces it, when it is broken, failed, was left in a transaction, or has been kept
for KEEP_SECONDS (the pool's own max_lifetime and resizing then still apply to it). A thread
with nothing to do for IDLE_SECONDS gives its connection back: the threads hold up to THREADS
connections of the pool (DATABASE_POOL_SIZE, 10 by default) while sockets keep them busy only.

Work comes in three lanes, taken in this order:
- LIVE: what people already connected are doing (a send, a read, a reaction);
- CATCH_UP: a socket already accepted getting going (its hello, a sync of what it missed);
- OPENING: a new socket's token or session.
After a restart or a network blip thousands of clients reconnect and sync at once. In one queue,
every send of the people still connected waited behind all of that (seconds, in the reconnect
storm of docs/performance.md), and every socket's hello waited behind every other socket's token
lookup, its sync behind every hello: nobody was back until nearly everybody was. Now a send waits
for the calls already running, and a socket once started is finished before new ones are started.
So that no lane stalls under a steady load on the lanes before it, a thread that has taken
IN_A_ROW calls in a row while a later lane waited takes that lane's next call.
"""

import asyncio
import collections
import contextvars
import enum
import functools
import logging
import queue
import threading
import time

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection

log = logging.getLogger(__name__)

PARALLEL = settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3"
THREADS = 4
KEEP_SECONDS = 60.0
IDLE_SECONDS = 2.0
IN_A_ROW = 8


class Lane(enum.Enum):
    LIVE = "live"
    CATCH_UP = "catch-up"
    OPENING = "opening"


LIVE, CATCH_UP, OPENING = Lane.LIVE, Lane.CATCH_UP, Lane.OPENING
FIRST_FIRST = (LIVE, CATCH_UP, OPENING)
LAST_FIRST = tuple(reversed(FIRST_FIRST))


class DatabaseThreads:
    """THREADS threads that run sync ORM work handed to them from the event loop, live work first."""

    def __init__(self, count: int):
        self.count = count
        self._lanes = {lane: collections.deque() for lane in Lane}
        # One ticket per call waiting in a lane: a thread holding a ticket always has a call to
        # find (deque appends and pops are atomic, and a call is queued before its ticket).
        self._tickets: queue.SimpleQueue = queue.SimpleQueue()
        self._started = False
        self._lock = threading.Lock()

    async def run(self, work, args: tuple, lane: Lane = LIVE):
        if not self._started:
            self._start()
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        # In the caller's context (the request id of log lines, the language of a translation).
        self._lanes[lane].append((loop, future, contextvars.copy_context(), work, args))
        self._tickets.put(None)
        return await future

    def _next(self, in_a_row: int) -> tuple[tuple, int]:
        """The next call for a thread that has just taken a ticket, and its new count of calls
        taken in a row while a later lane waited."""
        order = LAST_FIRST if in_a_row >= IN_A_ROW else FIRST_FIRST
        while True:  # another thread may take the call seen here first; then one is elsewhere
            for lane in order:
                try:
                    call = self._lanes[lane].popleft()
                except IndexError:
                    continue
                later = FIRST_FIRST[FIRST_FIRST.index(lane) + 1 :]
                passed_over = order is FIRST_FIRST and any(self._lanes[other] for other in later)
                return call, (in_a_row + 1 if passed_over else 0)

    def _start(self) -> None:
        with self._lock:
            if not self._started:
                for number in range(self.count):
                    threading.Thread(target=self._serve, name=f"database_{number}", daemon=True).start()
                self._started = True

    def _serve(self) -> None:
        kept_since, in_a_row = None, 0
        while True:
            try:
                self._tickets.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                kept_since = _give_back()
                continue
            (loop, future, context, work, args), in_a_row = self._next(in_a_row)
            kept_since = _usable_connection(kept_since)
            try:
                result, error = context.run(work, *args), None
            except BaseException as raised:  # handed to the awaiting coroutine, as asgiref does
                result, error = None, raised
            try:
                loop.call_soon_threadsafe(_settle, future, result, error)
            except RuntimeError:  # the loop has closed (the server is stopping): nobody waits
                pass
            del result, error, future, args  # nothing of this call lives on in the idle thread


def _settle(future: asyncio.Future, result, error) -> None:
    if future.done():  # the caller was cancelled meanwhile
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


def _usable_connection(kept_since: float | None) -> float | None:
    """This thread's connection, if it has one, is fit for the next call; else it is closed (the
    next query borrows another from the pool). Returns since when it has been kept, or None."""
    from hub.postgresql.base import check_connection

    conn = connection.connection
    if conn is None:
        return None
    now = time.monotonic()
    if kept_since is None:  # borrowed during the last call
        kept_since = now
    try:
        check_connection(conn)
        fit = (
            now - kept_since < KEEP_SECONDS
            and connection.get_autocommit()
            and not connection.in_atomic_block
            and not (connection.errors_occurred and not connection.is_usable())
        )
    except Exception:
        fit = False
    if fit:
        connection.errors_occurred = False
        return kept_since
    return _give_back()


def _give_back() -> None:
    """Close this thread's connection, if any: the pool takes it back (or drops a broken one)."""
    try:
        connection.close()
    except Exception:
        log.debug("closing a database thread's connection failed", exc_info=True)


_threads = DatabaseThreads(THREADS) if PARALLEL else None


@functools.cache  # made once per function and lane
def on_database_threads(work, lane: Lane = LIVE):
    """An async callable that runs work(*args) on the database threads, in `lane` (on SQLite, as
    database_sync_to_async does: on the one thread all sync ORM work shares, in the order asked)."""
    if _threads is None:
        return database_sync_to_async(work)

    async def call(*args):
        return await _threads.run(work, args, lane)

    return call


def in_presence_order(work):
    """database_sync_to_async(work) on Channels' one database thread of the process, in the order
    asked. Presence writes go there (sockets opened, alive, idle and closed; announcements put off
    for a moment): one after another, a heartbeat's refresh can never bring back a connection whose
    close listener ran before it, as it could on the parallel threads. They are batched, so the one
    thread is not a queue that connects or frames wait in (those use on_database_threads)."""
    return database_sync_to_async(work)
