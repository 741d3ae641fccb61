"""Log lines: one JSON object per request and per socket, each with the request's id."""

import asyncio
import json
import time

import pytest
import requests
import websockets

from tests.factories import make_person
from tests.hub.test_servers import cookie_header, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def json_lines(server) -> list[dict]:
    """Every line of the server's output, each of which must be one JSON object."""
    lines = [line for line in server.log.read_text().splitlines() if line.strip()]
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except ValueError:
            pytest.fail(f"not a JSON line: {line!r}")
    return parsed


def logged(server, enough) -> list[dict]:
    """The server's request and socket lines, once `enough(lines)` holds (or after 5 s)."""
    deadline = time.monotonic() + 5
    while True:
        lines = [line for line in json_lines(server) if line.get("event") in ("request", "socket")]
        if enough(lines) or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def test_one_json_line_per_request_with_its_request_id(start_server):
    server = start_server(LOG_FORMAT="json")
    sent = []
    for path in ["/login/", "/nowhere", "/healthz/live", "/login/"]:
        response = requests.get(server.url + path, timeout=10)
        sent.append((path, response.status_code, response.headers["X-Request-ID"]))
    # nginx's $request_id is kept; a client's odd header is not.
    given = requests.get(server.url + "/healthz/live", headers={"X-Request-ID": "a1b2c3d4e5f60718"}, timeout=10)
    odd = requests.get(server.url + "/healthz/live", headers={"X-Request-ID": "<script>"}, timeout=10)
    assert given.headers["X-Request-ID"] == "a1b2c3d4e5f60718"
    assert odd.headers["X-Request-ID"] != "<script>"
    sent += [("/healthz/live", 200, "a1b2c3d4e5f60718"), ("/healthz/live", 200, odd.headers["X-Request-ID"])]

    ids = [request_id for _path, _status, request_id in sent]
    # Written as each response ends, a moment after the client has it.
    requests_logged = logged(server, lambda lines: {line.get("request_id") for line in lines} >= set(ids))
    assert len(set(ids)) == len(ids)
    for path, status, request_id in sent:
        mine = [line for line in requests_logged if line.get("request_id") == request_id]
        assert len(mine) == 1, (path, mine)
        assert mine[0]["path"] == path and mine[0]["status"] == status and mine[0]["method"] == "GET"
        assert mine[0]["level"] == "INFO" and mine[0]["logger"] == "hub.access"
        assert mine[0]["duration_ms"] >= 0 and mine[0]["time"].endswith("Z")


def test_a_socket_session_is_one_line_naming_its_person_and_frames(start_server):
    server = start_server(LOG_FORMAT="json")
    somchai = make_person("somchai")
    session = log_in(server, "somchai")

    async def scenario():
        headers = {"Cookie": cookie_header(session), "Origin": server.url, "X-Request-ID": "socket-session-0001"}
        async with websockets.connect(server.ws_url, additional_headers=headers) as socket:
            await asyncio.wait_for(socket.recv(), 10)
            for n in range(4):
                await socket.send(json.dumps({"type": "ping", "ref": n}))
            pongs = 0
            while pongs < 4:
                pongs += json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "pong"

    asyncio.run(scenario())
    sockets = [
        line
        for line in logged(server, lambda lines: any(x["event"] == "socket" for x in lines))
        if line.get("event") == "socket"
    ]
    assert len(sockets) == 1
    line = sockets[0]
    assert line["request_id"] == "socket-session-0001"
    assert line["user"] == somchai.user.pk
    assert line["frames_in"] == 4 and line["frames_out"] >= 5  # hello and four pongs
    assert line["accepted"] is True and line["closed_by"] == "client" and line["close_code"] == 1000
    # The request that logged in is logged with the person too.
    logged_in = [line for line in json_lines(server) if line.get("event") == "request" and line.get("user")]
    assert any(line["path"] == "/" and line["user"] == somchai.user.pk for line in logged_in)


def test_plain_lines_carry_the_request_id_too(start_server):
    server = start_server()
    response = requests.get(server.url + "/nowhere", timeout=10)
    request_id = response.headers["X-Request-ID"]
    deadline = time.monotonic() + 5
    while len(lines := [line for line in server.log.read_text().splitlines() if request_id in line]) < 2:
        assert time.monotonic() < deadline, lines
        time.sleep(0.05)
    # Django's own warning about the 404 carries the id as well as the request's line.
    assert len(lines) == 2
    assert "Not Found: /nowhere" in lines[0] and "hub.access" in lines[1] and "GET /nowhere 404" in lines[1]
