"""Searching the directory: Thai substrings, English, nicknames, ranking, filters, and bad input."""

import pytest

from directory.selectors import search_people
from directory.services import refresh_search_documents
from hub.errors import Invalid
from tests.factories import make_person, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    licensing = make_team(code="licensing", name_th="กลุ่มงานออกใบอนุญาต", name_en="Licensing Team")
    it = make_team(code="it", name_th="กลุ่มงานเทคโนโลยี", name_en="IT Team")
    people = {
        "viewer": make_person(
            "viewer", first_name_th="วิชัย", last_name_th="ดูดี", first_name_en="Wichai", last_name_en="Dudee", team=it
        ),
        "somchai": make_person(
            "somchai",
            first_name_th="สมชาย",
            last_name_th="ใจดี",
            first_name_en="Somchai",
            last_name_en="Jaidee",
            nickname="ต้น",
            team=licensing,
            position_th="นักวิชาการศึกษา",
            position_en="Education Officer",
        ),
        "somsri": make_person(
            "somsri",
            first_name_th="สมศรี",
            last_name_th="มีสุข",
            first_name_en="Somsri",
            last_name_en="Meesuk",
            team=it,
            skills="Python, ระบบเครือข่าย",
        ),
        "anong": make_person(
            "anong",
            first_name_th="อนงค์",
            last_name_th="สมชาติ",
            first_name_en="Anong",
            last_name_en="Somchat",
            team=licensing,
        ),
        "ton": make_person(
            "ton", first_name_th="ต้นข้าว", last_name_th="ทองดี", first_name_en="Tonkhao", last_name_en="Thongdee", team=it
        ),
    }
    refresh_search_documents()
    return people


def names(page):
    return [person.first_name_th for person in page.people]


def test_part_of_a_thai_name_finds_it(office):
    assert names(search_people(office["viewer"].user, "สมช")) == ["สมชาย", "อนงค์"]


def test_names_starting_with_the_query_come_before_names_containing_it(office):
    # สมชาย starts with สมช; อนงค์ สมชาติ only has it in her surname's middle... and start.
    page = search_people(office["viewer"].user, "สมชา")
    assert names(page)[0] == "สมชาย"


def test_an_exact_nickname_comes_first(office):
    # "ต้น" is สมชาย's nickname exactly, and only the start of ต้นข้าว's first name.
    assert names(search_people(office["viewer"].user, "ต้น")) == ["สมชาย", "ต้นข้าว"]


def test_english_search_ignores_case(office):
    assert names(search_people(office["viewer"].user, "SOMSRI")) == ["สมศรี"]
    assert names(search_people(office["viewer"].user, "jaid")) == ["สมชาย"]


def test_position_skill_and_team_are_searched(office):
    viewer = office["viewer"].user
    assert names(search_people(viewer, "นักวิชาการ")) == ["สมชาย"]
    assert names(search_people(viewer, "python")) == ["สมศรี"]
    assert set(names(search_people(viewer, "ใบอนุญาต"))) == {"สมชาย", "อนงค์"}


def test_every_word_must_match(office):
    assert names(search_people(office["viewer"].user, "สม ใจดี")) == ["สมชาย"]


def test_filters_by_team_and_kind(office):
    viewer = office["viewer"].user
    team = office["somchai"].team
    assert names(search_people(viewer, "", team=team.pk)) == ["สมชาย", "อนงค์"]
    make_person("expert", first_name_th="ประเวศ", kind="expert")
    refresh_search_documents()
    assert names(search_people(viewer, "", kind="expert")) == ["ประเวศ"]


def test_bureau_filter(office):
    from directory.models import Bureau, Team

    other = Bureau.objects.create(code="other", name_th="สำนักอื่น", name_en="Other")
    Team.objects.filter(code="it").update(bureau=other)
    assert set(names(search_people(office["viewer"].user, "", bureau=other.pk))) == {"วิชัย", "สมศรี", "ต้นข้าว"}


def test_a_search_of_ten_thousand_characters_is_refused_clearly(office):
    with pytest.raises(Invalid) as refused:
        search_people(office["viewer"].user, "ก" * 10_000)
    assert "100" in str(refused.value.message)


def test_paging(office):
    first = search_people(office["viewer"].user, "", limit=2)
    assert first.total == 5 and len(first.people) == 2 and first.next_offset == 2
    rest = search_people(office["viewer"].user, "", limit=10, offset=first.next_offset)
    assert rest.next_offset is None
    assert {p.pk for p in first.people}.isdisjoint({p.pk for p in rest.people})


def test_the_directory_page_searches_as_you_type(client, office):
    client.force_login(office["viewer"].user)
    response = client.get("/people/", {"q": "สมช"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # only the results, for htmx to swap in
    assert "นายสมชาย ใจดี" in html and "นายอนงค์ สมชาติ" in html and "สมศรี" not in html


def test_the_directory_page_explains_a_too_long_search(client, office):
    client.force_login(office["viewer"].user)
    response = client.get("/people/", {"q": "x" * 10_000})
    assert response.status_code == 400
    assert "ค้นหาได้ไม่เกิน 100 ตัวอักษร" in response.content.decode()


def test_the_directory_page_lists_everyone_before_any_search(client, office):
    client.force_login(office["viewer"].user)
    html = client.get("/people/").content.decode()
    assert "5 คน" in html
    assert all(name in html for name in ("วิชัย", "สมชาย", "สมศรี", "อนงค์", "ต้นข้าว"))


def test_a_name_typed_with_its_title_is_found(office):
    assert names(search_people(office["viewer"].user, "นายสมชาย")) == ["สมชาย"]
    assert names(search_people(office["viewer"].user, "mr somchai")) == ["สมชาย"]
