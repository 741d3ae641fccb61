"""Admin of experts' declared conflicts of interest (committee proposals skip them)."""

from django.contrib import admin

from licensing.models import ConflictOfInterest


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(admin.ModelAdmin):
    list_display = ["expert", "applicant_id_masked", "applicant_name", "province", "note"]
    list_filter = ["province"]
    search_fields = [
        "expert__first_name_th",
        "expert__last_name_th",
        "applicant_name",
        "applicant_id_masked",
        "province",
    ]
    autocomplete_fields = ["expert"]
