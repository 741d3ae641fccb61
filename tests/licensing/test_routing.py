"""Routing a new case: the first matching rule by order (license type, request type, province or
region), else the default team; inside the team the available member with the fewest open cases;
a stand-in for one out of office; nobody available → the team's queue, and the manager is told."""

import asyncio
import datetime as dt
import json

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.selectors import presence_of_user
from hub.asgi import application
from licensing import routing, workhours
from licensing.models import Assignment, RoutingRule
from tests.factories import make_person
from tests.hub.test_socket import browser_headers
from tests.licensing.conftest import MONDAY, WEEKEND, at, go_online, make_case


def routed(case, now=MONDAY):
    routing.route_case(case, now=now)
    case.refresh_from_db()
    return case


@pytest.mark.django_db
def test_the_first_matching_rule_by_order_chooses_the_team(org):
    RoutingRule.objects.create(position=20, license_type="teacher", team=org["licence"])
    RoutingRule.objects.create(position=10, request_type="renewal", team=org["renewal"])
    RoutingRule.objects.create(position=5, request_type="renewal", team=org["hr"], active=False)
    assert routed(make_case(license_type="teacher", request_type="renewal")).team == org["renewal"]
    assert routed(make_case(license_type="teacher", request_type="new")).team == org["licence"]
    RoutingRule.objects.filter(team=org["licence"]).update(position=1)
    assert routed(make_case(license_type="teacher", request_type="renewal")).team == org["licence"]


@pytest.mark.django_db
def test_a_region_rule_takes_the_provinces_of_that_region(org):
    RoutingRule.objects.create(position=10, region="south", team=org["south"])
    RoutingRule.objects.create(position=20, province="กรุงเทพมหานคร", team=org["renewal"])
    assert routed(make_case(province="สงขลา")).team == org["south"]
    assert routed(make_case(province="จังหวัดภูเก็ต")).team == org["south"]
    assert routed(make_case(province="กรุงเทพฯ")).team == org["renewal"]
    assert routed(make_case(province="เชียงใหม่")).team == org["licence"]  # north: the default team
    assert routed(make_case(province="")).team == org["licence"]


@pytest.mark.django_db
def test_with_no_rule_and_no_default_team_the_case_waits_unrouted(org):
    org["licence"].case_settings.is_default = False
    org["licence"].case_settings.save()
    case = routed(make_case())
    assert case.team is None and case.assignee is None and case.first_response_due is None
    assert Assignment.objects.get(case=case).team is None


@pytest.mark.django_db
def test_the_member_with_the_fewest_open_cases_gets_it(org):
    anan, busaba = org["anan"].user, org["busaba"].user
    make_case(assignee=anan, team=org["licence"])
    make_case(assignee=anan, team=org["licence"])
    make_case(assignee=busaba, team=org["licence"])
    for _ in range(3):
        make_case(assignee=busaba, team=org["licence"], status="approved")  # closed ones do not count
    case = routed(make_case())
    assert case.assignee == busaba
    assert case.team == org["licence"]
    assignment = Assignment.objects.get(case=case)
    assert (assignment.assignee, assignment.assigned_by, assignment.reason) == (busaba, None, "")
    # Now both hold two; the tie goes to the one listed first in the directory.
    assert routed(make_case()).assignee == anan


@pytest.mark.django_db
def test_the_first_response_target_counts_the_teams_working_hours(org):
    friday = at(2026, 12, 11, 15, 30)
    case = make_case()
    case.opened_at = friday
    case.save()
    assert routed(case).first_response_due == workhours.add_working_hours(friday, 4) == at(2026, 12, 14, 11, 30)


@pytest.mark.django_db
def test_open_cases_are_counted_in_one_query_however_big_the_team(org):
    def queries_to_route() -> int:
        with CaptureQueriesContext(connection) as queries:
            routing.route_case(make_case(), now=MONDAY)
        return len(queries)

    small = queries_to_route()
    for n in range(12):
        make_person(f"extra{n}", team=org["licence"])
    assert queries_to_route() == small


@pytest.mark.django_db
def test_outside_working_hours_only_someone_online_is_available(org):
    make_case(assignee=org["busaba"].user, team=org["licence"])
    make_case(assignee=org["busaba"].user, team=org["licence"])
    go_online(org["busaba"])
    assert routed(make_case(), now=WEEKEND).assignee == org["busaba"].user  # more cases, but the only one here


@pytest.mark.django_db
def test_within_working_hours_an_offline_member_still_counts_unless_it_is_their_day_off(org):
    org["anan"].work_pattern = {"mon": "off", "tue": "office", "wed": "office", "thu": "office", "fri": "office"}
    org["anan"].save()
    make_case(assignee=org["busaba"].user, team=org["licence"])
    assert routed(make_case(), now=MONDAY).assignee == org["busaba"].user


@pytest.mark.django_db
def test_an_out_of_office_member_hands_their_turn_to_their_stand_in(org):
    stand_in = org["hr_staff"]
    org["anan"].out_of_office_from = MONDAY.date() - dt.timedelta(days=1)
    org["anan"].out_of_office_until = MONDAY.date() + dt.timedelta(days=3)
    org["anan"].out_of_office_delegate = stand_in
    org["anan"].save()
    go_online(org["anan"])  # a socket left open at home does not make them available
    make_case(assignee=org["busaba"].user, team=org["licence"])
    case = routed(make_case(), now=MONDAY)
    assert case.assignee == stand_in.user
    assert case.team == org["licence"]  # still the team's case
    reason = Assignment.objects.get(case=case).reason
    assert "แทน" in reason and org["anan"].name_th in reason


@pytest.mark.django_db
def test_a_stand_in_who_is_away_too_does_not_take_it(org):
    for person in (org["anan"], org["hr_staff"]):
        person.out_of_office_from = MONDAY.date()
        person.save()
    org["anan"].out_of_office_delegate = org["hr_staff"]
    org["anan"].save()
    make_case(assignee=org["busaba"].user, team=org["licence"])
    assert routed(make_case(), now=MONDAY).assignee == org["busaba"].user


@pytest.mark.django_db
def test_an_event_handled_twice_routes_once(org):
    case = make_case()
    first = routing.route_case(case, now=MONDAY)
    assert routing.route_case(case, now=MONDAY) == first
    assert Assignment.objects.filter(case=case).count() == 1


async def _next_notification(socket) -> dict:
    while True:
        frame = json.loads(await socket.receive_from(timeout=5))
        if frame["type"] == "notification":
            return frame


async def _shown_online(user) -> None:
    # A socket's opening reaches presence a moment after hello (opens are recorded in batches).
    for _attempt in range(100):
        _person, status = await database_sync_to_async(presence_of_user)(user.pk)
        if status not in (None, "offline"):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("never shown online")


async def _connect(headers) -> WebsocketCommunicator:
    socket = WebsocketCommunicator(application, "/ws/", headers=headers)
    assert (await socket.connect())[0]
    assert json.loads(await socket.receive_from(timeout=5))["type"] == "hello"
    return socket


@pytest.mark.django_db(transaction=True)
def test_nobody_available_leaves_the_case_in_the_queue_and_rings_the_managers_socket(org):
    case = make_case()
    headers = browser_headers(org["manager"].user)

    async def scenario():
        manager = await _connect(headers)
        # A Saturday: the members are off and offline; the manager is online but oversees the queue.
        await database_sync_to_async(routing.route_case)(case, now=WEEKEND)
        told = await _next_notification(manager)
        await manager.disconnect()
        return told

    told = async_to_sync(scenario)()
    case.refresh_from_db()
    assert (case.team, case.assignee) == (org["licence"], None)
    assert told["kind"] == "case_queued" and told["case"] == case.pk and told["url"] == f"/cases/{case.pk}/"
    assert case.number in told["text_th"] and "queue" in told["text_en"]
    assert "คิว" in Assignment.objects.get(case=case).reason


@pytest.mark.django_db(transaction=True)
def test_the_assignee_hears_of_the_case_on_their_socket(org):
    case = make_case()
    headers = browser_headers(org["anan"].user)

    async def scenario():
        anan = await _connect(headers)  # online on a Saturday: the one member available
        await _shown_online(org["anan"].user)
        await database_sync_to_async(routing.route_case)(case, now=WEEKEND)
        told = await _next_notification(anan)
        await anan.disconnect()
        return told

    told = async_to_sync(scenario)()
    case.refresh_from_db()
    assert case.assignee == org["anan"].user
    assert told["kind"] == "case_assigned" and told["number"] == case.number
