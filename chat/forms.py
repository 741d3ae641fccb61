"""Forms of the chat page: they parse; chat.services decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hub.params import MAX_ID


class PeopleField(forms.Field):
    """User ids chosen from a list of people (chat.services checks who may be chosen)."""

    widget = forms.SelectMultiple

    MAX_CHOSEN = 1000

    def to_python(self, value):
        try:
            chosen = [int(v) for v in value or []]
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Choose people from the list.")) from None
        if len(chosen) > self.MAX_CHOSEN or not all(0 < v <= MAX_ID for v in chosen):
            raise forms.ValidationError(_("Choose people from the list."))
        return chosen


class RoomForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            ("channel", _("Team channel (anyone on staff can join)")),
            ("private", _("Private group (invite only)")),
        ],
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    topic = forms.CharField(label=_("Topic"), max_length=500, required=False)
    members = PeopleField(label=_("Members"), required=False)


class MembersForm(forms.Form):
    members = PeopleField(label=_("Add people"))


class DirectForm(forms.Form):
    person = forms.IntegerField(label=_("Person"), min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
