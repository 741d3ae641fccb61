"""The CSV export opens in Excel with Thai intact and no formula, and the printable report shows BE dates."""

import csv
import io

import pytest

from tests.dashboard.conftest import BANGKOK

pytestmark = pytest.mark.django_db


def test_the_csv_reads_back_with_thai_names_and_no_formula(client, org):
    org["s2"].title_th = ""
    org["s2"].first_name_th = '=HYPERLINK("http://evil")'
    org["s2"].save()
    client.force_login(org["manager_a"].user)
    response = client.get("/dashboard/export.csv?days=30")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = next(row for row in rows if row and row[0] == "บุคคล")
    people = {
        row[0]: dict(zip(header, row)) for row in rows[rows.index(header) + 1 :] if row and len(row) == len(header)
    }
    assert "นายสมชาย ใจดี" in people
    assert '\'=HYPERLINK("http://evil") ใจดี' in people
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert "นายสุดา ใจดี" not in people  # team B


def test_the_printable_report_shows_buddhist_era_dates(client, org):
    from django.utils import timezone

    client.force_login(org["manager_a"].user)
    page = client.get("/dashboard/report/?days=7").content.decode()
    year = timezone.now().astimezone(BANGKOK).year + 543
    assert str(year) in page and "@page" not in page  # A4 lives in the report's stylesheet
    assert "dashboard-report.css" in page
