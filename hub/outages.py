"""Redis outages, said once: a warning when the first call fails and one when Redis answers again.

Rate limits, presence, the channel layer and the fan-out each call Redis many times a second;
while it is down each of those calls fails, and a traceback per failure buried everything else
in the log. Every use reports here instead: the first failure of an outage is logged (the use and
the error, no traceback), later ones are counted, and the first success after them closes the
outage with how long it lasted and how many calls failed. One outage per process.
"""

import logging
import threading
import time

log = logging.getLogger(__name__)


class Outage:
    def __init__(self, what: str):
        self.what = what
        self.since: float | None = None  # monotonic start of the current outage
        self.failures = 0
        self._lock = threading.Lock()  # rate limits and presence report from worker threads

    @property
    def ongoing(self) -> bool:
        return self.since is not None

    def failed(self, use: str, error: BaseException | str) -> None:
        """A call to the dependency by `use` failed; logged only if it is the first of an outage."""
        described = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
        with self._lock:
            self.failures += 1
            if self.since is not None:
                log.debug("%s still down (%s): %s", self.what, use, described)
                return
            self.since = time.monotonic()
            self.failures = 1
        from hub import metrics

        metrics.REDIS_OUTAGES.labels(use).inc()
        log.error(
            "%s is down (%s: %s); further failures are not logged until it answers again",
            self.what,
            use,
            described,
            extra={"fields": {"outage": self.what, "use": use}},
        )

    def answered(self, use: str) -> None:
        """A call by `use` succeeded: ends the outage, if there was one. Cheap when there is none."""
        if self.since is None:
            return
        with self._lock:
            if self.since is None:
                return
            lasted, failures = time.monotonic() - self.since, self.failures
            self.since, self.failures = None, 0
        log.warning(
            "%s answers again (%s) after %.1f s; %d calls failed meanwhile",
            self.what,
            use,
            lasted,
            failures,
            extra={
                "fields": {"outage": self.what, "use": use, "lasted_seconds": round(lasted, 1), "failures": failures}
            },
        )


redis = Outage("Redis")


def _caused_by_redis(error: BaseException | None) -> bool:
    import redis as redis_py

    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, (redis_py.RedisError, ConnectionRefusedError)):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


class DuringOutageFilter(logging.Filter):
    """While a Redis outage is on, drops the log records whose exception Redis caused: the outage
    was logged when it began. This covers the libraries (channels-redis logs a traceback when it
    cannot unsubscribe) and the hub's own callers that log a failure with its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if redis.ongoing and record.exc_info and _caused_by_redis(record.exc_info[1]):
            return False
        return True
