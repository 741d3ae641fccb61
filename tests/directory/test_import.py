"""Bulk import of people from HR's CSV and Excel exports: every problem reported, then all or nothing."""

import hashlib
import io
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from directory.importing import RowError, import_people
from directory.models import Person
from tests.factories import make_person, make_team

pytestmark = pytest.mark.django_db

HEADER = "email,title_th,first_name_th,last_name_th,first_name_en,last_name_en,position_th,team,manager_email"
GOOD = f"""{HEADER}
somsri@ksp.or.th,นางสาว,สมศรี,มีสุข,Somsri,Meesuk,ผู้อำนวยการกลุ่มงาน,hr,
kittisak@ksp.or.th,นาย,กิตติศักดิ์,เกียรติก้อง,Kittisak,Kiatkong,นักทรัพยากรบุคคล,hr,somsri@ksp.or.th
"""


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def hr_team():
    return make_team("hr", name_th="กลุ่มงานบริหารงานบุคคล", name_en="Human Resources")


def run(text: str, *, dry_run: bool = False, encoding: str = "utf-8", filename: str = "people.csv"):
    return import_people(text.encode(encoding), filename, dry_run=dry_run)


def xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def problems(report) -> set[tuple[int, str]]:
    return {(error.line, error.column) for error in report.errors}


def saved() -> dict[str, str]:
    return {person.email: f"{person.name_th}" for person in Person.objects.all()}


# --- Clean files ----------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_a_utf8_csv_creates_people_with_their_thai_names_intact(hr_team, encoding):
    report = run(GOOD, encoding=encoding)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    kittisak = Person.objects.get(email="kittisak@ksp.or.th")
    assert kittisak.name_th == "นายกิตติศักดิ์ เกียรติก้อง"
    assert kittisak.position_th == "นักทรัพยากรบุคคล"
    assert kittisak.team == hr_team
    assert kittisak.manager.email == "somsri@ksp.or.th"
    assert kittisak.kind == Person.Kind.STAFF


def test_the_same_file_from_thai_excel_in_windows_874_gives_the_same_thai_names(hr_team):
    assert run(GOOD, encoding="cp874").ok
    assert saved() == {"somsri@ksp.or.th": "นางสาวสมศรี มีสุข", "kittisak@ksp.or.th": "นายกิตติศักดิ์ เกียรติก้อง"}


def test_an_excel_workbook_imports_like_a_csv_with_numbers_kept_as_typed(hr_team):
    data = xlsx(
        [
            ["Email", " First_Name_TH ", "last_name_th", "phone_ext", "team", "kind", "expertise"],
            ["Worawit@Chula.ac.th", "วรวิทย์", "ศักดิ์สิทธิ์", 6121, "hr", "expert", "teacher, educational_supervisor"],
        ]
    )
    report = import_people(data, "จาก HR.xlsx", dry_run=False)
    assert report.ok, report.errors
    worawit = Person.objects.get()
    assert worawit.email == "worawit@chula.ac.th"  # e-mails are stored lower-case
    assert worawit.name_th == "วรวิทย์ ศักดิ์สิทธิ์"
    assert worawit.phone_ext == "6121"
    assert worawit.is_expert
    assert worawit.expertise == ["teacher", "educational_supervisor"]


def test_days_at_home_in_thai_or_english_make_the_work_pattern():
    text = 'email,first_name_th,last_name_th,days_at_home\na@ksp.or.th,ก,ข,"พ, ศ."\nb@ksp.or.th,ค,ง,tue\n'
    assert run(text).ok
    assert Person.objects.get(email="a@ksp.or.th").work_pattern == {
        "mon": "office",
        "tue": "office",
        "wed": "home",
        "thu": "office",
        "fri": "home",
        "sat": "off",
        "sun": "off",
    }
    assert Person.objects.get(email="b@ksp.or.th").work_pattern["tue"] == "home"


def test_import_creates_no_user_accounts(hr_team):
    assert run(GOOD).ok
    assert get_user_model().objects.count() == 0
    assert not Person.objects.filter(user__isnull=False).exists()


def test_imported_people_can_be_found_by_search(hr_team):
    assert run(GOOD).ok
    assert "กิตติศักดิ์" in Person.objects.get(email="kittisak@ksp.or.th").search_document


# --- Dry run and all-or-nothing -------------------------------------------------------------------


def test_a_dry_run_reports_every_bad_row_with_line_column_and_reason_and_saves_nothing(hr_team):
    text = f"""{HEADER}
somsri@ksp.or.th,นางสาว,สมศรี,มีสุข,Somsri,Meesuk,,hr,
not-an-email,นาย,,เกียรติก้อง,,,,no-such-team,somsri@ksp.or.th

prasert@ksp.or.th,นาย,ประเสริฐ,ดีงาม,,,,hr,nobody@ksp.or.th
"""
    report = run(text, dry_run=True)
    assert not report.ok
    assert problems(report) == {
        (3, "email"),
        (3, "first_name_th"),
        (3, "team"),  # every problem of a row, not only the first
        (5, "manager_email"),  # the blank line 4 still counts, as in a text editor
    }
    reasons = {(error.line, error.column): error.message for error in report.errors}
    assert reasons[(3, "email")] == "“not-an-email” is not a valid e-mail address."
    assert reasons[(3, "first_name_th")] == "Required; this is empty."
    assert reasons[(3, "team")] == "There is no team with the code “no-such-team”."
    assert reasons[(5, "manager_email")] == (
        "Nobody with the e-mail nobody@ksp.or.th is in this file or in the directory."
    )
    assert Person.objects.count() == 0


def test_a_clean_dry_run_says_what_would_happen_and_saves_nothing(hr_team):
    report = run(GOOD, dry_run=True)
    assert report.ok
    assert report.created == 2
    assert Person.objects.count() == 0


def test_one_bad_row_means_nothing_is_saved_not_even_the_good_rows(hr_team):
    report = run(GOOD + "bad@ksp.or.th,นาย,บุญมี,,,,,hr,\n")
    assert report.errors == [RowError(4, "last_name_th", "Required; this is empty.")]
    assert Person.objects.count() == 0


def test_running_the_same_file_again_changes_nothing_and_duplicates_no_one(hr_team):
    assert run(GOOD).created == 2
    again = run(GOOD)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Person.objects.count() == 2


def test_a_changed_row_updates_the_person_with_that_email_whatever_its_case(hr_team):
    existing = make_person("somsri", first_name_th="สมศรี", last_name_th="เดิม")
    report = run(GOOD.replace("somsri@ksp.or.th,", "SomSri@KSP.test,").replace("somsri@ksp.or.th", "somsri@ksp.test"))
    assert report.ok, report.errors
    assert (report.created, report.updated) == (1, 1)
    existing.refresh_from_db()
    assert existing.last_name_th == "มีสุข"
    assert existing.user is not None  # the account link is left alone
    assert Person.objects.get(email="kittisak@ksp.or.th").manager == existing


def test_columns_missing_from_the_file_are_left_as_they_were():
    person = make_person("somsri", nickname="ศรี", position_th="นักวิชาการ")
    assert run("email,first_name_th,last_name_th\nsomsri@ksp.test,สมศรี,ใจดี\n").ok
    person.refresh_from_db()
    assert (person.first_name_th, person.nickname, person.position_th) == ("สมศรี", "ศรี", "นักวิชาการ")


# --- Bad rows -------------------------------------------------------------------------------------


def test_a_duplicate_email_is_reported_on_the_later_line_naming_the_first():
    text = "email,first_name_th,last_name_th\na@ksp.or.th,ก,ข\nb@ksp.or.th,ค,ง\nA@KSP.or.th,จ,ฉ\n"
    report = run(text)
    assert report.errors == [RowError(4, "email", "a@ksp.or.th is also on line 2; each person appears once.")]
    assert Person.objects.count() == 0


def test_values_that_break_the_rules_are_each_reported():
    text = (
        "email,first_name_th,last_name_th,kind,expertise,days_at_home,nickname,manager_email\n"
        f"a@ksp.or.th,ก,ข,boss,teacher;chef,mon;someday,{'ก' * 51},a@ksp.or.th\n"
    )
    reasons = {error.column: error.message for error in run(text).errors}
    assert reasons == {
        "kind": "“boss” is not a kind; use staff or expert.",
        "expertise": "“chef” is not an area of expertise; use teacher, school_administrator, "
        "educational_administrator, educational_supervisor.",
        "days_at_home": "“someday” is not a weekday; use mon … sun or จ อ พ พฤ ศ ส อา.",
        "nickname": "At most 50 characters; this has 51.",
        "manager_email": "A person cannot be their own manager.",
    }


def test_managers_going_round_in_a_loop_are_refused_on_every_row_of_the_loop():
    text = (
        "email,first_name_th,last_name_th,manager_email\n"
        "a@ksp.or.th,ก,ข,b@ksp.or.th\nb@ksp.or.th,ค,ง,a@ksp.or.th\nc@ksp.or.th,จ,ฉ,a@ksp.or.th\n"
    )
    report = run(text)
    assert report.errors == [
        RowError(2, "manager_email", "Managers go round in a loop: a@ksp.or.th → b@ksp.or.th → a@ksp.or.th."),
        RowError(3, "manager_email", "Managers go round in a loop: b@ksp.or.th → a@ksp.or.th → b@ksp.or.th."),
    ]
    assert Person.objects.count() == 0


def test_a_loop_through_someone_already_in_the_directory_is_refused():
    boss = make_person("boss")
    make_person("deputy", manager=boss)
    report = run("email,first_name_th,last_name_th,manager_email\nboss@ksp.test,บอส,ใหญ่,deputy@ksp.test\n")
    assert report.errors == [
        RowError(2, "manager_email", "Managers go round in a loop: boss@ksp.test → deputy@ksp.test → boss@ksp.test.")
    ]
    boss.refresh_from_db()
    assert boss.manager is None


def test_a_team_code_must_exist(hr_team):
    report = run("email,first_name_th,last_name_th,team\na@ksp.or.th,ก,ข,HR\nb@ksp.or.th,ค,ง,finance\n")
    assert report.errors == [RowError(3, "team", "There is no team with the code “finance”.")]


def test_a_value_that_looks_like_a_national_id_is_refused_and_not_repeated_back():
    report = run("email,first_name_th,last_name_th,mobile\na@ksp.or.th,ก,ข,1-2345-67890-12-3\n")
    assert [(error.line, error.column) for error in report.errors] == [(2, "mobile")]
    assert "1-2345-67890-12-3" not in report.errors[0].message
    assert Person.objects.count() == 0


# --- Bad files ------------------------------------------------------------------------------------


def junk(size: int = 4096) -> bytes:
    return b"".join(hashlib.sha256(str(i).encode()).digest() for i in range(size // 32))


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (junk(), "people.csv", "This file cannot be read as text in UTF-8 or in Thai Windows encoding"),
        ("email,first_name_th,last_name_th\n".encode("utf-16-le"), "people.csv", "cannot be read as text"),
        (b"%PDF-1.7\n" + junk(), "people.pdf", "Only .csv and .xlsx files can be imported."),
        (junk(), "people.xlsx", "This file is not an Excel workbook we can read."),
        (xlsx([["email"]])[:500], "people.xlsx", "This file is not an Excel workbook we can read."),
        (xlsx([["email", "first_name_th", "last_name_th"]]), "people.csv", "This is an Excel workbook"),
        (b"", "people.csv", "The file is empty."),
        (b"email,first_name_th,last_name_th\n", "people.csv", "The file has a header but no people."),
    ],
    ids=[
        "random-bytes",
        "utf-16-without-bom",
        "pdf",
        "random-xlsx",
        "truncated-xlsx",
        "xlsx-named-csv",
        "empty",
        "header-only",
    ],
)
def test_a_file_that_cannot_be_read_gets_one_clear_message_and_saves_nothing(data, filename, message):
    report = import_people(data, filename, dry_run=False)
    assert len(report.errors) == 1
    assert report.errors[0].line == 0
    assert message in report.errors[0].message
    assert Person.objects.count() == 0


def xlsx_with_sheet(sheet_rows, tail: bytes = b"</sheetData></worksheet>") -> bytes:
    """A real workbook whose first sheet's XML is streamed from `sheet_rows` (bytes, one <row> each),
    so a test can build a sheet of a million rows in a moment."""
    import zipfile

    template = xlsx([["email", "first_name_th", "last_name_th"]])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for member in source.infolist():
            if member.filename != "xl/worksheets/sheet1.xml":
                out.writestr(member, source.read(member))
                continue
            with out.open("xl/worksheets/sheet1.xml", "w") as sheet:
                sheet.write(
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                    b'<row><c t="inlineStr"><is><t>email</t></is></c><c t="inlineStr"><is><t>first_name_th</t></is>'
                    b'</c><c t="inlineStr"><is><t>last_name_th</t></is></c></row>'
                )
                for row in sheet_rows:
                    sheet.write(row)
                sheet.write(tail)
    return buffer.getvalue()


def test_a_workbook_of_a_million_rows_is_refused_at_the_row_limit_without_reading_the_rest():
    person = b"<row><c><v>1</v></c></row>"  # 26 MB of XML in all, under the unpacked limit
    # Past the rows anyone could read, the sheet is broken: had the importer read on to the end, it
    # would have met the damage and called the file unreadable instead of counting its people.
    data = xlsx_with_sheet((person for _ in range(1_000_000)), tail=b"<row><c><v>1</v></c></r<<<")
    assert len(data) < 1024 * 1024

    report = import_people(data, "people.xlsx", dry_run=False)
    assert [error.message for error in report.errors] == ["Import at most 10000 people per file."]
    assert Person.objects.count() == 0


def test_a_workbook_that_unpacks_to_more_than_the_limit_is_refused_unread():
    padding = (b" " * 1024 * 1024 for _ in range(60))  # 60 MB of nothing, a few kB once packed
    report = import_people(xlsx_with_sheet(padding), "people.xlsx", dry_run=False)
    assert [error.message for error in report.errors] == [
        "Unpacked, this workbook is larger than 50 MB. Split it into several files."
    ]


def test_a_value_past_the_hundredth_column_is_refused_without_widening_every_row():
    far = b'<row><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>'
    report = import_people(xlsx_with_sheet([far]), "people.xlsx", dry_run=False)
    assert [error.message for error in report.errors] == ["The file has more than 100 columns."]


def test_a_file_over_the_size_limit_is_refused_with_the_size_message():
    row = "somebody@ksp.or.th,สมศรี,มีสุข\n"
    data = ("email,first_name_th,last_name_th\n" + row * (10 * 1024 * 1024 // len(row.encode()) + 1)).encode()
    report = import_people(data, "people.csv", dry_run=False)
    assert [error.message for error in report.errors] == [
        "The file is larger than 10 MB. Split it into several files of at most 10000 people."
    ]
    assert Person.objects.count() == 0


def test_a_header_without_required_columns_or_with_a_typo_is_refused_on_line_1():
    report = run("e-mail,first_name_th,last_nmae_th\na@ksp.or.th,ก,ข\n")
    assert problems(report) == {(1, "e-mail"), (1, "last_nmae_th"), (1, "email"), (1, "last_name_th")}
    messages = {error.column: error.message for error in report.errors}
    assert messages["last_nmae_th"].startswith("Unknown column. The columns are: email, first_name_th, last_name_th")
    assert messages["email"] == "The header has no “email” column; it is required."


@pytest.mark.parametrize("column", ["national_id", "Citizen ID", "เลขประจำตัวประชาชน"])
def test_a_national_id_column_refuses_the_whole_file(column):
    report = run(f"email,first_name_th,last_name_th,{column}\na@ksp.or.th,ก,ข,1234567890123\n")
    assert len(report.errors) == 1
    error = report.errors[0]
    assert (error.line, error.column) == (1, column)
    assert "keeps no national ID numbers in the directory (PDPA)" in error.message
    assert "1234567890123" not in error.message
    assert Person.objects.count() == 0


# --- manage.py import_people ----------------------------------------------------------------------


def test_the_command_imports_a_good_file_and_says_what_it_did(tmp_path, hr_team):
    path = tmp_path / "people.csv"
    path.write_bytes(GOOD.encode("cp874"))
    out = StringIO()
    call_command("import_people", str(path), "--dry-run", stdout=out)
    assert "would create 2" in out.getvalue()
    assert Person.objects.count() == 0
    out = StringIO()
    call_command("import_people", str(path), stdout=out)
    assert out.getvalue().strip() == "Created 2, updated 0, unchanged 0."
    assert Person.objects.count() == 2


def test_the_command_prints_each_problem_and_fails(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("email,first_name_th,last_name_th,team\nnot-an-email,ก,ข,finance\n", encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError, match="2 problem"):
        call_command("import_people", str(path), stdout=out)
    assert out.getvalue().splitlines() == [
        "line 2, column email: “not-an-email” is not a valid e-mail address.",
        "line 2, column team: There is no team with the code “finance”.",
    ]
    assert Person.objects.count() == 0


def test_the_command_refuses_a_file_over_the_size_limit(tmp_path):
    path = tmp_path / "people.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("email,first_name_th,last_name_th\n")
        for number in range(400_000):
            handle.write(f"person{number}@ksp.or.th,สมศรี,มีสุข\n")
    assert path.stat().st_size > 10 * 1024 * 1024
    out = StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_people", str(path), stdout=out)
    assert out.getvalue().splitlines() == [
        "line 0: The file is larger than 10 MB. Split it into several files of at most 10000 people."
    ]
    assert Person.objects.count() == 0


def test_the_command_explains_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_people", str(tmp_path / "nowhere.csv"))
