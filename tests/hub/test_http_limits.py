"""The server layer's own limits, on a real server as `./run serve` starts it: a client that never
finishes its request headers is disconnected, and one address cannot take every connection."""

import asyncio
import json
import socket
import time

import pytest
import requests
import websockets

from tests.factories import make_person
from tests.hub.test_servers import cookie_header, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def connect(server, source: str = "127.0.0.1") -> socket.socket:
    host, port = server.host.split(":")
    return socket.create_connection((host, int(port)), timeout=10, source_address=(source, 0))


def read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (socket.timeout if it does not)."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def get_healthz(sock: socket.socket) -> bytes:
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    return read_all(sock)


def finish_healthz(sock: socket.socket) -> bytes:
    """The rest of a request whose first headers were sent earlier."""
    sock.sendall(b"Connection: close\r\n\r\n")
    return read_all(sock)


def test_a_request_whose_headers_never_end_is_disconnected_and_others_are_served(start_server):
    server = start_server(HTTP_HEADER_TIMEOUT_SECONDS=1)
    half = connect(server)
    half.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the blank line
    silent = connect(server)  # connects and sends nothing at all
    started = time.monotonic()
    half.settimeout(6)  # the 1 s deadline, and room for a busy machine; without one, never
    silent.settimeout(6)
    assert read_all(half) == b""
    assert read_all(silent) == b""
    assert time.monotonic() - started < 6

    # A client slower than the network but within the deadline is served.
    slow = connect(server)
    slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    time.sleep(0.3)
    assert finish_healthz(slow).startswith(b"HTTP/1.1 200")
    assert requests.get(server.url + "/healthz", timeout=10).status_code == 200


def test_one_address_cannot_take_every_connection(start_server):
    server = start_server(MAX_CONNECTIONS_PER_ADDRESS=20, HTTP_HEADER_TIMEOUT_SECONDS=60)
    held = [connect(server) for _ in range(20)]
    # Each of them is really open: the server has answered a first request on the last one.
    held[-1].sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert held[-1].recv(65536).startswith(b"HTTP/1.1 200")

    refused = connect(server)
    response = read_all(refused)
    assert response.startswith(b"HTTP/1.1 503")
    assert response.endswith(b"Too many connections from your address.")

    # Another address is served meanwhile: /healthz and the pages still answer.
    assert get_healthz(connect(server, source="127.0.0.2")).startswith(b"HTTP/1.1 200")

    for sock in held:
        sock.close()
    deadline = time.monotonic() + 10
    while (answer := get_healthz(connect(server))).startswith(b"HTTP/1.1 503") and time.monotonic() < deadline:
        time.sleep(0.1)  # the server hears of the closed connections a moment later
    assert answer.startswith(b"HTTP/1.1 200")
    assert "refused connections from 127.0.0.1: 20 already open" in server.log.read_text()


def test_open_sockets_count_towards_the_limit_and_free_their_place_when_closed(start_server):
    server = start_server(MAX_CONNECTIONS_PER_ADDRESS=4)
    make_person("somchai")
    session = log_in(server, "somchai")
    session.close()  # its kept-alive connection would count too

    async def scenario():
        headers = {"Cookie": cookie_header(session), "Origin": server.url}
        sockets = [await websockets.connect(server.ws_url, additional_headers=headers) for _ in range(4)]
        for ws in sockets:
            assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "hello"
        refused = await asyncio.to_thread(lambda: read_all(connect(server)))
        for ws in sockets:
            await ws.close()
        return refused

    assert asyncio.run(scenario()).startswith(b"HTTP/1.1 503")
    deadline = time.monotonic() + 10
    while (answer := get_healthz(connect(server))).startswith(b"HTTP/1.1 503") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert answer.startswith(b"HTTP/1.1 200")
