"""Live presence over the one socket: several tabs, idle, chosen status, and who is told."""

import asyncio
import datetime as dt
import json

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from chat.models import Room
from chat.services import create_room
from directory.selectors import presence_for
from hub.asgi import application
from tests.factories import make_person
from tests.hub.test_socket import browser_headers

# The consumer closes and reopens database connections between frames, as in production:
# that needs real commits, not a test transaction.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def short_offline_grace(settings):
    settings.PRESENCE_OFFLINE_GRACE_SECONDS = 0.3


async def connect(headers) -> WebsocketCommunicator:
    socket = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _ = await socket.connect()
    assert connected
    assert json.loads(await socket.receive_from(timeout=5))["type"] == "hello"
    return socket


async def watch(headers) -> WebsocketCommunicator:
    """A staff member's socket, past the announcement of its own arrival."""
    socket = await connect(headers)
    assert (await next_presence(socket))["status"] == "available"
    return socket


async def next_presence(socket, timeout=3) -> dict:
    while True:
        event = json.loads(await socket.receive_from(timeout=timeout))
        if event["type"] == "presence":
            return event


async def no_presence(socket) -> bool:
    # receive_nothing, not a timed-out receive: a receive that times out stops the consumer.
    return await socket.receive_nothing(timeout=0.5)


def test_two_tabs_closing_one_stays_online_closing_both_goes_offline():
    watcher = make_person("watcher")
    somchai = make_person("somchai")
    watcher_headers, tab_headers = browser_headers(watcher.user), browser_headers(somchai.user)

    async def scenario():
        observer = await watch(watcher_headers)
        tab1 = await connect(tab_headers)
        came_online = await next_presence(observer)
        tab2 = await connect(tab_headers)
        second_tab_was_silent = await no_presence(observer)
        await tab1.disconnect()
        first_close_was_silent = await no_presence(observer)
        await tab2.disconnect()
        went_offline = await next_presence(observer)
        await observer.disconnect()
        return came_online, second_tab_was_silent, first_close_was_silent, went_offline

    came_online, second_silent, first_close_silent, went_offline = async_to_sync(scenario)()
    assert came_online == {"type": "presence", "person": somchai.pk, "user": somchai.user_id, "status": "available"}
    assert second_silent, "a second tab is not news"
    assert first_close_silent, "closing one of two tabs must leave the person online"
    assert went_offline["status"] == "offline"


def test_a_page_change_or_a_brief_reconnect_is_not_announced(settings):
    settings.PRESENCE_OFFLINE_GRACE_SECONDS = 2
    watcher = make_person("watcher")
    somchai = make_person("somchai")
    watcher_headers, tab_headers = browser_headers(watcher.user), browser_headers(somchai.user)

    async def scenario():
        observer = await watch(watcher_headers)
        page = await connect(tab_headers)
        came_online = await next_presence(observer)
        await page.disconnect()  # the next page opens its socket a moment later
        next_page = await connect(tab_headers)
        silent = await observer.receive_nothing(timeout=2.5)
        await next_page.disconnect()
        went_offline = await next_presence(observer, timeout=5)
        await observer.disconnect()
        return came_online, silent, went_offline

    came_online, silent, went_offline = async_to_sync(scenario)()
    assert came_online["status"] == "available"
    assert silent, "a page change must not show the person going offline and back"
    assert went_offline["status"] == "offline"


def test_presence_flipped_many_times_a_second_is_announced_once_with_where_it_ends():
    watcher = make_person("watcher")
    somchai = make_person("somchai")
    watcher_headers, headers = browser_headers(watcher.user), browser_headers(somchai.user)

    async def scenario():
        observer = await watch(watcher_headers)
        tab = await connect(headers)
        await next_presence(observer)
        await asyncio.sleep(1.1)  # past the announcement of coming online
        replies = []
        for status in ["busy", "away", "busy", "available", "busy", "away", "busy", "away", "busy", "busy", "away"]:
            await tab.send_json_to({"type": "presence.set", "status": status})
            reply = await tab.receive_json_from(timeout=3)
            while reply["type"] not in ("presence.set", "error"):
                reply = await tab.receive_json_from(timeout=3)
            replies.append(reply.get("code") or reply["status"])
        heard = [await next_presence(observer)]
        while not await observer.receive_nothing(timeout=1.5):
            heard.append(json.loads(await observer.receive_from()))
        await tab.disconnect()
        await observer.disconnect()
        return replies, heard

    replies, heard = async_to_sync(scenario)()
    # Ten choices per 10 s are taken; the eleventh is refused.
    assert replies[:10] == ["busy", "away", "busy", "available", "busy", "away", "busy", "away", "busy", "busy"]
    assert replies[10] == "rate_limited"
    # Everyone else hears the first change at once and then where it stands a second later: not
    # the nine changes it went through.
    statuses = [event["status"] for event in heard if event["type"] == "presence"]
    assert statuses[0] == "busy" and statuses[-1] == "busy" and len(statuses) <= 3, statuses


def test_a_person_chooses_busy_then_goes_back_to_automatic():
    watcher = make_person("watcher")
    somchai = make_person("somchai")
    watcher_headers, headers = browser_headers(watcher.user), browser_headers(somchai.user)

    async def scenario():
        observer = await watch(watcher_headers)
        tab = await connect(headers)
        await next_presence(observer)
        await tab.send_json_to({"type": "presence.set", "status": "busy", "ref": "p1"})
        reply = await tab.receive_json_from(timeout=3)
        while reply["type"] != "presence.set":
            reply = await tab.receive_json_from(timeout=3)
        busy = await next_presence(observer)
        await tab.send_json_to({"type": "presence.set", "status": "auto"})
        back = await next_presence(observer)
        await tab.send_json_to({"type": "presence.set", "status": "on the moon", "ref": "p2"})
        refused = await tab.receive_json_from(timeout=3)
        while refused["type"] != "error":
            refused = await tab.receive_json_from(timeout=3)
        await tab.disconnect()
        await observer.disconnect()
        return reply, busy, back, refused

    reply, busy, back, refused = async_to_sync(scenario)()
    assert reply == {"type": "presence.set", "status": "busy", "ref": "p1"}
    assert busy["status"] == "busy"
    assert back["status"] == "available"
    assert refused["code"] == "invalid" and refused["ref"] == "p2"


def test_idle_in_every_tab_means_away():
    watcher = make_person("watcher")
    somchai = make_person("somchai")
    watcher_headers, headers = browser_headers(watcher.user), browser_headers(somchai.user)

    async def scenario():
        observer = await watch(watcher_headers)
        tab1, tab2 = await connect(headers), await connect(headers)
        await next_presence(observer)
        await tab1.send_json_to({"type": "presence.idle", "idle": True})
        still_there = await no_presence(observer)
        await tab2.send_json_to({"type": "presence.idle", "idle": True})
        away = await next_presence(observer)
        await tab2.send_json_to({"type": "presence.idle", "idle": False})
        back = await next_presence(observer)
        for socket in (tab1, tab2, observer):
            await socket.disconnect()
        return still_there, away, back

    still_there, away, back = async_to_sync(scenario)()
    assert still_there, "idle in one tab while active in another is not away"
    assert away["status"] == "away"
    assert back["status"] == "available"


def test_experts_hear_only_about_people_in_their_rooms():
    staff = make_person("staff")
    stranger = make_person("stranger")
    expert = make_person("expert", kind="expert")
    create_room(kind=Room.Kind.MEETING, name="คณะอนุกรรมการ", owner=staff.user, members=[expert.user])
    expert_headers = browser_headers(expert.user)
    staff_headers, stranger_headers = browser_headers(staff.user), browser_headers(stranger.user)

    async def scenario():
        listener = await connect(expert_headers)
        own = await next_presence(listener)  # the expert's own tab learns its own status
        stranger_tab = await connect(stranger_headers)
        silent_about_stranger = await no_presence(listener)
        staff_tab = await connect(staff_headers)
        about_staff = await next_presence(listener)
        for socket in (stranger_tab, staff_tab, listener):
            await socket.disconnect()
        return own, silent_about_stranger, about_staff

    own, silent, about_staff = async_to_sync(scenario)()
    assert own["user"] == expert.user_id
    assert silent, "an expert must not learn of people outside their rooms"
    assert about_staff["user"] == staff.user_id


def test_out_of_office_wins_over_being_online():
    today = timezone.localdate()
    somchai = make_person(
        "somchai", out_of_office_from=today - dt.timedelta(days=1), out_of_office_until=today + dt.timedelta(days=2)
    )
    headers = browser_headers(somchai.user)

    async def scenario():
        tab = await connect(headers)
        own = await next_presence(tab)
        await tab.disconnect()
        return own

    assert async_to_sync(scenario)()["status"] == "out_of_office"
    assert presence_for([somchai]) == {somchai.pk: "out_of_office"}


def test_choosing_presence_over_the_api(client):
    somchai = make_person("somchai")
    client.force_login(somchai.user)
    response = client.put("/api/v1/me/presence", {"status": "busy"}, content_type="application/json")
    assert response.status_code == 200 and response.json() == {"status": "busy"}
    refused = client.put(
        "/api/v1/me/presence", {"status": "asleep"}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"] == {"status": "Not a known status."}


def test_an_open_socket_keeps_its_person_online_past_the_connection_expiry_and_stays_idle(monkeypatch):
    """Connections expire unless the server's heartbeat refreshes them (a killed process must not
    leave people online); one batch per process keeps every open one alive, idle or not."""
    import asyncio

    from channels.db import database_sync_to_async

    from directory import presence
    from hub import protocol

    monkeypatch.setattr(presence, "CONNECTION_TTL_SECONDS", 1)
    monkeypatch.setattr(protocol, "HEARTBEAT_SECONDS", 0.25)
    somchai, somsri = make_person("somchai"), make_person("somsri")
    idle_headers, active_headers = browser_headers(somchai.user), browser_headers(somsri.user)

    async def scenario():
        idle_tab, active_tab = await connect(idle_headers), await connect(active_headers)
        await idle_tab.send_json_to({"type": "presence.idle", "idle": True})
        await asyncio.sleep(3)  # three times the expiry
        status = await database_sync_to_async(presence_for)([somchai, somsri])
        for socket in (idle_tab, active_tab):
            await socket.disconnect()
        return status

    status = async_to_sync(scenario)()
    assert status == {somchai.pk: "away", somsri.pk: "available"}


def test_people_coming_online_together_are_announced_in_one_frame_each_seeing_only_whom_they_may():
    watcher = make_person("watcher")
    somchai, somsri = make_person("somchai"), make_person("somsri")
    expert = make_person("expert", kind="expert")
    create_room(kind=Room.Kind.MEETING, name="คณะอนุกรรมการ", owner=somchai.user, members=[expert.user])
    headers = {person: browser_headers(person.user) for person in (watcher, somchai, somsri, expert)}

    async def scenario():
        observer = await watch(headers[watcher])
        expert_tab = await connect(headers[expert])
        await next_presence(expert_tab)  # its own arrival
        # Opened in the same moment: the process announces them in one batch (hub.heartbeat).
        tabs = await asyncio.gather(connect(headers[somchai]), connect(headers[somsri]))
        frames = []
        while {somchai.user_id, somsri.user_id} - {c["user"] for f in frames for c in f.get("changes", [f])}:
            frame = json.loads(await observer.receive_from(timeout=3))
            if frame["type"] in ("presence", "presence.many") and frame.get("user") != expert.user_id:
                frames.append(frame)
        told_expert = await next_presence(expert_tab)
        expert_heard_more = not await no_presence(expert_tab)
        for socket in (*tabs, expert_tab, observer):
            await socket.disconnect()
        return frames, told_expert, expert_heard_more

    frames, told_expert, expert_heard_more = async_to_sync(scenario)()
    assert [frame["type"] for frame in frames] == ["presence.many"], frames
    assert sorted(frames[0]["changes"], key=lambda c: c["user"]) == [
        {"person": somchai.pk, "user": somchai.user_id, "status": "available"},
        {"person": somsri.pk, "user": somsri.user_id, "status": "available"},
    ]
    # The expert shares a room with somchai only: told of him, alone, as a plain presence event.
    assert told_expert == {"type": "presence", "person": somchai.pk, "user": somchai.user_id, "status": "available"}
    assert not expert_heard_more, "an expert must not learn of people outside their rooms"
