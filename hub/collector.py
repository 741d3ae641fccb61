"""Full garbage collections at a time the process chooses: never in the middle of a reconnect storm.

A full collection of a process holding thousands of sockets stands the event loop still for
0.3-0.7 s. Left to CPython, full collections come when many new objects have lived through the
young collections, which is exactly while thousands of sockets open at once: during a reconnect
storm the people already connected waited for them again and again (docs/performance.md, issue
#12). So CPython's own full collections are off, and this runs them instead, by the same rule on
the objects that matter here: once the sockets opened since the last full collection are a
quarter of those open (CPython's rule is a quarter of the long-lived objects), or every
LONGEST_WAIT_SECONDS for whatever else piles up, and in either case not while sockets are still
opening in a rush, unless it has waited twice as long. The young generations, where most garbage
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
# Sockets opened in the last RUSH_SECONDS: they are still coming, or catching up, so wait.
RUSH, RUSH_SECONDS = 100, 10
# CPython collects the oldest generation once its count passes its threshold: never, in effect.
NEVER = 2**31 - 1


class Collector:
    def __init__(self):
        self.open = 0
        self.opened_since_full = 0
        self.opened_since_check = 0
        self.recent_checks: collections.deque[int] = collections.deque(maxlen=RUSH_SECONDS // CHECK_SECONDS)
        self.last_full = time.monotonic()

    def opened(self) -> None:
        self.open += 1
        self.opened_since_full += 1
        self.opened_since_check += 1

    def closed(self) -> None:
        self.open = max(0, self.open - 1)

    def check(self) -> bool:
        """Run a full collection if one is due and sockets are not opening in a rush; whether it ran."""
        waited = time.monotonic() - self.last_full
        self.recent_checks.append(self.opened_since_check)
        self.opened_since_check = 0
        rush = sum(self.recent_checks) >= RUSH
        many_new = self.opened_since_full >= max(FEWEST_NEW, self.open // 4)
        due = many_new or waited >= LONGEST_WAIT_SECONDS
        if not due or (rush and waited < 2 * LONGEST_WAIT_SECONDS):
            return False
        started = time.perf_counter()
        found = gc.collect()
        log.info("full collection: %d objects freed in %.0f ms", found, (time.perf_counter() - started) * 1000)
        self.last_full, self.opened_since_full = time.monotonic(), 0
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
