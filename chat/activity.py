"""Counts of messages sent per author and hour, for the managers' dashboard: never a body, a room or a recipient."""

import datetime as dt

from django.db.models import Count, Max
from django.db.models.functions import ExtractHour, TruncDate

from chat.models import Message


def settled_last_id(before: dt.datetime) -> int:
    """The highest message id stored before `before`. Ids are taken when a message is inserted, and
    a send commits within moments, so every smaller id is committed (or never will be) once
    `before` is a little in the past: folding up to it misses nothing that commits later."""
    return Message.objects.filter(created_at__lt=before).aggregate(last=Max("pk"))["last"] or 0


def sent_per_hour(after_id: int, up_to_id: int, tz: dt.tzinfo) -> list[tuple[int, dt.date, int, int]]:
    """(author user id, local day, local hour, messages) for messages with after_id < id <= up_to_id.
    Messages without an author (system notes) are not anyone's activity."""
    rows = (
        Message.objects.filter(pk__gt=after_id, pk__lte=up_to_id, author__isnull=False)
        .annotate(day=TruncDate("created_at", tzinfo=tz), hour=ExtractHour("created_at", tzinfo=tz))
        .values_list("author_id", "day", "hour")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return list(rows)
