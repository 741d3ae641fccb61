"""Administrators' screens for routing: the ordered rules, each team's target, the public holidays."""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from licensing import provinces
from licensing.models import Holiday, RoutingRule, TeamCaseSettings

MAX_TARGET_HOURS = Decimal(200)


class RoutingRuleForm(forms.ModelForm):
    """Provinces and regions from the official lists, so a typo cannot make a rule that never matches."""

    province = forms.ChoiceField(
        label=_("province"), required=False, choices=lambda: [("", "—"), *provinces.province_choices()]
    )
    region = forms.ChoiceField(
        label=_("region"), required=False, choices=lambda: [("", "—"), *provinces.REGIONS.items()]
    )

    class Meta:
        model = RoutingRule
        fields = ["position", "license_type", "request_type", "province", "region", "team", "active"]

    def clean_province(self):
        value = self.cleaned_data.get("province", "")
        if value and provinces.normalise(value) is None:
            raise forms.ValidationError(_("Not a Thai province."))
        return provinces.normalise(value) or ""

    def clean(self):
        cleaned = super().clean()
        province, region = cleaned.get("province"), cleaned.get("region")
        if province and region and provinces.region_of(province) != region:
            self.add_error("region", _("%(province)s is not in that region.") % {"province": province})
        return cleaned


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    """Rules are tried in order (lowest first); the first that matches a case chooses its team."""

    form = RoutingRuleForm
    list_display = ["position", "license_type", "request_type", "province", "region", "team", "active"]
    list_display_links = ["license_type"]
    list_editable = ["position", "active"]
    list_filter = ["active", "team"]
    ordering = ["position", "pk"]
    autocomplete_fields = ["team"]


class TeamCaseSettingsForm(forms.ModelForm):
    class Meta:
        model = TeamCaseSettings
        fields = ["team", "first_response_hours", "is_default"]

    def clean_first_response_hours(self):
        hours = self.cleaned_data["first_response_hours"]
        if not Decimal(0) < hours <= MAX_TARGET_HOURS:
            raise forms.ValidationError(_("Between 0 and %(limit)s working hours.") % {"limit": MAX_TARGET_HOURS})
        return hours


@admin.register(TeamCaseSettings)
class TeamCaseSettingsAdmin(admin.ModelAdmin):
    form = TeamCaseSettingsForm
    list_display = ["team", "first_response_hours", "is_default"]
    autocomplete_fields = ["team"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    """Seeded from the `holidays` package (manage.py seed_holidays, and nightly for a year with
    none); a special holiday the cabinet declares is added here."""

    list_display = ["date", "name_th", "name_en"]
    date_hierarchy = "date"
    search_fields = ["name_th", "name_en"]
    ordering = ["date"]
