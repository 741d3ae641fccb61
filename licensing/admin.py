"""Admin of licensing: the inbox of backend events (with a retry action), cases, the PDPA view log."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from licensing import (
    committee_admin,  # noqa: F401 - registers experts' conflicts of interest
    inbox,
    routing_admin,  # noqa: F401 - registers the routing rules, team targets and holidays
    selectors,
    services,
)
from licensing.models import Case, CaseView, InboxEvent


@admin.register(InboxEvent)
class InboxEventAdmin(admin.ModelAdmin):
    """Every event as it arrived; failed ones with their error and next try. Read-only: events
    are only handled, again, by the retry action."""

    list_display = ["received_at", "event_id", "type", "case_number", "state", "attempts", "next_attempt_at"]
    list_filter = ["state", "type"]
    search_fields = ["event_id", "case_number"]
    fields = [
        "event_id",
        "type",
        "case_number",
        "occurred_at",
        "received_at",
        "state",
        "attempts",
        "next_attempt_at",
        "handled_at",
        "last_error",
        "body",
    ]
    readonly_fields = fields
    actions = ["retry"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the record of what the backend sent

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The body names the applicant: a look at it is logged like a look at the case (PDPA).
        row = InboxEvent.objects.filter(pk=object_id).only("case_number").first() if object_id.isdigit() else None
        case = selectors.case_by_number(row.case_number) if row else None
        if case is not None:
            services.log_view(request.user, case, services.VIEW_ADMIN)
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("Handle the selected events again now"))
    def retry(self, request, queryset):
        pending = list(queryset.exclude(state=InboxEvent.State.DONE).values_list("pk", flat=True))
        handled = inbox.retry_now(pending)
        level = messages.SUCCESS if handled == len(pending) else messages.WARNING
        self.message_user(
            request, _("%(handled)s of %(count)s events handled.") % {"handled": handled, "count": len(pending)}, level
        )


# The applicant's details: read on the case page, where each look is logged, not in the admin.
PERSONAL = ("applicant_name", "applicant_id_masked", "summary")


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Cases are changed by the backend's events and by routing, not here."""

    list_display = ["number", "license_type", "request_type", "status", "province", "team", "assignee", "opened_at"]
    list_filter = ["status", "license_type", "request_type"]
    search_fields = ["number"]
    exclude = PERSONAL
    readonly_fields = [f.name for f in Case._meta.fields if f.name not in PERSONAL]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(CaseView)
class CaseViewAdmin(admin.ModelAdmin):
    list_display = ["at", "viewer", "case", "what"]
    list_filter = ["what"]
    search_fields = ["case__number", "viewer__username"]
    readonly_fields = ["at", "viewer", "case", "what"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
