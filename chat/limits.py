"""How much one person may do in chat: a flood from one client must not slow everyone else."""

from datetime import datetime, timedelta
from typing import NoReturn

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.models import Message
from hub import ratelimit
from hub.errors import RateLimited

WINDOW_SECONDS = 10
ACTION_LIMIT = 60  # edits, deletes, reactions, pins and uploads per person per window


def check_send(user: AbstractBaseUser) -> None:
    """A message sent, over the socket or REST: at most CHAT_SEND_LIMIT (default 20) of the
    person's messages in the last 10 s. Counted from the messages stored, which every process
    shares without a trip to Redis; the common send on PostgreSQL counts them in its own
    statement (chat.sending). Refused attempts use up nothing: the socket's frame budget (hub.inbox)
    bounds a client that keeps trying."""
    limit = settings.CHAT_SEND_LIMIT
    recent = Message.objects.filter(author=user, created_at__gt=send_window_start(timezone.now()))
    if recent[:limit].count() >= limit:
        refuse_send()


def send_window_start(now: datetime) -> datetime:
    return now - timedelta(seconds=WINDOW_SECONDS)


def refuse_send() -> NoReturn:
    raise RateLimited(_("You are sending very fast. Please wait a few seconds."))


def allow_typing(user: AbstractBaseUser) -> bool:
    """Typing indicators pass at most 10 per 10 s; the rest are dropped, not refused."""
    return ratelimit.allow(f"typing:{user.pk}", 10, WINDOW_SECONDS)


def act(user: AbstractBaseUser) -> None:
    """Any other change to the room's messages."""
    if not ratelimit.allow(f"act:{user.pk}", ACTION_LIMIT, WINDOW_SECONDS):
        raise RateLimited(_("You are doing that very fast. Please wait a few seconds."))
