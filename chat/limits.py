"""How much one person may do in chat: a flood from one client must not slow everyone else."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _

from hub import ratelimit
from hub.errors import RateLimited

WINDOW_SECONDS = 10
ACTION_LIMIT = 60  # edits, deletes, reactions, pins and uploads per person per window


def check_send(user: AbstractBaseUser) -> None:
    """A message sent, over the socket or REST: CHAT_SEND_LIMIT per person per 10 s (default 20)."""
    if not ratelimit.allow(f"send:{user.pk}", settings.CHAT_SEND_LIMIT, WINDOW_SECONDS):
        raise RateLimited(_("You are sending very fast. Please wait a few seconds."))


def allow_typing(user: AbstractBaseUser) -> bool:
    """Typing indicators pass at most 10 per 10 s; the rest are dropped, not refused."""
    return ratelimit.allow(f"typing:{user.pk}", 10, WINDOW_SECONDS)


def act(user: AbstractBaseUser) -> None:
    """Any other change to the room's messages."""
    if not ratelimit.allow(f"act:{user.pk}", ACTION_LIMIT, WINDOW_SECONDS):
        raise RateLimited(_("You are doing that very fast. Please wait a few seconds."))
