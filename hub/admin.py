"""Admin of personal API tokens: see who holds which, and revoke them."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from hub.models import ApiToken
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
