"""The demo organisation that ./run demo seeds: realistic, complete, and safe to seed twice."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from directory.models import Bureau, Person, Team

pytestmark = pytest.mark.django_db


def counts():
    return (Bureau.objects.count(), Team.objects.count(), Person.objects.count(), get_user_model().objects.count())


def test_demo_organisation_has_bureaus_teams_staff_managers_and_experts(capsys):
    call_command("seed_demo")
    assert Bureau.objects.count() >= 5
    assert Team.objects.count() >= 10
    assert Person.objects.filter(kind="staff").count() >= 40
    assert Person.objects.filter(kind="expert").count() >= 8
    assert all(team.manager_id for team in Team.objects.all())
    staff = Person.objects.filter(kind="staff")
    assert all(person.first_name_th and person.first_name_en and person.user_id for person in staff)
    # Names are Thai: every Thai first name has Thai letters in it.
    assert all(any("\u0e00" <= ch <= "\u0e7f" for ch in person.first_name_th) for person in staff)
    printed = capsys.readouterr().out
    assert "khurusapha-demo" in printed and "admin" in printed


def test_seeding_twice_changes_nothing():
    call_command("seed_demo")
    before = counts()
    call_command("seed_demo")
    assert counts() == before


def test_demo_logins_work(client):
    call_command("seed_demo")
    assert client.login(username="admin", password="khurusapha-demo")
    expert = Person.objects.filter(kind="expert").select_related("user").first()
    assert client.login(username=expert.user.username, password="khurusapha-demo")


def test_reporting_lines_have_no_loops():
    call_command("seed_demo")
    for person in Person.objects.all():
        seen = set()
        while person is not None:
            assert person.pk not in seen, f"manager loop through {person}"
            seen.add(person.pk)
            person = person.manager
