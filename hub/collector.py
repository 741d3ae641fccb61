"""Full garbage collections at a time the process chooses: never in the middle of a reconnect storm.

A full collection of a process holding thousands of sockets stands the event loop still for
0.3-0.7 s. Left to CPython, full collections come when many new objects have lived through the
young collections, which is exactly while thousands of sockets open at once: during a reconnect
storm the people already connected waited for them again and again (docs/performance.md, issue
#12). So CPython's own full collections are off, and this runs them instead, by the same rule on
the objects that matter here: once the sockets opened since the last full collection are a
quarter of those open (CPython's rule is a quarter of the long-lived objects), or every
LONGEST_WAIT_SECONDS for whatever else piles up, and in either case not while sockets are still
opening in a rush or the process is busy (clients catching up after the rush), unless it has
waited twice as long. The young generations, where most garbage
dies, are collected by CPython as before; what start-up loaded is set aside for good.
"""

import asyncio
import collections
import gc
import logging
import time

log = logging.getLogger(__name__)

CHECK_SECONDS = 2
LONGEST_WAIT_SECONDS = 600
FEWEST_NEW = 200  # sockets opened since the last full collection that may call for one
# Sockets opened in the last RUSH_SECONDS (they are still coming), or the process busy for more
# than BUSY of that time (they are still catching up, or people are talking): wait.
RUSH, RUSH_SECONDS, BUSY = 100, 10, 0.5
# CPython collects the oldest generation once its count passes its threshold: never, in effect.
NEVER = 2**31 - 1


class Collector:
    def __init__(self, wall=time.monotonic, cpu=time.process_time):
        self.wall, self.cpu = wall, cpu  # clocks: the time, and the CPU time the process has used
        self.open = 0
        self.opened_since_full = 0
        self.opened_since_check = 0
        self.recent_checks: collections.deque[int] = collections.deque(maxlen=RUSH_SECONDS // CHECK_SECONDS)
        # (wall clock, the process's CPU time) at the checks of the last RUSH_SECONDS
        self.recent_clock: collections.deque[tuple[float, float]] = collections.deque(
            maxlen=RUSH_SECONDS // CHECK_SECONDS + 1
        )
        self.last_full = wall()

    def opened(self) -> None:
        self.open += 1
        self.opened_since_full += 1
        self.opened_since_check += 1

    def closed(self) -> None:
        self.open = max(0, self.open - 1)

    def check(self) -> bool:
        """Run a full collection if one is due and sockets are not opening in a rush; whether it ran."""
        waited = self.wall() - self.last_full
        self.recent_checks.append(self.opened_since_check)
        self.opened_since_check = 0
        self.recent_clock.append((self.wall(), self.cpu()))
        (wall_then, cpu_then), (wall_now, cpu_now) = self.recent_clock[0], self.recent_clock[-1]
        share = (cpu_now - cpu_then) / (wall_now - wall_then) if wall_now > wall_then else 0.0
        busy = share > BUSY
        rush = busy or sum(self.recent_checks) >= RUSH
        many_new = self.opened_since_full >= max(FEWEST_NEW, self.open // 4)
        due = many_new or waited >= LONGEST_WAIT_SECONDS
        if not due or (rush and waited < 2 * LONGEST_WAIT_SECONDS):
            return False
        started = time.perf_counter()
        found = gc.collect()
        log.info(
            "full collection: %d objects freed in %.0f ms (%d sockets opened since the last, of %d open;"
            " %d opened and %.0f%% of a core used in the last %d s; %.0f s since the last)",
            found,
            (time.perf_counter() - started) * 1000,
            self.opened_since_full,
            self.open,
            sum(self.recent_checks),
            share * 100,
            RUSH_SECONDS,
            waited,
        )
        self.last_full, self.opened_since_full = self.wall(), 0
        return True


collector = Collector()


def take_over() -> None:
    """At start-up, once everything is imported (hub.asgi): from now on this runs full collections."""
    gc.freeze()
    gc.set_threshold(700, 10, NEVER)


def start(loop: asyncio.AbstractEventLoop) -> None:
    """Check every CHECK_SECONDS on the server's loop (hub.asgi binds it once)."""

    def tick() -> None:
        try:
            collector.check()
        finally:
            loop.call_later(CHECK_SECONDS, tick)

    loop.call_later(CHECK_SECONDS, tick)
