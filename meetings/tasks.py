"""Background jobs of meetings (Huey): invitation and cancellation e-mails, reminders, and clearing
away the records of experts' link sessions that are over."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from meetings import expert_links, mail, reminders


@db_task(retries=5, retry_delay=60)
def send_invitations(meeting_id: int, removed_person_ids: list[int] | None = None) -> int:
    """Idempotent (meetings.mail claims each e-mail in the database): safe to run twice or retry."""
    return mail.send_invitations(meeting_id, removed_person_ids)


@db_task(retries=5, retry_delay=60)
def send_expert_link(meeting_id: int, person_id: int) -> int:
    """A new personal link for an expert; a retry after a failed send issues another (none was kept)."""
    return mail.send_expert_link(meeting_id, person_id)


@db_periodic_task(crontab(minute="*"))
def send_reminders() -> int:
    """Every minute, on every consumer: meetings.reminders claims each reminder in the database."""
    return reminders.send_due()


@db_periodic_task(crontab(minute="17"))
def forget_ended_expert_sessions() -> int:
    """Hourly: the records of experts' link sessions that ended (expired or logged out) go. Safe
    on any number of consumers at once: each deletes what is over."""
    return expert_links.forget_ended_sessions()
