"""HR's screens for the directory: positions, teams and managers are edited here, not by people themselves."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from directory import selectors, services
from directory.models import Bureau, Person, Team


class PersonAdminForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = "__all__"  # noqa: DJ007 - PersonAdmin chooses the fields shown

    def clean_manager(self):
        manager = self.cleaned_data.get("manager")
        if manager is not None and self.instance.pk and selectors.manages_above(self.instance, manager):
            raise forms.ValidationError(
                _("That would make a loop: this person already manages %(name)s.") % {"name": manager.display_name}
            )
        return manager


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    form = PersonAdminForm
    list_display = ["name_th", "name_en", "kind", "position_th", "team", "email"]
    list_filter = ["kind", "team__bureau", "team"]
    search_fields = ["first_name_th", "last_name_th", "first_name_en", "last_name_en", "nickname", "email"]
    autocomplete_fields = ["manager", "team", "out_of_office_delegate", "user"]

    def save_model(self, request, obj, form, change):
        obj.search_document = services.search_document_for(obj)
        super().save_model(request, obj, form, change)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name_th", "name_en", "bureau", "manager"]
    search_fields = ["name_th", "name_en", "code"]
    autocomplete_fields = ["manager"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.refresh_search_documents(obj.members.all())  # the team's name is searched too


@admin.register(Bureau)
class BureauAdmin(admin.ModelAdmin):
    list_display = ["name_th", "name_en", "head"]
    search_fields = ["name_th", "name_en", "code"]
    autocomplete_fields = ["head"]
