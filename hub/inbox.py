"""Reading a socket's frames: what one socket and one person may send, and nothing acted on for a
socket that has gone.

One account once opened 2,000 sockets and flooded 20 of them: the server went on executing the
queued frames of sockets long closed for three minutes, and everyone's sends slowed (issue #8).
So frames are read as they arrive, not as they are handled: a frame over its socket's budget is
dropped as it is read (it costs the parsing only), the frames a socket left unhandled are
dropped when it closes, and a socket that goes on flooding far past its budget is closed. Frames
within the socket's budget then draw on its person's budget in this process, which every socket
of that person shares.
"""

import asyncio
import collections
import logging
import time
import weakref
from collections.abc import Awaitable, Callable

from hub.loops import one_per_loop

log = logging.getLogger(__name__)

WINDOW_SECONDS = 10.0
# A socket that sends this many times its budget within one window is not a client having a bad
# moment: it is closed with CLOSE_FLOODING.
FLOODING_FACTOR = 3
CLOSE_FLOODING = 4008  # 1008, "policy violation", in the application's range
CLOSE_TOO_MANY_SOCKETS = 4429
# Frames read but not handled yet, per socket: more means the client sends faster than the server
# can act, whatever its budget says (a busy database), and the rest wait their turn no longer.
MAX_PENDING_FRAMES = 100
MAX_PENDING_BYTES = 1024 * 1024


class FrameBudget:
    """How many frames may be sent per window; counted in memory, cheaply."""

    ANSWERED_REFUSALS = 5  # the first refusals of a window are answered; the rest are dropped

    def __init__(self, limit: int, window_seconds: float = WINDOW_SECONDS):
        self.limit, self.window = limit, window_seconds
        self.started, self.count, self.answered = time.monotonic(), 0, 0

    def allow(self) -> bool:
        now = time.monotonic()
        if now - self.started >= self.window:
            self.started, self.count, self.answered = now, 0, 0
        self.count += 1
        return self.count <= self.limit

    def may_answer(self) -> bool:
        """Whether to answer this refusal (over the budget, or the socket's queue full: both count)."""
        self.answered += 1
        return self.answered <= self.ANSWERED_REFUSALS

    def flooding(self) -> bool:
        return self.count > self.limit * FLOODING_FACTOR


class SteadyBudget:
    """A budget that refills steadily (a token bucket): `limit` per window on average, in bursts
    of at most a fifth of it. A fixed window would let all of a person's frames in at its start,
    and the database thread would owe them all at once while everyone else's sends waited."""

    ANSWERED_REFUSALS = FrameBudget.ANSWERED_REFUSALS

    def __init__(self, limit: int, window_seconds: float = WINDOW_SECONDS):
        self.rate = limit / window_seconds
        self.capacity = max(1.0, limit / 5)
        self.tokens, self.updated = self.capacity, time.monotonic()
        self.refused = 0  # in a row: the first few are answered

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            self.refused = 0
            return True
        self.refused += 1
        return False

    def may_answer(self) -> bool:
        return self.refused <= self.ANSWERED_REFUSALS

    def refilled(self) -> bool:
        return self.tokens + (time.monotonic() - self.updated) * self.rate >= self.capacity


class PersonBudgets:
    """One SteadyBudget per person, shared by all of that person's sockets in this process, and
    the count of their open sockets. (Per process: N server processes allow N times as much,
    which still bounds one person's share of each.)"""

    def __init__(self):
        self.budgets: dict[int, SteadyBudget] = {}
        self.sockets: collections.Counter[int] = collections.Counter()

    def budget_of(self, user_id: int, limit: int) -> SteadyBudget:
        budget = self.budgets.get(user_id)
        if budget is None:
            budget = self.budgets[user_id] = SteadyBudget(limit)
        return budget

    def opened(self, user_id: int, cap: int) -> bool:
        """Count a new socket of the person; False (and not counted) past `cap`."""
        if self.sockets[user_id] >= cap:
            return False
        self.sockets[user_id] += 1
        return True

    def closed(self, user_id: int) -> None:
        self.sockets[user_id] -= 1
        if self.sockets[user_id] <= 0:
            del self.sockets[user_id]
        # A person's budget outlives their sockets until it has refilled: a client that floods, is
        # closed (4008) and reconnects at once must not come back to a full budget. Once connects
        # got cheap (issue #12) a flooder did that a hundred times in 10 s, and every new socket
        # was a fresh burst of sends and refusals to answer. Forgotten in sweeps, not one by one.
        if len(self.budgets) > len(self.sockets) + 100:
            for quiet in [uid for uid, budget in self.budgets.items() if uid not in self.sockets and budget.refilled()]:
                del self.budgets[quiet]


_people: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, PersonBudgets]" = weakref.WeakKeyDictionary()


def people() -> PersonBudgets:
    """The person budgets of the running event loop (one per server process)."""
    return one_per_loop(_people, PersonBudgets)


class FrameInbox:
    """Takes the client's messages off the server as they arrive and hands the consumer those
    within the socket's budget. The ASGI `receive` of the consumer (see HubConsumer.__call__)."""

    def __init__(self, receive: Callable[[], Awaitable[dict]], budget: FrameBudget, on_refused: Callable[[], None]):
        self._receive, self.budget, self._on_refused = receive, budget, on_refused
        self._queue: collections.deque[dict] = collections.deque()
        self._pending_bytes = 0
        self._ready = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def receive(self) -> dict:
        if self._task is None:
            self._task = asyncio.ensure_future(self._read())
        while not self._queue:
            self._ready.clear()
            await self._ready.wait()
        message = self._queue.popleft()
        self._pending_bytes -= _size(message)
        return message

    async def _read(self) -> None:
        try:
            while True:
                message = await self._receive()
                if message["type"] == "websocket.receive":
                    allowed = self.budget.allow()
                    full = len(self._queue) >= MAX_PENDING_FRAMES or self._pending_bytes >= MAX_PENDING_BYTES
                    if not allowed or full:
                        self._on_refused()
                        continue
                elif message["type"] == "websocket.disconnect":
                    self.drop_pending()
                    self._put(message)
                    return
                self._put(message)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("reading a socket failed; treating it as closed")
            self._put({"type": "websocket.disconnect", "code": 1011})

    def drop_pending(self) -> None:
        """The client has gone, or is being closed: what it sent and was not handled is dropped."""
        self._queue = collections.deque(m for m in self._queue if m["type"] != "websocket.receive")
        self._pending_bytes = 0

    def _put(self, message: dict) -> None:
        self._queue.append(message)
        self._pending_bytes += _size(message)
        self._ready.set()

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


def _size(message: dict) -> int:
    return len(message.get("text") or message.get("bytes") or b"")
