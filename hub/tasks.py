"""Background jobs of the hub itself: a heartbeat that measures how long jobs wait for a consumer."""

import time

from huey import crontab
from huey.contrib.djhuey import HUEY, periodic_task
from huey.signals import SIGNAL_ENQUEUED

from hub import ops_probes


@periodic_task(crontab(minute="*"))
def jobs_heartbeat(enqueued_at: float | None = None) -> None:
    """Every minute: how long this job waited in the queue is the queue's lag (/metrics)."""
    started = time.time()
    ops_probes.record_heartbeat(enqueued_at or started, started)


@HUEY.signal(SIGNAL_ENQUEUED)
def _stamp_heartbeat(signal, task, *args) -> None:
    # A Huey message carries no time of its own; the heartbeat is given the time it was enqueued.
    if isinstance(task, jobs_heartbeat.task_class):
        task.kwargs = {**(task.kwargs or {}), "enqueued_at": time.time()}
