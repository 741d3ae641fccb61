"""A hand-built organisation for the dashboard's tests: two teams of a bureau, their people, an expert."""

import datetime as dt
import zoneinfo

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from tests.factories import make_person, make_team

BANGKOK = zoneinfo.ZoneInfo("Asia/Bangkok")


def next_monday(weeks_ahead: int = 2) -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=7 * weeks_ahead - today.weekday())


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BANGKOK)


@pytest.fixture
def org(db):
    team_a = make_team("team-a", name_th="กลุ่มงานใบอนุญาต", name_en="Licensing")
    team_b = make_team("team-b", name_th="กลุ่มงานทะเบียน", name_en="Registry")
    manager_a = make_person("manager_a", first_name_th="วิชัย", team=team_a)
    manager_b = make_person("manager_b", first_name_th="มานพ", team=team_b)
    team_a.manager, team_b.manager = manager_a, manager_b
    team_a.save()
    team_b.save()
    director = make_person("director", first_name_th="ประภา", team=team_a)
    bureau = team_a.bureau
    bureau.head = director
    bureau.save()
    secretary_general = make_person("secgen", first_name_th="เลขา")
    secretary_general.user.user_permissions.add(Permission.objects.get(codename="view_all_teams"))
    return {
        "team_a": team_a,
        "team_b": team_b,
        "manager_a": manager_a,
        "manager_b": manager_b,
        "director": director,
        "secretary_general": secretary_general,
        "s1": make_person("s1", first_name_th="สมชาย", team=team_a),
        "s2": make_person("s2", first_name_th="สมศรี", team=team_a),
        "s3": make_person("s3", first_name_th="สุดา", team=team_b),
        "outsider": make_person("outsider", first_name_th="มานะ"),
        "expert": make_person("expert", first_name_th="ประเวศ", kind="expert"),
    }
