"""The dashboard's numbers as CSV for Excel: UTF-8 with a BOM, and no cell that a spreadsheet would run as a formula."""

import csv
import io

from django.utils.translation import gettext as _

from dashboard import figures
from dashboard.selectors import Numbers
from hub.dates import format_date

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text that a spreadsheet would run is kept as text: a leading apostrophe. Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def csv_text(numbers: Numbers, scope_name: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)

    def row(*cells):
        writer.writerow([neutralise(cell) for cell in cells])

    row(_("Dashboard"), scope_name)
    row(_("From"), format_date(numbers.window.first, "long"), _("to"), format_date(numbers.window.last, "long"))
    row()
    columns = figures.person_columns()
    row(*(heading for _key, heading in columns))
    for person in figures.person_rows(numbers):
        values = {**person, "status": person["status_label"], "place": person["place_label"]}
        row(*(values[key] for key, _heading in columns))
    row()
    row(_("Day"), _("Messages sent"), _("Active hours"), _("Cases decided"), _("Meetings attended"))
    for day in figures.daily_rows(numbers):
        row(day["label"], day["messages"], day["active_hours"], day["cases_decided"], day["meetings_attended"])
    cases = figures.case_summary(numbers)
    if cases is not None:
        row()
        labels = figures.status_labels()
        for status, n in cases["open_by_status"].items():
            row(_("Open cases: %(status)s") % {"status": labels[status]}, n)
        row(_("Waiting for a first response"), cases["waiting_first_response"])
        row(_("Unassigned"), cases["unassigned"])
        row(_("Overdue for a first response"), cases["overdue"])
        for key, label in (("first_response_hours", _("first response")), ("decision_hours", _("decision"))):
            row(_("Median hours to %(what)s") % {"what": label}, cases[key]["median"])
            row(_("90th percentile hours to %(what)s") % {"what": label}, cases[key]["p90"])
    meetings = figures.meeting_summary(numbers)
    row()
    row(_("Invitations answered (%)"), meetings["answer_rate"])
    row(_("Attendance (%)"), meetings["attendance_rate"])
    for committee in meetings["without_quorum"]:
        row(
            _("Without quorum"),
            committee["title"],
            format_date(committee["start"], "datetime"),
            committee["present"],
            committee["needed"],
        )
    return "\ufeff" + out.getvalue()
