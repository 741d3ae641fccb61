"""What /metrics and /healthz/ready measure when they are asked: the job queue, the licensing
webhook inbox, PostgreSQL and Redis. Each is guarded: a probe that fails says so, never raises."""

import asyncio
import json
import logging
import time

from asgiref.sync import sync_to_async
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count

log = logging.getLogger(__name__)

# Where the jobs' heartbeat (hub/tasks.py) leaves when it was enqueued and when it started.
HEARTBEAT_KEY = "ksp.jobs.heartbeat"


def jobs() -> tuple[int, float | None, float | None] | None:
    """(jobs waiting, the heartbeat job's wait in the queue, seconds since it last started), or
    None when the queue cannot be read."""
    from huey.constants import EmptyData
    from huey.contrib.djhuey import HUEY

    try:
        pending = HUEY.pending_count()
        raw = HUEY.storage.peek_data(HEARTBEAT_KEY)
    except Exception as error:  # Redis down: the metric is missing, and readiness says why
        log.debug("could not read the job queue: %s", error)
        return None
    if raw is EmptyData or not raw:
        return pending, None, None
    beat = json.loads(raw)
    lag = max(0.0, beat["started_at"] - beat["enqueued_at"])
    return pending, lag, max(0.0, time.time() - beat["started_at"])


def record_heartbeat(enqueued_at: float, started_at: float) -> None:
    from huey.contrib.djhuey import HUEY

    HUEY.storage.put_data(HEARTBEAT_KEY, json.dumps({"enqueued_at": enqueued_at, "started_at": started_at}).encode())


# The licensing webhook inbox is licensing.models.InboxEvent; the hub counts it by name, so that
# the bottom floor imports nothing of licensing (and says nothing while that app has no table).
INBOX_MODEL = ("licensing", "InboxEvent")
INBOX_BACKLOG_STATES = ("pending", "failed")


def webhook_inbox() -> dict[str, int] | None:
    """Events of the licensing inbox not handled yet, by state; None when it cannot be counted."""
    try:
        model = apps.get_model(*INBOX_MODEL)
    except LookupError:
        return None
    try:
        rows = model.objects.filter(state__in=INBOX_BACKLOG_STATES).values("state").annotate(n=Count("pk"))
        counts = {state: 0 for state in INBOX_BACKLOG_STATES}
        counts.update({row["state"]: row["n"] for row in rows})
        return counts
    except DatabaseError as error:  # no table yet (migrations not run), or the database is down
        log.debug("could not count the webhook inbox: %s", error)
        return None


# --- readiness ---------------------------------------------------------------------------------


def _database_answers() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        # The probe runs on a pool thread of its own; give its connection back to the pool.
        connection.close()


async def database(timeout: float) -> str:
    try:
        # Its own thread: a hanging database must not also block the thread every sync view shares.
        await asyncio.wait_for(sync_to_async(_database_answers, thread_sensitive=False)(), timeout)
        return "ok"
    except Exception as error:  # any failure is the answer
        return f"error: {type(error).__name__}"


async def redis(timeout: float) -> str:
    if not settings.REDIS_URL:
        return "not used"
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=timeout, socket_timeout=timeout, retry_on_timeout=False
    )
    try:
        await asyncio.wait_for(client.ping(), timeout)
        return "ok"
    except Exception as error:
        return f"error: {type(error).__name__}"
    finally:
        await client.aclose()
