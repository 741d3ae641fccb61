"""Receivers that tie Django's auth events to open sockets."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_delete, pre_save
from django.dispatch import receiver

from hub import realtime
from hub.models import ApiToken


@receiver(user_logged_out)
def close_sockets_of_ended_session(sender, request, user, **kwargs):
    # Logging out in one tab must not leave that browser's other tabs listening.
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        realtime.end_session(session_key)


# What revokes a person's access over HTTP must close their open sockets too, in every process.
# (Bulk updates send no signals: hub.access's per-frame check and sweep cover those.)
ACCESS_FIELDS = {"password", "is_active"}


@receiver(pre_save, sender=get_user_model())
def close_sockets_when_access_ends(sender, instance, update_fields=None, raw=False, **kwargs):
    if raw or instance.pk is None or (update_fields is not None and not ACCESS_FIELDS & set(update_fields)):
        return
    before = sender.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    if (before["is_active"] and not instance.is_active) or before["password"] != instance.password:
        realtime.end_access(instance.pk)


@receiver(post_delete, sender=get_user_model())
def close_sockets_of_deleted_person(sender, instance, **kwargs):
    realtime.end_access(instance.pk)


@receiver(pre_save, sender=ApiToken)
def close_sockets_of_revoked_token(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None or instance.revoked_at is None:
        return
    if sender.objects.filter(pk=instance.pk, revoked_at__isnull=True).exists():
        realtime.end_token(instance.pk)


@receiver(post_delete, sender=ApiToken)
def close_sockets_of_deleted_token(sender, instance, **kwargs):
    realtime.end_token(instance.pk)
