"""/ws/: who may connect, the hello frame, ping, and what a bad frame gets (DESIGN.md §3)."""

import json

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.test import Client

from hub.asgi import application
from hub.tokens import issue_token
from tests.factories import make_person

# On PostgreSQL a socket's session, token and hello are read on the server's database threads,
# each with a connection of its own (hub.dbwork): what a test writes must be committed for them to see it.
pytestmark = pytest.mark.django_db(transaction=True)

HOST = "localhost:8000"


def session_cookie_for(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def browser_headers(user=None, origin: str | None = f"http://{HOST}", language: str | None = None):
    cookies = []
    if user is not None:
        cookies.append(f"sessionid={session_cookie_for(user)}")
    if language:
        cookies.append(f"ksp_language={language}")
    headers = [(b"host", HOST.encode())]
    if cookies:
        headers.append((b"cookie", "; ".join(cookies).encode()))
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    return headers


def run(scenario):
    """Run an async scenario from a sync test, so the consumer's ORM calls see the test's data."""
    return async_to_sync(scenario)()


async def open_socket(headers) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def receive(communicator) -> dict:
    return json.loads(await communicator.receive_from(timeout=5))


def test_a_logged_in_browser_gets_hello_with_who_it_is():
    person = make_person("somchai")

    headers = browser_headers(person.user)

    async def scenario():
        socket = await open_socket(headers)
        hello = await receive(socket)
        await socket.disconnect()
        return hello

    hello = run(scenario)
    assert hello["type"] == "hello"
    assert hello["protocol"] == 1
    assert hello["user"]["username"] == "somchai"
    assert hello["user"]["name_th"] == "นายสมชาย ใจดี"
    assert hello["rooms"] == []


def test_an_anonymous_socket_is_closed_with_4401():
    headers = browser_headers(None)

    async def scenario():
        socket = await open_socket(headers)
        closed = await socket.receive_output(timeout=5)
        return closed

    assert run(scenario) == {"type": "websocket.close", "code": 4401}


def test_a_foreign_origin_is_closed_with_4403():
    person = make_person()

    headers = browser_headers(person.user, origin="https://evil.example")

    async def scenario():
        socket = await open_socket(headers)
        return await socket.receive_output(timeout=5)

    assert run(scenario) == {"type": "websocket.close", "code": 4403}


@pytest.mark.parametrize(
    "origin", [f"https://{HOST}", f"ftp://{HOST}", f"ws://{HOST}", f"http://{HOST}.evil.example", "null"]
)
def test_an_origin_with_the_right_host_but_another_scheme_is_refused(origin):
    """This site is served over http here: an https:// or ftp:// page is another origin."""
    headers = browser_headers(make_person("somchai").user, origin=origin)

    async def scenario():
        socket = await open_socket(headers)
        closed = await socket.receive_output(timeout=5)
        return closed

    assert run(scenario) == {"type": "websocket.close", "code": 4403}


def test_an_https_page_may_open_the_socket_of_an_https_site():
    headers = browser_headers(make_person("somchai").user, origin=f"https://{HOST}")

    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
        communicator.scope["scheme"] = "wss"
        await communicator.connect()
        hello = await receive(communicator)
        await communicator.disconnect()
        return hello

    assert run(scenario)["type"] == "hello"


def test_a_browser_session_without_origin_is_refused():
    person = make_person()

    headers = browser_headers(person.user, origin=None)

    async def scenario():
        socket = await open_socket(headers)
        return await socket.receive_output(timeout=5)

    assert run(scenario) == {"type": "websocket.close", "code": 4403}


def test_an_api_client_connects_with_a_bearer_token_and_no_origin():
    person = make_person("bot")
    token = issue_token(person.user, "test")

    async def scenario():
        socket = await open_socket([(b"host", HOST.encode()), (b"authorization", f"Bearer {token}".encode())])
        hello = await receive(socket)
        await socket.disconnect()
        return hello

    assert run(scenario)["user"]["username"] == "bot"


def test_a_bad_token_is_closed_with_4401_even_with_a_valid_session():
    person = make_person()

    headers = [*browser_headers(person.user), (b"authorization", b"Bearer ksp_wrong")]

    async def scenario():
        socket = await open_socket(headers)
        return await socket.receive_output(timeout=5)

    assert run(scenario) == {"type": "websocket.close", "code": 4401}


def test_ping_gets_pong_with_the_same_ref():
    person = make_person()

    headers = browser_headers(person.user)

    async def scenario():
        socket = await open_socket(headers)
        await receive(socket)
        await socket.send_to(text_data=json.dumps({"type": "ping", "ref": "r1"}))
        pong = await receive(socket)
        await socket.disconnect()
        return pong

    assert run(scenario) == {"type": "pong", "ref": "r1"}


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        ("{not json", "The frame is not valid JSON."),
        ("[" * 60_000, "The frame is not valid JSON."),
        ('{"type": "ping", "ref": "\\ud800"}', "The frame is not valid JSON."),
        ("[1, 2]", 'A frame must be a JSON object with a "type".'),
        ('{"no_type": true}', 'A frame must be a JSON object with a "type".'),
        ('{"type": "launch.rockets", "ref": 7}', 'Unknown frame type "launch.rockets".'),
    ],
)
def test_a_bad_frame_gets_an_error_and_the_socket_stays_open(frame, message):
    person = make_person()

    headers = browser_headers(person.user, language="en")

    async def scenario():
        socket = await open_socket(headers)
        await receive(socket)
        await socket.send_to(text_data=frame)
        error = await receive(socket)
        await socket.send_to(text_data='{"type": "ping"}')
        still_open = await receive(socket)
        await socket.disconnect()
        return error, still_open

    error, still_open = run(scenario)
    assert error["type"] == "error"
    assert error["code"] == "bad_frame"
    assert error["message"] == message
    assert still_open == {"type": "pong"}


def test_errors_speak_thai_by_default():
    person = make_person()

    headers = browser_headers(person.user)

    async def scenario():
        socket = await open_socket(headers)
        await receive(socket)
        await socket.send_to(text_data="{oops")
        error = await receive(socket)
        await socket.disconnect()
        return error

    assert run(scenario)["message"] == "เฟรมไม่ใช่ JSON ที่ถูกต้อง"


def test_binary_and_oversized_frames_are_refused_without_closing(settings):
    settings.WS_MAX_FRAME_BYTES = 1000
    person = make_person()

    headers = browser_headers(person.user, language="en")

    async def scenario():
        socket = await open_socket(headers)
        await receive(socket)
        await socket.send_to(bytes_data=b"\x00\x01")
        binary = await receive(socket)
        await socket.send_to(text_data=json.dumps({"type": "ping", "pad": "ก" * 400}))
        oversized = await receive(socket)
        await socket.send_to(text_data='{"type": "ping"}')
        still_open = await receive(socket)
        await socket.disconnect()
        return binary, oversized, still_open

    binary, oversized, still_open = run(scenario)
    assert binary["code"] == "bad_frame"
    # 400 Thai characters are 1,200 bytes in UTF-8: the limit counts bytes, not characters.
    assert oversized["code"] == "too_large"
    assert still_open == {"type": "pong"}


def test_a_socket_on_another_path_is_refused_at_the_handshake():
    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/elsewhere/", headers=[(b"host", HOST.encode())])
        connected, _ = await communicator.connect()
        return connected

    assert run(scenario) is False
