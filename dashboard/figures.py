"""The dashboard's numbers laid out once for every reader: the page's tables and charts, CSV and the API."""

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from dashboard.selectors import Numbers
from directory.selectors import presence_labels
from hub.dates import format_date
from licensing.stats import OPEN_STATUSES

PLACE_LABELS = {
    "office": gettext_lazy("At the office"),
    "home": gettext_lazy("At home"),
    "off": gettext_lazy("Day off"),
    "out_of_office": gettext_lazy("Out of office"),
    "unknown": gettext_lazy("Not stated"),
}


def hours(value: dt.timedelta | None) -> float | None:
    """A duration in hours, one decimal (None stays None: nothing to measure)."""
    return None if value is None else round(value.total_seconds() / 3600, 1)


def percent(value: float | None) -> int | None:
    return None if value is None else round(value * 100)


def person_columns() -> list[tuple[str, str]]:
    """(key, heading) of the per-person table, in order."""
    return [
        ("name", _("Person")),
        ("team", _("Team")),
        ("status", _("Status now")),
        ("place", _("Works today")),
        ("messages", _("Messages sent")),
        ("active_hours", _("Active hours")),
        ("cases_open", _("Open cases")),
        ("cases_decided", _("Cases decided")),
        ("meetings_this_week", _("Meetings this week")),
        ("meeting_hours_this_week", _("Meeting hours this week")),
        ("answer_rate", _("Invitations answered (%)")),
        ("attended", _("Meetings attended")),
        ("attendance_rate", _("Attendance (%)")),
    ]


def person_rows(numbers: Numbers) -> list[dict]:
    statuses = presence_labels()
    profile = reverse("directory:profile", args=[0]).removesuffix("0/")  # reversed once, not per row
    return [
        {
            "person_id": row.person.pk,
            "profile_url": f"{profile}{row.person.pk}/",
            "user_id": row.person.user_id,
            "name": row.person.display_name,
            "team": row.person.team.name if row.person.team else "",
            "status": row.status,
            "status_label": statuses.get(row.status, row.status),
            "place": row.place,
            "place_label": str(PLACE_LABELS.get(row.place, row.place)),
            "messages": row.messages,
            "active_hours": row.active_hours,
            "cases_open": row.cases_open,
            "cases_decided": row.cases_decided,
            "meetings_this_week": row.meetings_this_week,
            "meeting_hours_this_week": round(row.meeting_hours_this_week, 1),
            "answer_rate": percent(row.answer_rate),
            "attended": row.attended,
            "attendance_rate": percent(row.attendance_rate),
        }
        for row in numbers.people
    ]


# Past this many people the printed page lists teams instead, so that it stays one A4 page.
REPORT_PEOPLE = 25
SUMMED = ("messages", "active_hours", "cases_open", "cases_decided", "meetings_this_week", "attended", "invited_held")


def report_rows(numbers: Numbers) -> tuple[bool, list[dict]]:
    """(by team?, rows) for the printed page: a row per person, or per team for a big scope."""
    if len(numbers.people) <= REPORT_PEOPLE:
        rows = []
        for row in numbers.people:
            rows.append({"name": row.person.display_name, **{k: getattr(row, k) for k in SUMMED}})
    else:
        teams: dict[str, dict] = {}
        for row in numbers.people:
            name = row.person.team.name if row.person.team else ""
            entry = teams.setdefault(name, {"name": name, **dict.fromkeys(SUMMED, 0)})
            for key in SUMMED:
                entry[key] += getattr(row, key)
        rows = list(teams.values())
    for entry in rows:
        held = entry.pop("invited_held")
        entry["attendance_rate"] = percent(min(1.0, entry["attended"] / held)) if held else None
    return len(numbers.people) > REPORT_PEOPLE, rows


def case_summary(numbers: Numbers) -> dict | None:
    cases = numbers.cases
    if cases is None:
        return None
    return {
        "open_by_status": cases.open_by_status,
        "open": sum(cases.open_by_status.values()),
        "waiting_first_response": cases.waiting_first_response,
        "unassigned": cases.unassigned,
        "overdue": cases.overdue,
        "answered": cases.answered,
        "answered_late": cases.answered_late,
        "first_response_hours": {
            "count": cases.first_response.count,
            "median": hours(cases.first_response.median),
            "p90": hours(cases.first_response.p90),
        },
        "decision_hours": {
            "count": cases.decision.count,
            "median": hours(cases.decision.median),
            "p90": hours(cases.decision.p90),
        },
    }


# The open statuses in the dashboard's words (the licensing app names all of them for its own pages).
STATUS_LABELS = {
    "submitted": pgettext_lazy("case status", "Submitted"),
    "under_review": pgettext_lazy("case status", "Under review"),
    "needs_documents": pgettext_lazy("case status", "Needs documents"),
    "committee_review": pgettext_lazy("case status", "Committee review"),
}


def status_labels() -> dict[str, str]:
    return {status: str(STATUS_LABELS.get(status, status)) for status in OPEN_STATUSES}


def meeting_summary(numbers: Numbers) -> dict:
    return {
        "this_week": numbers.total("meetings_this_week"),
        "invitations": numbers.invitations,
        "answer_rate": percent(numbers.answer_rate),
        "accept_rate": percent(numbers.accept_rate),
        "attendance_rate": percent(numbers.attendance_rate),
        "without_quorum": [
            {"title": c.title, "start": c.start, "present": c.present, "needed": c.needed}
            for c in numbers.committees_without_quorum
        ],
    }


def charts(numbers: Numbers) -> dict:
    """What the page's script draws: a line chart per day and a bar chart per person."""
    return {
        "days": [format_date(day, "short") for day in numbers.window.dates],
        "series": [
            {"key": "messages", "label": _("Messages sent"), "values": numbers.series["messages"]},
            {"key": "active_hours", "label": _("Active hours"), "values": numbers.series["active_hours"]},
            {"key": "cases_decided", "label": _("Cases decided"), "values": numbers.series["cases_decided"]},
            {
                "key": "meetings_attended",
                "label": _("Meetings attended"),
                "values": numbers.series["meetings_attended"],
            },
        ],
        "people": [row.person.display_name for row in numbers.people],
        "per_person": [
            {"key": "messages", "label": _("Messages sent"), "values": [r.messages for r in numbers.people]},
            {"key": "active_hours", "label": _("Active hours"), "values": [r.active_hours for r in numbers.people]},
            {"key": "cases_decided", "label": _("Cases decided"), "values": [r.cases_decided for r in numbers.people]},
            {"key": "attended", "label": _("Meetings attended"), "values": [r.attended for r in numbers.people]},
        ],
    }


def daily_rows(numbers: Numbers) -> list[dict]:
    """One row a day of the window: the line chart as a table, for screen readers and the CSV."""
    return [
        {
            "day": day,
            "label": format_date(day, "short"),
            **{name: values[index] for name, values in numbers.series.items()},
        }
        for index, day in enumerate(numbers.window.dates)
    ]
