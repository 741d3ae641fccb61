"""Who sees which dashboard: a team's manager their team, a bureau director the bureau, the
secretary-general and admins everyone; other staff 403, experts 404, pages and API alike."""

import io

import pytest
from django.contrib.auth import get_user_model

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, person):
    client.force_login(person.user)
    return client


def test_a_manager_sees_their_team_and_nobody_outside_it(client, org):
    page = login(client, org["manager_a"]).get("/dashboard/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "สมชาย" in text and "สมศรี" in text
    assert "สุดา" not in text and "มานะ" not in text  # team B's member, and someone in no team


def test_names_in_the_per_person_table_are_escaped(client, org):
    org["s2"].title_th = ""
    org["s2"].first_name_th = '<img src=x onerror="alert(1)">'
    org["s2"].save()
    org["team_a"].name_th = "R&D <b>"
    org["team_a"].save()
    text = login(client, org["manager_a"]).get("/dashboard/?days=7").content.decode()
    assert '<img src=x onerror="alert(1)">' not in text and "<b>" not in text
    table = text[text.index('class="table table-compact dash-table"') :]
    row = table[table.index("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;") :]
    assert row.index("<td>R&amp;D &lt;b&gt;</td>") < row.index("</tr>")  # the team's cell of that person's row


def test_a_manager_of_team_a_cannot_see_team_b(client, org):
    login(client, org["manager_a"])
    assert client.get(f"/dashboard/?team={org['team_b'].pk}").status_code == 404
    assert client.get(f"/dashboard/export.csv?team={org['team_b'].pk}").status_code == 404
    assert client.get(f"/dashboard/report/?team={org['team_b'].pk}").status_code == 404
    assert client.get(f"/api/v1/dashboard?team={org['team_b'].pk}").status_code == 404
    assert client.get(f"/dashboard/?team={org['team_a'].pk}").status_code == 200


def test_a_staff_member_is_refused_and_an_expert_finds_nothing(client, org):
    login(client, org["s1"])
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/dashboard/export.csv").status_code == 403
    response = client.get("/api/v1/dashboard")
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    login(client, org["expert"])
    assert client.get("/dashboard/").status_code == 404
    assert client.get("/api/v1/dashboard").status_code == 404


def test_nobody_logged_in_is_sent_to_log_in(client, org):
    assert client.get("/dashboard/").status_code == 302
    assert client.get("/api/v1/dashboard").status_code == 401


def test_a_bureau_director_sees_the_bureau_and_the_secretary_general_everyone(client, org):
    for who in ("director", "secretary_general"):
        body = login(client, org[who]).get("/api/v1/dashboard?days=30").json()
        names = {person["name"] for person in body["people"]}
        assert {"นายสมชาย ใจดี", "นายสุดา ใจดี"} <= names, who
        assert {team["id"] for team in body["teams"]} == {org["team_a"].pk, org["team_b"].pk}
        assert "นายมานะ ใจดี" not in names  # in no team: on nobody's dashboard


def test_an_administrator_sees_every_team(client, org):
    admin = get_user_model().objects.create_superuser("root", "root@ksp.test", PASSWORD)
    client.force_login(admin)
    body = client.get("/api/v1/dashboard").json()
    assert {team["id"] for team in body["teams"]} == {org["team_a"].pk, org["team_b"].pk}


def test_only_managers_have_the_dashboard_in_the_menu(client, org):
    assert 'href="/dashboard/"' in login(client, org["manager_a"]).get("/").content.decode()
    assert 'href="/dashboard/"' not in login(client, org["s1"]).get("/").content.decode()


def test_a_window_other_than_7_30_or_90_days_is_refused(client, org):
    login(client, org["manager_a"])
    assert client.get("/dashboard/?days=365").status_code == 400
    assert client.get("/api/v1/dashboard?days=365").status_code == 400
    assert client.get("/dashboard/?team=abc").status_code == 400


def test_everyone_sees_their_own_numbers_on_their_profile(client, org):
    login(client, org["s1"])
    profile = client.get(f"/people/{org['s1'].pk}/").content.decode()
    assert 'hx-get="/dashboard/me/"' in profile
    assert 'hx-get="/dashboard/me/"' not in client.get(f"/people/{org['s2'].pk}/").content.decode()
    mine = client.get("/dashboard/me/")
    assert mine.status_code == 200 and 'id="my-numbers-title"' in mine.content.decode()
    login(client, org["expert"])
    assert client.get("/dashboard/me/").status_code == 404


def test_in_the_demo_the_secretary_general_sees_every_team(client):
    from django.core.management import call_command

    from dashboard.access import teams_of
    from directory.models import Team

    call_command("seed_demo", stdout=io.StringIO())
    chosen = get_user_model().objects.filter(user_permissions__codename="view_all_teams")
    assert chosen.count() == 1 and chosen.get().person.manager_id is None
    assert teams_of(chosen.get()).count() == Team.objects.count()


def test_the_endpoint_is_in_the_openapi_document(client, org):
    client.force_login(org["manager_a"].user)
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/dashboard"]["get"]
    assert {parameter["name"] for parameter in operation["parameters"]} >= {"team", "days"}
    assert "403" in operation["description"]  # the permission rules are documented with it
