"""The notes outbox: summaries and recommendations for the licensing backend, stored first and
sent by a Huey task (licensing.tasks.send_note) with their Idempotency-Key, so a retry after a
lost answer never adds a note twice on the backend's side."""

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.errors import Invalid
from licensing.client import BackendError, Client
from licensing.models import Case, OutgoingNote

log = logging.getLogger(__name__)
MAX_BODY_CHARS = 10_000
MAX_ATTEMPTS = 10
KINDS = ("summary", "recommendation", "committee_resolution", "note")


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4 ... minutes, at most six hours, between tries."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def queue_note(case: Case, kind: str, body: str, key: str) -> OutgoingNote:
    """Keep a note for the case and send it after commit. The same key again is the same note."""
    body = (body or "").strip()
    if kind not in KINDS:
        raise Invalid(_("Unknown kind of note."), fields={"kind": ", ".join(KINDS)})
    if not body or len(body) > MAX_BODY_CHARS:
        raise Invalid(_("A note needs a text of at most 10,000 characters."), fields={"body": _("Required.")})
    if not key or len(key) > 100:
        raise Invalid(_("A note needs an idempotency key of at most 100 characters."), fields={"key": _("Required.")})
    existing = OutgoingNote.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            note = OutgoingNote.objects.create(case=case, kind=kind, body=body, idempotency_key=key)
            transaction.on_commit(lambda: _enqueue(note.pk))
    except IntegrityError:  # the same key queued by a concurrent caller
        return OutgoingNote.objects.get(idempotency_key=key)
    return note


def _enqueue(note_id: int, delay: dt.timedelta | None = None) -> None:
    from licensing import tasks

    if delay:
        tasks.send_note.schedule(args=(note_id,), delay=delay.total_seconds())
    else:
        tasks.send_note(note_id)


def send(note_id: int, client: Client | None = None) -> bool:
    """Send one note if it is not sent yet; True once the backend has it. A failure is recorded
    and the note tried again after a pause that grows with each try."""
    note = OutgoingNote.objects.select_related("case").filter(pk=note_id).first()
    if note is None or note.sent_at is not None:
        return note is not None
    try:
        (client or Client()).add_note(note.case.number, note.kind, note.body, note.idempotency_key)
    except BackendError as error:
        attempts = note.attempts + 1
        OutgoingNote.objects.filter(pk=note.pk).update(attempts=attempts, last_error=str(error)[:1000])
        log.warning("note %s for %s not sent (try %d): %s", note.pk, note.case.number, attempts, error)
        if attempts < MAX_ATTEMPTS:
            _enqueue(note.pk, backoff(attempts))
        return False
    OutgoingNote.objects.filter(pk=note.pk, sent_at__isnull=True).update(
        sent_at=timezone.now(), attempts=note.attempts + 1, last_error=""
    )
    return True


def never_tried(older_than: dt.timedelta = dt.timedelta(minutes=10)) -> list[int]:
    """Notes queued a while ago and never tried: their job was lost (the queue was emptied).
    A failed try schedules its own next one."""
    cutoff = timezone.now() - older_than
    rows = OutgoingNote.objects.filter(sent_at__isnull=True, attempts=0, created_at__lt=cutoff)
    return list(rows.values_list("pk", flat=True)[:100])
