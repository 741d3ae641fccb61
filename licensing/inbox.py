"""Acting on the inbox's events: each once, in one transaction with its effects; a failure is
kept (state failed, the error, when to try again) and retried with a growing pause."""

import datetime as dt
import logging
import traceback

from django.db import transaction
from django.utils import timezone

from licensing import events, services
from licensing.client import Client
from licensing.models import InboxEvent

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 20
# An event still waiting this long after it arrived was never handled (its server stopped).
STALLED_AFTER = dt.timedelta(minutes=2)


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, 4 min ... at most six hours between tries."""
    return dt.timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 6 * 3600))


def handle(inbox_id: int) -> bool:
    """Act on one stored event unless it was handled already; True if it is handled now."""
    try:
        row = InboxEvent.objects.filter(pk=inbox_id).exclude(state=InboxEvent.State.DONE).first()
        if row is None:
            return InboxEvent.objects.filter(pk=inbox_id).exists()
        event = _complete(row)  # before the transaction: it may ask the backend
        with transaction.atomic():
            # skip_locked: a retry job and a delivery at the same moment must not both act on it.
            row = (
                InboxEvent.objects.select_for_update(skip_locked=True)
                .filter(pk=inbox_id)
                .exclude(state=InboxEvent.State.DONE)
                .first()
            )
            if row is None:
                return InboxEvent.objects.filter(pk=inbox_id, state=InboxEvent.State.DONE).exists()
            services.apply_event(event)
            row.state, row.handled_at, row.attempts = InboxEvent.State.DONE, timezone.now(), row.attempts + 1
            row.last_error, row.next_attempt_at = "", None
            row.save(update_fields=["state", "handled_at", "attempts", "last_error", "next_attempt_at"])
        return True
    except Exception as error:  # any failure: kept, and tried again later
        log.exception("licensing event %s could not be handled", inbox_id)
        _record_failure(inbox_id, error)
        return False


def _complete(row: InboxEvent) -> events.Event:
    """The stored event with its case: a thin event's case is read from the backend's API."""
    event, _data, _masked = events.parse(row.body.encode())
    if event.case is None:
        event = event.with_case(events.read_case(Client().case(event.number), event.type))
    return event


def _record_failure(inbox_id: int, error: Exception) -> None:
    detail = "".join(traceback.format_exception_only(type(error), error)).strip()
    with transaction.atomic():
        row = InboxEvent.objects.select_for_update().filter(pk=inbox_id).first()
        if row is None or row.state == InboxEvent.State.DONE:
            return
        row.attempts += 1
        row.state, row.last_error = InboxEvent.State.FAILED, detail[:2000]
        row.next_attempt_at = timezone.now() + backoff(row.attempts) if row.attempts < MAX_ATTEMPTS else None
        row.save(update_fields=["attempts", "state", "last_error", "next_attempt_at"])


def due(now=None) -> list[int]:
    """Events to try again now: failed ones whose pause is over, and stalled ones never handled."""
    now = now or timezone.now()
    failed = InboxEvent.objects.filter(state=InboxEvent.State.FAILED, next_attempt_at__lte=now)
    stalled = InboxEvent.objects.filter(state=InboxEvent.State.PENDING, received_at__lt=now - STALLED_AFTER)
    ids = list(failed.order_by("occurred_at").values_list("pk", flat=True)[:200])
    return ids + list(stalled.order_by("occurred_at").values_list("pk", flat=True)[:200])


def retry_due(now=None) -> int:
    """Try every due event again, oldest first; how many are handled now."""
    return sum(handle(inbox_id) for inbox_id in due(now))


def retry_now(inbox_ids: list[int]) -> int:
    """An administrator's retry: these events at once, whatever their pause."""
    InboxEvent.objects.filter(pk__in=inbox_ids, state=InboxEvent.State.FAILED).update(next_attempt_at=timezone.now())
    return sum(handle(inbox_id) for inbox_id in inbox_ids)
