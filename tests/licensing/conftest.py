"""Shared set-up for the licensing tests: two teams with their managers and members, and cases
made the way the event handler makes them (then routed with licensing.routing)."""

import datetime as dt
import itertools
import zoneinfo

import pytest
from django.utils import timezone

from directory import presence
from licensing.models import Case, TeamCaseSettings
from tests.factories import make_person, make_team

BANGKOK = zoneinfo.ZoneInfo("Asia/Bangkok")
_numbers = itertools.count(1)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=BANGKOK)


# A Saturday afternoon: nobody is within working hours, so only presence makes anyone available.
WEEKEND = at(2026, 12, 12, 14)
# A Monday morning: everyone who works Mondays is within working hours.
MONDAY = at(2026, 12, 14, 10)


def make_case(**fields) -> Case:
    fields.setdefault("number", f"KSP-69-{next(_numbers):06d}")
    fields.setdefault("license_type", "teacher")
    fields.setdefault("request_type", "new")
    fields.setdefault("province", "กรุงเทพมหานคร")
    fields.setdefault("status_changed_at", timezone.now())
    return Case.objects.create(**fields)


def go_online(person) -> None:
    """As a socket does when it opens (hub.consumers → directory.presence)."""
    presence.store().put(person.user_id, f"conn-{person.user_id}", idle=False)


@pytest.fixture
def org(db):
    licence = make_team("reg-licence", name_th="กลุ่มงานออกใบอนุญาต", name_en="Licence Issuance")
    renewal = make_team("reg-renewal", name_th="กลุ่มงานต่ออายุใบอนุญาต", name_en="Licence Renewal")
    south = make_team("reg-south", name_th="กลุ่มงานภาคใต้", name_en="Southern Desk")
    hr = make_team("adm-hr", name_th="กลุ่มงานบุคคล", name_en="HR")
    people = {
        "manager": make_person("manager", first_name_th="มาลี", first_name_en="Malee", team=licence),
        "anan": make_person("anan", first_name_th="อนันต์", first_name_en="Anan", team=licence),
        "busaba": make_person("busaba", first_name_th="บุษบา", first_name_en="Busaba", team=licence),
        "renewal_manager": make_person("rmanager", first_name_th="ชัยวัฒน์", first_name_en="Chaiwat", team=renewal),
        "chai": make_person("chai", first_name_th="ชัย", first_name_en="Chai", team=renewal),
        "somsak": make_person("somsak", first_name_th="สมศักดิ์", first_name_en="Somsak", team=south),
        "hr_staff": make_person("hrstaff", first_name_th="ฮาร์", first_name_en="Har", team=hr),
        "expert": make_person("expert", first_name_th="ประเวศ", first_name_en="Prawet", kind="expert"),
    }
    for team, manager in ((licence, people["manager"]), (renewal, people["renewal_manager"])):
        team.manager = manager
        team.save(update_fields=["manager"])
    TeamCaseSettings.objects.create(team=licence, first_response_hours=4, is_default=True)
    TeamCaseSettings.objects.create(team=renewal, first_response_hours=8)
    TeamCaseSettings.objects.create(team=south, first_response_hours=2)
    return {"licence": licence, "renewal": renewal, "south": south, "hr": hr, **people}
