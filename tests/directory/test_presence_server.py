"""Presence as a real server announces it: offline only after the grace period, and changes in
quick succession folded into the one announcement of where they ended."""

import asyncio
import json

import pytest
import websockets

from tests.factories import make_person
from tests.hub.test_servers import cookie_header, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def connect(server, session):
    headers = {"Cookie": cookie_header(session), "Origin": server.url}
    return websockets.connect(server.ws_url, additional_headers=headers)


async def presence_heard(socket, seconds: float) -> list[tuple[int, str]]:
    heard = []
    try:
        while True:
            frame = json.loads(await asyncio.wait_for(socket.recv(), seconds))
            if frame["type"] == "presence":
                heard.append((frame["user"], frame["status"]))
            elif frame["type"] == "presence.many":  # people who came or went together (docs/protocol.md)
                heard += [(change["user"], change["status"]) for change in frame["changes"]]
    except TimeoutError:
        return heard


def test_a_person_who_leaves_is_announced_offline_once_the_grace_period_is_over(start_server):
    make_person("watcher")
    somchai = make_person("somchai")
    server = start_server(PRESENCE_OFFLINE_GRACE_SECONDS=1)
    watcher_session, somchai_session = log_in(server, "watcher"), log_in(server, "somchai")

    async def scenario():
        async with connect(server, watcher_session) as watcher:
            async with connect(server, somchai_session):
                await asyncio.sleep(0.5)
            return await presence_heard(watcher, 4)

    heard = [status for user, status in asyncio.run(scenario()) if user == somchai.user_id]
    assert heard == ["available", "offline"]


def test_changes_in_quick_succession_end_in_one_announcement_of_where_they_ended(start_server):
    make_person("watcher")
    somchai = make_person("somchai")
    server = start_server()
    watcher_session, somchai_session = log_in(server, "watcher"), log_in(server, "somchai")

    async def scenario():
        async with connect(server, watcher_session) as watcher, connect(server, somchai_session) as tab:
            await asyncio.sleep(1.2)  # past the announcement of coming online
            for status in ["busy", "away", "busy", "away"]:
                await tab.send(json.dumps({"type": "presence.set", "status": status}))
            return await presence_heard(watcher, 3)

    heard = [status for user, status in asyncio.run(scenario()) if user == somchai.user_id]
    assert heard[-1] == "away", heard  # where it ended, announced after the second is over
    assert heard[0] in ("available", "busy") and len(heard) <= 3, heard
