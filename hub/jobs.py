"""Background jobs: the Huey consumer inside the server process, for the embedded configuration.

`./run demo` sets JOBS_IN_SERVER: the demo's in-memory channel layer is per process, so a job
running anywhere else could not reach its sockets (DESIGN.md §2). Elsewhere, `manage.py run_huey`.
"""

import logging
import threading

logger = logging.getLogger(__name__)
_started = threading.Lock()
_consumer = None


def start_in_process() -> None:
    """Start Huey's scheduler and worker threads (daemons) once in this process. Not through
    Consumer.start(): that installs signal handlers, which belong to the server."""
    global _consumer
    from django.conf import settings
    from django.utils.module_loading import autodiscover_modules
    from huey.contrib.djhuey import HUEY

    with _started:
        if _consumer is not None or HUEY.immediate:
            return
        autodiscover_modules("tasks")  # as `manage.py run_huey` does: every app's jobs are known
        _consumer = HUEY.create_consumer(**settings.HUEY.get("consumer", {}))
        _consumer.scheduler.start()
        for _name, worker in _consumer.worker_threads:
            worker.start()
        logger.info("Huey consumer started inside the server process (%d workers)", len(_consumer.worker_threads))
