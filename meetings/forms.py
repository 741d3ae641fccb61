"""Forms of the meetings pages: they parse input into a services.Draft; the rules live in services."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from directory import selectors as directory
from directory.models import Person
from meetings import recurrence as rec
from meetings.models import Attendee, Meeting, MeetingRoom
from meetings.services import Draft

TIMEZONES = [
    ("Asia/Bangkok", _("Bangkok (UTC+7)")),
    ("Asia/Singapore", _("Singapore, Kuala Lumpur (UTC+8)")),
    ("Asia/Tokyo", _("Tokyo, Seoul (UTC+9)")),
    ("Australia/Sydney", _("Sydney")),
    ("Europe/London", _("London")),
    ("Europe/Berlin", _("Berlin, Paris")),
    ("America/New_York", _("New York")),
    ("UTC", _("UTC")),
]
WEEKDAYS = [
    ("0", _("Mon")),
    ("1", _("Tue")),
    ("2", _("Wed")),
    ("3", _("Thu")),
    ("4", _("Fri")),
    ("5", _("Sat")),
    ("6", _("Sun")),
]
REPEATS = [
    ("", _("Does not repeat")),
    ("daily", _("Every day")),
    ("weekly", _("Every week")),
    ("monthly", _("Every month")),
]
# Which field of the form shows a service's refusal about each of the Draft's fields.
FIELD_OF = {
    "start": "date",
    "end": "end_time",
    "frequency": "repeat",
    "people": "teams",
    "room": "room",
}


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    agenda = forms.CharField(label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    start_time = forms.TimeField(label=_("Starts"), widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("Ends"), widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}))
    timezone = forms.ChoiceField(label=_("Time zone"), choices=TIMEZONES, initial="Asia/Bangkok")
    repeat = forms.ChoiceField(label=_("Repeats"), choices=REPEATS, required=False)
    weekdays = forms.MultipleChoiceField(
        label=_("On"), choices=WEEKDAYS, required=False, widget=forms.CheckboxSelectMultiple
    )
    until = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        help_text=_("Or give a number of meetings."),
    )
    count = forms.IntegerField(
        label=_("Number of meetings"), required=False, min_value=1, max_value=rec.MAX_OCCURRENCES
    )
    room = forms.TypedChoiceField(label=_("Meeting room"), required=False, coerce=int, empty_value=None)
    chair = forms.TypedChoiceField(label=_("Chair"), required=False, coerce=int, empty_value=None)
    teams = forms.TypedMultipleChoiceField(
        label=_("Whole teams"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    quorum = forms.IntegerField(label=_("Quorum"), required=False, min_value=1, max_value=500)
    quorum_of = forms.ChoiceField(label=_("Quorum counts"), choices=Meeting.QuorumOf.choices, initial="attendees")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        rooms = MeetingRoom.objects.all()
        self.fields["room"].choices = [("", _("None (online only)"))] + [(r.pk, str(r)) for r in rooms]
        staff = directory.visible_people(user).filter(kind=Person.Kind.STAFF).order_by("first_name_th")
        self.fields["chair"].choices = [("", _("No chair"))] + [(p.pk, p.display_name) for p in staff]
        self.fields["teams"].choices = [(t.pk, t.name) for t in directory.visible_teams(user)]

    def people(self) -> dict[int, bool]:
        """Chosen people (the picker's hidden inputs) → required?"""
        ids = _ids(self.data.getlist("people")) if hasattr(self.data, "getlist") else []
        optional = set(_ids(self.data.getlist("optional"))) if hasattr(self.data, "getlist") else set()
        return {person_id: person_id not in optional for person_id in ids}

    def draft(self) -> Draft:
        data = self.cleaned_data
        day = data["date"]
        repeats = data.get("repeat") or ""
        return Draft(
            title=data["title"],
            agenda=data.get("agenda") or "",
            start=dt.datetime.combine(day, data["start_time"]),
            end=dt.datetime.combine(day, data["end_time"]),
            timezone=data["timezone"],
            recurrence=rec.Recurrence(
                frequency=repeats,
                weekdays=[int(d) for d in data.get("weekdays") or []],
                until=data.get("until") if repeats else None,
                count=data.get("count") if repeats else None,
            ),
            chair_id=data.get("chair"),
            room_id=data.get("room"),
            quorum=data.get("quorum"),
            quorum_of=data.get("quorum_of") or "attendees",
            people=self.people(),
            teams=dict.fromkeys(data.get("teams") or [], True),
        )

    def show_refusal(self, problem) -> None:
        """Put a service's refusal beside the field it is about (or above the form)."""
        name = next(iter(problem.fields), None)
        field = FIELD_OF.get(name, name)
        self.add_error(field if field in self.fields else None, str(problem.message))


def initial_for(meeting: Meeting) -> dict:
    """The edit form's values for a stored meeting (times in the meeting's own zone)."""
    tz = rec.zone(meeting.timezone)
    start, end = meeting.event.start.astimezone(tz), meeting.event.end.astimezone(tz)
    recurrence = rec.recurrence_of(meeting.event)
    return {
        "title": meeting.title,
        "agenda": meeting.agenda,
        "date": start.date(),
        "start_time": start.time(),
        "end_time": end.time(),
        "timezone": meeting.timezone,
        "repeat": recurrence.frequency,
        "weekdays": [str(d) for d in recurrence.weekdays],
        "until": recurrence.until,
        "count": recurrence.count,
        "room": meeting.room_id,
        "chair": meeting.chair_id,
        "teams": [],
        "quorum": meeting.quorum,
        "quorum_of": meeting.quorum_of,
    }


def chosen_for(meeting: Meeting) -> list[Attendee]:
    return list(meeting.attendees.select_related("person"))


class AnswerForm(forms.Form):
    response = forms.ChoiceField(
        choices=[(v, label) for v, label in Attendee.Response.choices if v != Attendee.Response.PENDING]
    )
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=500)


def _ids(values) -> list[int]:
    found = []
    for value in values:
        try:
            found.append(int(value))
        except (TypeError, ValueError):
            continue
    return list(dict.fromkeys(found))
