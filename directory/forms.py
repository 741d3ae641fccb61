"""Forms of the directory pages: they parse input; rules live in directory.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from directory import selectors
from directory.models import Person
from directory.services import PLACES, WEEKDAYS
from hub.params import MAX_ID

WEEKDAY_LABELS = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]
PLACE_LABELS = {"office": _("At the office"), "home": _("At home"), "off": _("Day off")}


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, strip=True)
    bureau = forms.TypedChoiceField(label=_("Bureau"), required=False, coerce=int, empty_value=None)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(
        label=_("Who"),
        required=False,
        choices=[("", _("Everyone")), ("staff", _("Staff")), ("expert", _("External experts"))],
    )
    available = forms.BooleanField(label=_("Available now"), required=False)
    offset = forms.IntegerField(required=False, min_value=0, max_value=MAX_ID, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        teams = list(selectors.visible_teams(user))
        bureaus = {team.bureau_id: team.bureau for team in teams}
        self.fields["bureau"].choices = [("", _("All bureaus"))] + [(b.pk, b.name) for b in bureaus.values()]
        self.fields["team"].choices = [("", _("All teams"))] + [(team.pk, team.name) for team in teams]


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "nickname",
            "phone_ext",
            "mobile",
            "skills",
            "out_of_office_from",
            "out_of_office_until",
            "out_of_office_note",
            "out_of_office_delegate",
        ]
        widgets = {
            # <input type=date> reads and writes ISO dates, whatever the page's language.
            "out_of_office_from": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "out_of_office_until": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Stand-ins come from the person's own bureau: a short list, not the whole Council.
        stand_ins = selectors.visible_people(user).filter(kind=Person.Kind.STAFF).exclude(user=user)
        if self.instance.team_id:
            stand_ins = stand_ins.filter(team__bureau_id=self.instance.team.bureau_id)
        self.fields["out_of_office_delegate"].queryset = stand_ins
        self.fields["out_of_office_delegate"].label_from_instance = lambda person: person.display_name
        pattern = self.instance.work_pattern or {}
        for day, label in zip(WEEKDAYS, WEEKDAY_LABELS):
            self.fields[f"day_{day}"] = forms.ChoiceField(
                label=label,
                required=False,
                choices=[("", "—")] + [(p, PLACE_LABELS[p]) for p in PLACES],
                initial=pattern.get(day, ""),
            )

    def day_fields(self):
        return [self[f"day_{day}"] for day in WEEKDAYS]

    def clean(self):
        cleaned = super().clean()
        cleaned["work_pattern"] = {day: cleaned.pop(f"day_{day}") for day in WEEKDAYS if cleaned.get(f"day_{day}")}
        return cleaned


class PhotoForm(forms.Form):
    # A plain file field: directory.services.set_photo checks size and decodes it, once.
    photo = forms.FileField(label=_("New photo"), required=False)
    remove = forms.BooleanField(label=_("Remove my photo"), required=False)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("photo") and not cleaned.get("remove"):
            raise forms.ValidationError(_("Choose a photo to upload."))
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File from HR (CSV or Excel .xlsx)"))
