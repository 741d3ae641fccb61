"""Background jobs of case routing and targets (Huey): escalating overdue cases, keeping holidays."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from licensing import targets, workhours


@db_periodic_task(crontab(minute="*"))
def escalate_overdue_cases() -> int:
    """Every minute, on every consumer: licensing.targets claims each escalation in the database."""
    return targets.escalate_overdue()


@db_periodic_task(crontab(minute="17", hour="3"))
def keep_holidays() -> int:
    """Nightly: this year's and next year's Thai public holidays, for a year that has none yet
    (an admin's edits to a year stay as they are)."""
    year = timezone.localdate().year
    return workhours.seed_holidays([year, year + 1])
