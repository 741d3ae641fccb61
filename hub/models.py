"""Personal API tokens: how the mobile app, bots and scripts authenticate."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 digest is stored; the token itself is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("starts with"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class KeptMail(models.Model):
    """An e-mail the hub sent while EMAIL_BACKEND is hub.mail.KeepingBackend (the demo): kept so
    that an admin can read it, and follow an invitation's link, with no mail server at all."""

    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    to = models.TextField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    attachments = models.CharField(_("attachments"), max_length=500, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("sent e-mail (kept)")
        verbose_name_plural = _("sent e-mails (kept)")

    def __str__(self) -> str:
        return self.subject
