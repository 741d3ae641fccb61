"""Access revoked while a socket is open: deactivation, a new password, a revoked token, a lost
session. The socket closes with 4401, and nothing it sends afterwards is acted on, even before the
close arrives and when the change was made where the channel layer cannot carry the news."""

import asyncio
import json
import subprocess
import sys

import pytest
import websockets
from django.contrib.auth import get_user_model
from django.utils import timezone

from chat.models import Message, Room
from chat.services import create_room
from hub.models import ApiToken
from hub.tokens import issue_token, revoke_token
from tests.conftest import ROOT
from tests.factories import make_person
from tests.hub.test_servers import cookie_header, log_in

pytestmark = pytest.mark.django_db(transaction=True)


async def next_of(socket, *types, timeout=10) -> dict:
    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), timeout))
        if frame["type"] in types:
            return frame


async def close_code(socket, timeout=10) -> int:
    """Read until the server closes the socket; the code it closed with."""
    try:
        while True:
            await asyncio.wait_for(socket.recv(), timeout)
    except websockets.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else closed.code


def connect_as(server, session):
    return websockets.connect(
        server.ws_url, additional_headers={"Cookie": cookie_header(session), "Origin": server.url}
    )


def connect_with_token(server, token):
    return websockets.connect(server.ws_url, additional_headers={"Authorization": f"Bearer {token}"})


def send_frame(room, text, client_id):
    return json.dumps({"type": "message.send", "room": room.pk, "body": text, "client_id": client_id})


def in_another_process(server_env, code: str, **env) -> None:
    """Run Django code as a management command would, in a process of its own."""
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**server_env, **env},
        check=True,
        capture_output=True,
        timeout=60,
    )


@pytest.fixture
def room_of_two():
    somchai, somsri = make_person("somchai"), make_person("somsri", first_name_th="สมศรี")
    room = create_room(kind=Room.Kind.PRIVATE, name="ห้องสอง", owner=somchai.user, members=[somsri.user])
    return somchai, somsri, room


@pytest.mark.parametrize(
    "revocation",
    [
        "u.is_active = False; u.save()",
        "u.set_password('another secret 123'); u.save()",
        "type(u).objects.filter(pk=u.pk).update(is_active=False)",  # a bulk update: no signal at all
    ],
    ids=["deactivated", "new-password", "bulk-deactivated"],
)
def test_a_frame_sent_after_access_ended_elsewhere_is_not_acted_on(start_server, server_env, room_of_two, revocation):
    """The demo's in-memory layer cannot tell the server of a change another process made: the
    next frame finds out, is refused with 4401, and stores nothing."""
    somchai, _somsri, room = room_of_two
    server = start_server(WS_ACCESS_SWEEP_SECONDS=3600)  # the sweep is not what saves it here
    session = log_in(server, "somchai")

    async def scenario():
        async with connect_as(server, session) as socket:
            await next_of(socket, "hello")
            await socket.send(send_frame(room, "ก่อน", "before"))
            await next_of(socket, "ack")
            in_another_process(
                server_env, f"from django.contrib.auth.models import User; u = User.objects.get(pk={somchai.user.pk}); "
                + revocation
            )
            await socket.send(send_frame(room, "หลัง", "after"))
            return await close_code(socket)

    assert asyncio.run(scenario()) == 4401
    assert list(Message.objects.filter(room=room).values_list("body", flat=True)) == ["ก่อน"]


@pytest.mark.parametrize(
    "frame_after",
    [
        {"body": "หลัง @somsri", "client_id": "after"},  # a mention: the send's longer path
        {"body": "   ", "client_id": "after"},  # refused as empty before anything is stored
        {"body": "หลัง", "client_id": "after", "room": 2**62},  # a room that is not there
        {"body": "หลัง", "client_id": "before"},  # a resend of the message sent before
    ],
    ids=["mention", "empty", "no-such-room", "resend"],
)
def test_a_send_after_access_ended_is_answered_by_the_close_whatever_it_holds(
    start_server, server_env, room_of_two, frame_after
):
    """The send checks the credentials in its own statement: whichever way the send would have
    gone, or been refused, the socket is closed with 4401 and nothing more is stored."""
    _somchai, _somsri, room = room_of_two
    server = start_server(WS_ACCESS_SWEEP_SECONDS=3600)
    session = log_in(server, "somchai")
    log_out_elsewhere = (
        "from django.contrib.sessions.models import Session; "
        f"Session.objects.filter(pk={session.cookies['sessionid']!r}).delete()"
    )

    async def scenario():
        async with connect_as(server, session) as socket:
            await next_of(socket, "hello")
            await socket.send(send_frame(room, "ก่อน", "before"))
            await next_of(socket, "ack")
            in_another_process(server_env, log_out_elsewhere)
            await socket.send(json.dumps({"type": "message.send", "room": room.pk, **frame_after}))
            try:
                while True:
                    frame = json.loads(await asyncio.wait_for(socket.recv(), 10))
                    assert frame["type"] not in ("ack", "error"), frame
            except websockets.ConnectionClosed as closed:
                return closed.rcvd.code if closed.rcvd else closed.code

    assert asyncio.run(scenario()) == 4401
    assert list(Message.objects.filter(room=room).values_list("body", flat=True)) == ["ก่อน"]


def test_an_idle_socket_of_a_deactivated_person_is_closed_by_the_sweep(start_server, server_env, room_of_two):
    """It sends nothing, so only the process's periodic check can find out; it stops hearing the room."""
    somchai, _somsri, _room = room_of_two
    server = start_server(WS_ACCESS_SWEEP_SECONDS=1)
    session = log_in(server, "somchai")

    async def scenario():
        async with connect_as(server, session) as socket:
            await next_of(socket, "hello")
            in_another_process(
                server_env, f"from django.contrib.auth.models import User; User.objects.filter(pk={somchai.user.pk})"
                ".update(is_active=False)"
            )
            return await close_code(socket, timeout=15)

    assert asyncio.run(scenario()) == 4401


def test_deactivation_by_another_process_closes_every_socket_of_the_person_at_once(
    start_server, server_env, redis_url, room_of_two
):
    """With Redis, the change is announced: both processes close the person's sockets without
    waiting for a frame or the sweep, and the other person goes on chatting."""
    somchai, _somsri, room = room_of_two
    server_a = start_server(REDIS_URL=redis_url, WS_ACCESS_SWEEP_SECONDS=3600)
    server_b = start_server(REDIS_URL=redis_url, WS_ACCESS_SWEEP_SECONDS=3600)
    on_a, on_b, other = log_in(server_a, "somchai"), log_in(server_b, "somchai"), log_in(server_b, "somsri")

    async def scenario():
        async with (
            connect_as(server_a, on_a) as a,
            connect_as(server_b, on_b) as b,
            connect_as(server_b, other) as somsri_socket,
        ):
            for socket in (a, b, somsri_socket):
                await next_of(socket, "hello")
            in_another_process(
                server_env,
                f"from django.contrib.auth.models import User; u = User.objects.get(pk={somchai.user.pk}); "
                "u.is_active = False; u.save()",
                REDIS_URL=redis_url,
            )
            codes = await asyncio.gather(close_code(a), close_code(b))
            await somsri_socket.send(send_frame(room, "ยังอยู่", "still"))
            ack = await next_of(somsri_socket, "ack")
            return codes, ack

    codes, ack = asyncio.run(scenario())
    assert codes == [4401, 4401]
    assert ack["message"]["body"] == "ยังอยู่"


def test_revoking_a_token_closes_its_sockets_only(start_server, room_of_two):
    somchai, _somsri, room = room_of_two
    server = start_server()
    token = issue_token(somchai.user, "bot")
    session = log_in(server, "somchai")

    async def scenario():
        async with connect_with_token(server, token) as bot, connect_as(server, session) as browser:
            await next_of(bot, "hello")
            await next_of(browser, "hello")
            # Revoked from the test process: the server hears of it at the bot's next frame.
            token_id = await asyncio.to_thread(lambda: ApiToken.objects.get(user=somchai.user).pk)
            await asyncio.to_thread(revoke_token, somchai.user, token_id)
            await bot.send(send_frame(room, "จากบอท", "bot-1"))
            code = await close_code(bot)
            await browser.send(send_frame(room, "จากเบราว์เซอร์", "browser-1"))
            ack = await next_of(browser, "ack")
            return code, ack

    code, ack = asyncio.run(scenario())
    assert code == 4401
    assert ack["message"]["body"] == "จากเบราว์เซอร์"
    assert list(Message.objects.filter(room=room).values_list("body", flat=True)) == ["จากเบราว์เซอร์"]


def test_a_revoked_token_cannot_open_a_socket_again(start_server, room_of_two):
    somchai, _somsri, _room = room_of_two
    server = start_server()
    token = issue_token(somchai.user, "bot")
    ApiToken.objects.update(revoked_at=timezone.now())

    async def scenario():
        async with connect_with_token(server, token) as bot:
            return await close_code(bot)

    assert asyncio.run(scenario()) == 4401


def test_saving_a_person_without_touching_access_keeps_their_sockets_open(start_server, room_of_two):
    """Logging in elsewhere saves last_login; editing a name saves the user: neither ends access."""
    somchai, _somsri, room = room_of_two
    server = start_server()
    session = log_in(server, "somchai")

    async def scenario():
        async with connect_as(server, session) as socket:
            await next_of(socket, "hello")
            def rename_and_log_in_elsewhere():
                user = get_user_model().objects.get(pk=somchai.user.pk)
                user.first_name = "Somchai"
                user.save()
                log_in(server, "somchai")  # another browser

            await asyncio.to_thread(rename_and_log_in_elsewhere)
            await socket.send(send_frame(room, "ยังใช้ได้", "kept"))
            return await next_of(socket, "ack")

    assert asyncio.run(scenario())["message"]["body"] == "ยังใช้ได้"
