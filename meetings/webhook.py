"""The Jitsi deployment's participant events (event_sync style), signed: who joined and left a call.

    POST /api/v1/meetings/attendance-events
    X-KSP-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(JITSI_WEBHOOK_SECRET, "<t>.<raw body>")>
    {"event_name": "muc-occupant-joined" | "muc-occupant-left", "room_name": "<room>",
     "occupant": {"id": "<context.user.id of the join token>"}, "timestamp": <unix seconds>}

The same signature scheme as the licensing backend's events (DESIGN.md §5); more than 300 s off is
refused. Without JITSI_WEBHOOK_SECRET the endpoint does not exist.
"""

import datetime as dt
import json
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from directory import selectors as directory
from hub.errors import HubError, Invalid, NotFound
from hub.signatures import sign, verify  # noqa: F401 - sign is this webhook's, for its senders
from meetings import attendance, jitsi, selectors
from meetings.models import Meeting

MAX_BODY_BYTES = 16 * 1024
EVENTS = {"muc-occupant-joined": "joined", "muc-occupant-left": "left"}


def receive(header: str, body: bytes, now: float | None = None) -> str:
    """Check and act on one event; returns what was recorded ("joined", "left" or "ignored")."""
    secret = settings.JITSI_WEBHOOK_SECRET
    if not secret:
        raise NotFound()
    if len(body) > MAX_BODY_BYTES:
        raise Invalid(_("The event is too large."))
    verify(header, body, secret, now)
    try:
        event = json.loads(body)
        kind = EVENTS[event["event_name"]]
        room = str(event["room_name"]).lower()
        user_id = int(event["occupant"]["id"])
        moment = dt.datetime.fromtimestamp(float(event.get("timestamp") or time.time()), tz=dt.UTC)
    except (ValueError, KeyError, TypeError):
        raise Invalid(_("The event is not one this hub understands."), fields={"event": "malformed"}) from None
    meeting = Meeting.objects.filter(video_room=room.split("@", 1)[0]).first()
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if meeting is None or user is None:
        return "ignored"  # a room or a participant this hub does not know (a guest without a token)
    try:
        selectors.meeting_for(user, meeting.pk)
    except HubError:
        return "ignored"  # not invited: the token would not have let them in
    slot = jitsi.open_occurrence(meeting, moment) if meeting.cancelled_at is None else None
    if slot is None:
        return "ignored"
    attendance.record_for(meeting, directory.person_of(user), slot, kind, moment)
    return kind
