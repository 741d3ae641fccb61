"""The hub's Prometheus metrics: what each process counts, and what is measured when /metrics is read.

Several server processes run per host, so prometheus-client runs in its multi-process mode when
PROMETHEUS_MULTIPROC_DIR names a directory (one per host, shared by its processes, emptied when
the host's services start; deploy/systemd): each process writes its numbers to files there and
/metrics, answered by any of them, adds them up. Without it (the demo, one process) the numbers
are the process's own. The variable must be set before this module is imported.
"""

import asyncio
import atexit
import glob
import os

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))

# --- counted by the processes ------------------------------------------------------------------

OPEN_SOCKETS = Gauge(
    "ksp_ws_open_sockets", "WebSockets open now (accepted and not yet closed).", multiprocess_mode="livesum"
)
SOCKETS_OPENED = Counter("ksp_ws_sockets_opened", "WebSockets accepted.")
FRAMES_IN = Counter("ksp_ws_frames_in", "Frames received from clients (before any budget).")
FRAMES_OUT = Counter("ksp_ws_frames_out", "Frames written to clients (replies and events).")


class Batched:
    """A counter for every frame: counted in a plain int and added to the Prometheus counter at
    most once a second. In multi-process mode an inc() writes to a shared file under a lock,
    about 3 µs, a tenth of what delivering a frame costs; this costs an addition."""

    def __init__(self, counter: Counter):
        self.counter, self.pending, self.scheduled = counter, 0, False
        atexit.register(self.flush)

    def add(self, n: int = 1) -> None:
        self.pending += n
        if not self.scheduled:
            self.scheduled = True
            try:
                asyncio.get_running_loop().call_later(1.0, self.flush)
            except RuntimeError:  # no loop: at once
                self.flush()

    def flush(self) -> None:
        self.scheduled = False
        n, self.pending = self.pending, 0
        if n:
            self.counter.inc(n)


FRAMES_IN_BATCHED, FRAMES_OUT_BATCHED = Batched(FRAMES_IN), Batched(FRAMES_OUT)
SEND_LATENCY = Histogram(
    "ksp_ws_message_send_seconds",
    "From a client's message.send frame read off its socket to its ack written back.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
HTTP_REQUESTS = Counter("ksp_http_requests", "HTTP requests answered, by status class.", ["status"])
LAYER_ERRORS = Counter(
    "ksp_channel_layer_errors", "Calls to the channel layer (Redis) that failed, by operation.", ["operation"]
)
LOST_PUBLISH_NOTICES = Counter(
    "ksp_lost_publish_notices",
    "Lost-publish notices (hub.fanout): sent by this host's processes, or heard and acted on.",
    ["direction"],
)
FANOUT_RESETS = Counter("ksp_fanout_resets", "Times a process closed all its sockets so their clients sync.")
REDIS_OUTAGES = Counter("ksp_redis_outages", "Outages of Redis seen by a process (hub.outages), by use.", ["use"])


def exposition() -> bytes:
    """What /metrics shows: every process's counts on this host, then the scrape-time gauges."""
    if MULTIPROCESS:
        _forget_dead_processes()
        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted)
    else:
        counted = REGISTRY
    measured = CollectorRegistry()
    measured.register(ScrapeTimeCollector())
    return generate_latest(counted) + generate_latest(measured)


def _forget_dead_processes() -> None:
    """A process that died without saying so leaves its 'live' gauges (open sockets) behind: drop
    them, so a crashed process's sockets are not counted as open. Counters stay: they only grow."""
    directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    for path in glob.glob(os.path.join(directory, "gauge_live*_*.db")):
        pid = os.path.basename(path).rsplit("_", 1)[-1].removesuffix(".db")
        if pid.isdigit() and not _alive(int(pid)):
            multiprocess.mark_process_dead(int(pid), directory)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def process_ended() -> None:
    """Called as a server process exits: its open-socket count goes with it."""
    if MULTIPROCESS:
        multiprocess.mark_process_dead(os.getpid())


class ScrapeTimeCollector:
    """Measured when /metrics is read: the job queue and the licensing webhook inbox."""

    def collect(self):
        from hub import ops_probes

        jobs = ops_probes.jobs()
        if jobs is not None:
            pending, lag, age = jobs
            yield _gauge("ksp_jobs_pending", "Background jobs waiting in the queue for a consumer.", pending)
            if lag is not None:
                yield _gauge(
                    "ksp_jobs_lag_seconds",
                    "How long the newest heartbeat job waited in the queue before a consumer started it.",
                    lag,
                )
                yield _gauge(
                    "ksp_jobs_heartbeat_age_seconds",
                    "Since a consumer last started the heartbeat job (enqueued every minute).",
                    age,
                )
        inbox = ops_probes.webhook_inbox()
        if inbox is not None:
            family = GaugeMetricFamily(
                "ksp_webhook_inbox_events", "Licensing webhook events not handled yet, by state.", labels=["state"]
            )
            for state, count in sorted(inbox.items()):
                family.add_metric([state], count)
            yield family


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


# Every series exists from the start (at 0), so a rate() over it has a beginning.
for _operation in ("publish", "subscribe", "receive", "probe", "probe_slow", "refresh", "subscription"):
    LAYER_ERRORS.labels(_operation)
for _direction in ("sent", "heard"):
    LOST_PUBLISH_NOTICES.labels(_direction)
for _status in ("2xx", "3xx", "4xx", "5xx"):
    HTTP_REQUESTS.labels(_status)
