"""Background jobs of licensing (Huey): retrying events that failed, sending notes, retention,
escalating overdue cases, keeping holidays."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from licensing import inbox, notes, retention, targets, workhours


@db_periodic_task(crontab(minute="*"))
def retry_events() -> int:
    """Every minute: failed events whose pause is over, and stalled ones (licensing.inbox claims
    each under its row lock, so two consumers never both act on one)."""
    return inbox.retry_due()


@db_task()
def send_note(note_id: int) -> bool:
    """Send one note; a failure schedules the next try itself (licensing.notes.send). Safe twice:
    the Idempotency-Key makes the backend keep one."""
    return notes.send(note_id)


@db_periodic_task(crontab(minute="*/10"))
def send_lost_notes() -> int:
    return sum(notes.send(note_id) for note_id in notes.never_tried())


@db_periodic_task(crontab(minute="17", hour="2"))
def erase_expired_applicants() -> int:
    """Every night: applicant details past LICENSING_RETENTION_DAYS are erased."""
    return retention.erase_due()


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
