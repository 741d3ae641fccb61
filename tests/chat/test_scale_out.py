"""Two server processes serve one conversation over Redis: one on Uvicorn (the default), one on Daphne."""

import asyncio
import json

import pytest
import websockets

from chat.models import Room
from chat.services import create_room
from tests.factories import make_person
from tests.hub.test_servers import cookie_header, log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


async def next_of(socket, *types) -> dict:
    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), 10))
        if frame["type"] in types:
            return frame


def test_people_on_two_processes_chat_in_real_time(start_server, redis_url):
    server_a, server_b = start_server(REDIS_URL=redis_url), start_server(REDIS_URL=redis_url, SERVER="daphne")
    somchai, somsri = make_person("somchai"), make_person("somsri", first_name_th="สมศรี")
    room = create_room(kind=Room.Kind.PRIVATE, name="สองโปรเซส", owner=somchai.user, members=[somsri.user])
    session_a, session_b = log_in(server_a, "somchai"), log_in(server_b, "somsri")

    async def scenario():
        headers_a = {"Cookie": cookie_header(session_a), "Origin": server_a.url}
        headers_b = {"Cookie": cookie_header(session_b), "Origin": server_b.url}
        async with (
            websockets.connect(server_a.ws_url, additional_headers=headers_a) as a,
            websockets.connect(server_b.ws_url, additional_headers=headers_b) as b,
        ):
            await next_of(a, "hello")
            await next_of(b, "hello")
            await a.send(json.dumps({"type": "message.send", "room": room.pk, "body": "จาก A", "client_id": "a1"}))
            ack = await next_of(a, "ack")
            on_b = await next_of(b, "message.new")
            await b.send(json.dumps({"type": "message.send", "room": room.pk, "body": "จาก B", "client_id": "b1"}))
            on_a = await next_of(a, "message.new")
            while on_a["message"]["body"] != "จาก B":  # A also hears its own message first
                on_a = await next_of(a, "message.new")
            return ack, on_b, on_a

    ack, on_b, on_a = asyncio.run(scenario())
    assert ack["message"]["seq"] == 1
    assert on_b["message"]["body"] == "จาก A" and on_b["message"]["seq"] == 1
    assert on_a["message"]["body"] == "จาก B" and on_a["message"]["seq"] == 2
