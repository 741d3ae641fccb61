"""Admin of personal API tokens (see who holds which, revoke them) and of e-mails the demo kept."""

from django.contrib import admin, messages
from django.utils.html import format_html, urlize
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from hub.models import ApiToken, KeptMail
from hub.tokens import revoke_token


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["user", "prefix", "created_at", "last_used_at", "revoked_at"]
    fields = ["name", *readonly_fields]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False  # tokens are issued to their owner (manage.py issue_token), shown once

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True).select_related("user"):
            revoke_token(token.user, token.pk)
        self.message_user(request, _("Revoked. Their sockets are closed."), messages.SUCCESS)


@admin.register(KeptMail)
class KeptMailAdmin(admin.ModelAdmin):
    """The demo's outbox: what would have gone out, with its links to follow (an expert's
    invitation, say). Read-only: nothing here is sent or changed."""

    list_display = ["sent_at", "to", "subject"]
    search_fields = ["to", "subject"]
    fields = ["sent_at", "to", "subject", "attachments", "text"]
    readonly_fields = fields

    @admin.display(description=_("text"))
    def text(self, mail: KeptMail) -> str:
        # urlize escapes the text and makes its addresses links, so an invitation can be followed.
        linked = mark_safe(urlize(mail.body, autoescape=True))  # noqa: S308 - escaped by urlize
        return format_html('<div style="white-space: pre-wrap">{}</div>', linked)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
