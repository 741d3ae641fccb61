"""Administrators edit the ordered rules (provinces and regions from the official lists), each
team's target and the holidays in the admin; the demo seeds all three."""

import pytest
from django.contrib.auth import get_user_model

from licensing import provinces
from licensing.demo import seed_routing
from licensing.models import Holiday, RoutingRule, TeamCaseSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = get_user_model().objects.create_superuser("admin", "admin@ksp.test", "x")
    client.force_login(admin)
    return client


def test_the_77_provinces_fall_into_the_six_official_regions():
    assert len(provinces.PROVINCES) == 77
    counts = {region: list(provinces.PROVINCES.values()).count(region) for region in provinces.REGIONS}
    assert counts == {"north": 9, "northeast": 20, "central": 22, "east": 7, "west": 5, "south": 14}
    assert provinces.region_of("จ.เชียงราย") == "north" and provinces.region_of("กทม.") == "central"
    assert provinces.region_of("Chiang Mai") is None


def test_a_rule_names_a_real_province_in_its_region(admin_client, org):
    form = {"position": "10", "license_type": "", "request_type": "", "team": org["south"].pk, "active": "on"}
    wrong = admin_client.post("/admin/licensing/routingrule/add/", {**form, "province": "เชียงไหม่", "region": ""})
    assert wrong.status_code == 200 and not RoutingRule.objects.exists()
    mismatch = admin_client.post("/admin/licensing/routingrule/add/", {**form, "province": "สงขลา", "region": "north"})
    assert "ไม่ได้อยู่ในภาคนี้" in mismatch.content.decode() and not RoutingRule.objects.exists()
    admin_client.post("/admin/licensing/routingrule/add/", {**form, "province": "สงขลา", "region": "south"})
    assert RoutingRule.objects.get().province == "สงขลา"
    assert admin_client.get("/admin/licensing/routingrule/").status_code == 200


def test_a_team_target_is_positive_working_hours(admin_client, org):
    settings = org["licence"].case_settings
    url = f"/admin/licensing/teamcasesettings/{settings.pk}/change/"
    admin_client.post(url, {"team": org["licence"].pk, "first_response_hours": "0", "is_default": "on"})
    settings.refresh_from_db()
    assert settings.first_response_hours == 4
    admin_client.post(url, {"team": org["licence"].pk, "first_response_hours": "2.5", "is_default": "on"})
    settings.refresh_from_db()
    assert str(settings.first_response_hours) == "2.50"


def test_an_administrator_adds_a_special_holiday(admin_client):
    admin_client.post("/admin/licensing/holiday/add/", {"date": "2026-12-30", "name_th": "วันหยุดพิเศษ", "name_en": ""})
    assert Holiday.objects.get().name_th == "วันหยุดพิเศษ"


def test_the_demo_seeds_rules_targets_and_holidays_and_keeps_edits(db):
    from directory.demo import seed_demo

    seed_demo("khurusapha-demo")
    seed_routing()
    assert RoutingRule.objects.count() == 4
    assert TeamCaseSettings.objects.get(is_default=True).team.code == "reg-licence"
    assert Holiday.objects.filter(name_th="วันสงกรานต์").exists()
    RoutingRule.objects.filter(position=10).update(active=False)
    seed_routing()
    assert RoutingRule.objects.count() == 4 and not RoutingRule.objects.get(position=10).active
