"""Forms of the committee panel: the meeting's time, and the committee's resolution with its votes."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licensing.models import CommitteeReview

VOTES = {"min_value": 0, "max_value": 99}


class ConfirmForm(forms.Form):
    """A date and Bangkok times; the end defaults to the committee's usual length."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    start_time = forms.TimeField(
        label=_("Starts"), widget=forms.TimeInput(format="%H:%M", attrs={"type": "time", "step": 1800})
    )
    end_time = forms.TimeField(
        label=_("Ends"), required=False, widget=forms.TimeInput(format="%H:%M", attrs={"type": "time", "step": 1800})
    )

    def times(self) -> tuple[dt.datetime, dt.datetime | None]:
        """Naive times, which the meetings app reads in Bangkok time."""
        day = self.cleaned_data["date"]
        start = dt.datetime.combine(day, self.cleaned_data["start_time"])
        end_time = self.cleaned_data.get("end_time")
        return start, dt.datetime.combine(day, end_time) if end_time else None

    @classmethod
    def for_review(cls, review: CommitteeReview) -> "ConfirmForm":
        if review.proposed_start is None:
            return cls(prefix=f"confirm-{review.pk}")
        start, end = timezone.localtime(review.proposed_start), timezone.localtime(review.proposed_end)
        initial = {"date": start.date(), "start_time": start.time(), "end_time": end.time()}
        return cls(prefix=f"confirm-{review.pk}", initial=initial)


class ResolutionForm(forms.Form):
    resolution = forms.ChoiceField(
        label=_("Resolution"), choices=CommitteeReview.Resolution.choices, widget=forms.RadioSelect
    )
    votes_for = forms.IntegerField(label=_("Votes for"), **VOTES)
    votes_against = forms.IntegerField(label=_("Votes against"), initial=0, **VOTES)
    votes_abstain = forms.IntegerField(label=_("Abstentions"), initial=0, **VOTES)
    note = forms.CharField(
        label=_("Note for the licensing system"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
