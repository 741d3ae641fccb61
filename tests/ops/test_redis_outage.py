"""While Redis is down the log says so once per outage, not a traceback a second."""

import asyncio
import json
import time

import pytest
import requests
import websockets

from tests.factories import make_person
from tests.hub.test_servers import cookie_header, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_redis_outage_is_logged_once_and_its_end_once(start_server, own_redis):
    server = start_server(REDIS_URL=own_redis.url, WS_PROBE_SECONDS="1", WS_HEARTBEAT_SECONDS="2")
    make_person("somchai")
    session = log_in(server, "somchai")
    headers = {"Cookie": cookie_header(session), "Origin": server.url}

    async def open_socket_and_ping():
        async with websockets.connect(server.ws_url, additional_headers=headers) as socket:
            await asyncio.wait_for(socket.recv(), 10)
            await socket.send(json.dumps({"type": "ping"}))
            await asyncio.wait_for(socket.recv(), 10)

    async def keep_a_socket_open(seconds: float):
        """A client as a browser is: it reconnects whenever its socket is closed."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                async with websockets.connect(server.ws_url, additional_headers=headers) as socket:
                    while time.monotonic() < deadline:
                        await asyncio.wait_for(socket.recv(), deadline - time.monotonic())
            except (websockets.ConnectionClosed, TimeoutError, OSError):
                await asyncio.sleep(0.2)

    asyncio.run(open_socket_and_ping())
    before = server.log.read_text()
    assert "Redis is down" not in before

    own_redis.stop()
    asyncio.run(keep_a_socket_open(2))
    stranger = requests.Session()
    stranger.get(server.url + "/login/", timeout=10)
    for _ in range(10):  # pages whose presence and log-in throttle use Redis
        assert requests.get(server.url + "/people/", cookies=session.cookies, timeout=10).status_code == 200
        wrong = {"username": "somchai", "password": "wrong", "csrfmiddlewaretoken": stranger.cookies["csrftoken"]}
        refused = stranger.post(server.url + "/login/", data=wrong, headers={"Referer": server.url + "/login/"})
        assert refused.status_code == 400  # the form again, with its error (not a 500)
    asyncio.run(keep_a_socket_open(5))
    during = server.log.read_text()[len(before) :]

    own_redis.start()
    asyncio.run(keep_a_socket_open(4))
    asyncio.run(open_socket_and_ping())
    after = server.log.read_text()[len(before) + len(during) :]

    assert during.count("Redis is down") == 1, during
    assert "Traceback" not in during, during
    # Besides a line per request and per socket: a handful for a 7-second outage, not one a second.
    per_request = (" hub.access ", " django.request ")  # the wrong passwords are 400s
    other = [line for line in during.splitlines() if not any(name in line for name in per_request)]
    assert len(other) < 6, during
    assert after.count("Redis answers again") == 1, after
    assert "Traceback" not in after, after
