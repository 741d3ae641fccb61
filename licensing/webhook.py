"""The licensing backend's events in: `POST /api/v1/licensing/events` (DESIGN.md §5).

Checked in this order: size (413), signature over timestamp and raw body (401), the contract
(400, saying what). Then the event is stored in the inbox (InboxEvent) before anything acts on it:
a second delivery of the same `id` finds it there (200), a new one is stored (202) and handled at
once; if handling fails the event stays in the inbox as failed and licensing.tasks retries it.
"""

import json

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from hub.errors import Invalid, NotFound, TooLarge
from hub.signatures import sign, verify  # noqa: F401 - sign is for the backend's side (simulator, tests)
from licensing import events, inbox
from licensing.models import InboxEvent

MAX_BODY_BYTES = 64 * 1024


def check_size(content_length: str | None) -> None:
    """Refuse a body announced as too large before reading it."""
    try:
        announced = int(content_length or 0)
    except ValueError:
        announced = 0
    if announced > MAX_BODY_BYTES:
        raise TooLarge(_("The event is larger than %(limit)s bytes.") % {"limit": MAX_BODY_BYTES})


def receive(header: str, body: bytes, now: float | None = None) -> tuple[int, dict]:
    """Store and handle one event; (status, answer) as the contract gives them."""
    secret = settings.LICENSING_WEBHOOK_SECRET
    if not secret:
        raise NotFound()  # without a secret nothing could be trusted: the endpoint does not exist
    if len(body) > MAX_BODY_BYTES:
        raise TooLarge(_("The event is larger than %(limit)s bytes.") % {"limit": MAX_BODY_BYTES})
    verify(header, body, secret, now)
    try:
        event, data, masked = events.parse(body)
    except events.Malformed as problem:
        # The field and the problem in the contract's words (English, like the field names).
        message = _("The event is malformed: %(field)s: %(problem)s.") % {
            "field": problem.field,
            "problem": problem.problem,
        }
        raise Invalid(message, fields={problem.field: problem.problem}) from None
    answer = {"id": event.id}
    if masked:
        answer["masked"] = masked  # full national ids found there were masked, never stored
    if InboxEvent.objects.filter(event_id=event.id).exists():
        return 200, answer | {"status": "duplicate"}
    try:
        with transaction.atomic():
            row = InboxEvent.objects.create(
                event_id=event.id,
                type=event.type,
                case_number=event.number,
                occurred_at=event.occurred_at,
                # As signed, unless a full national id had to be masked out of it.
                body=json.dumps(data, ensure_ascii=False) if masked else body.decode(),
            )
    except IntegrityError:  # the same event delivered twice at once: the other delivery stored it
        return 200, answer | {"status": "duplicate"}
    handled = inbox.handle(row.pk)
    return 202, answer | {"status": "stored", "handled": handled}
