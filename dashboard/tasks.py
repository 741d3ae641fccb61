"""Background jobs of the dashboard (Huey): keep the rollups up to date every minute."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dashboard import rollups


@db_periodic_task(crontab(minute="*"))
def fold_activity() -> int:
    """Every minute, on every consumer: the watermark's compare-and-set lets one take each batch."""
    return rollups.fold_messages()


@db_periodic_task(crontab(minute="*"))
def refresh_meeting_slots() -> int:
    """Every minute: meetings changed since the last run are expanded again (idempotent)."""
    return rollups.refresh_meetings()
