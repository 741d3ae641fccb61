"""Receivers that tie Django's auth events to open sockets."""

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from hub import realtime


@receiver(user_logged_out)
def close_sockets_of_ended_session(sender, request, user, **kwargs):
    # Logging out in one tab must not leave that browser's other tabs listening.
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        realtime.end_session(session_key)
