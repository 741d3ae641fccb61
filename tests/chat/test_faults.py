"""Faults while people chat: Redis restarted or killed, group memberships expiring. Nothing is lost."""

import asyncio
import json
import subprocess
import time

import pytest
import requests
import websockets

from chat.models import Message, Room
from chat.services import create_room
from tests.conftest import free_port, require
from tests.factories import make_person
from tests.hub.test_servers import cookie_header, log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


class OwnRedis:
    """A Redis of this test's own, on its own port, to stop and start at will."""

    def __init__(self):
        require(
            subprocess.run(["which", "redis-server"], capture_output=True).returncode == 0,
            "redis-server is not installed",
        )
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping():
                    return
            except redis.RedisError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def kill(self):
        self.process.kill()
        self.process.wait()


@pytest.fixture
def own_redis():
    redis = OwnRedis()
    redis.start()
    yield redis
    if redis.process.poll() is None:
        redis.kill()


async def next_of(socket, *types, timeout=10) -> dict:
    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), timeout))
        if frame["type"] in types:
            return frame


async def connect(server, session):
    """Connect as a browser would, retrying while the server cannot take sockets (Redis down)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            socket = await websockets.connect(
                server.ws_url, additional_headers={"Cookie": cookie_header(session), "Origin": server.url}
            )
            await next_of(socket, "hello")
            return socket
        except (TimeoutError, OSError, websockets.WebSocketException):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


@pytest.fixture
def people():
    somchai, somsri = make_person("somchai"), make_person("somsri", first_name_th="สมศรี")
    room = create_room(kind=Room.Kind.PRIVATE, name="ทนทาน", owner=somchai.user, members=[somsri.user])
    return somchai, somsri, room


def test_redis_killed_while_people_chat_sends_are_stored_and_clients_recover_with_nothing_missing(
    start_server, own_redis, people
):
    _somchai, _somsri, room = people
    server = start_server(REDIS_URL=own_redis.url, WS_PROBE_SECONDS=1, WS_PROBE_DEAD_SECONDS=3)
    sender_session, reader_session = log_in(server, "somchai"), log_in(server, "somsri")

    async def scenario():
        sender, reader = await connect(server, sender_session), await connect(server, reader_session)
        own_redis.kill()
        # Publishing fails now; the send must still be stored and acked.
        await sender.send(
            json.dumps({"type": "message.send", "room": room.pk, "body": "ตอน Redis ดับ", "client_id": "during"})
        )
        ack = await next_of(sender, "ack", "error")
        # The reader's socket can no longer hear anything: it is closed so its client syncs.
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(reader.recv(), 15)
        own_redis.start()
        again = await connect(server, reader_session)
        await again.send(json.dumps({"type": "sync", "rooms": {str(room.pk): 0}}))
        synced = await next_of(again, "message.new")
        done = await next_of(again, "sync.done")
        for socket in (sender, again):
            await socket.close()
        return ack, closed.value.rcvd, synced, done

    ack, close_frame, synced, done = asyncio.run(scenario())
    assert ack["type"] == "ack" and ack["message"]["seq"] == 1
    assert close_frame is not None and close_frame.code == 4012
    assert synced["message"]["body"] == "ตอน Redis ดับ" and done["type"] == "sync.done"
    assert Message.objects.filter(room=room).count() == 1


def test_redis_restarted_quickly_clients_still_end_up_with_everything(start_server, own_redis, people):
    _somchai, _somsri, room = people
    server = start_server(REDIS_URL=own_redis.url, WS_PROBE_SECONDS=1, WS_PROBE_DEAD_SECONDS=3)
    sender_session, reader_session = log_in(server, "somchai"), log_in(server, "somsri")

    async def scenario():
        sender, reader = await connect(server, sender_session), await connect(server, reader_session)
        own_redis.kill()
        await sender.send(json.dumps({"type": "message.send", "room": room.pk, "body": "หนึ่ง", "client_id": "1"}))
        await next_of(sender, "ack")
        own_redis.start()
        # Whatever became of the sockets, a client that syncs after reconnecting has it all.
        seen = []
        try:
            while True:
                frame = json.loads(await asyncio.wait_for(reader.recv(), 8))
                if frame["type"] == "message.new":
                    seen.append(frame["message"]["seq"])
        except (TimeoutError, websockets.ConnectionClosed):
            pass
        again = await connect(server, reader_session)
        await again.send(json.dumps({"type": "sync", "rooms": {str(room.pk): max(seen, default=0)}}))
        while (frame := await next_of(again, "message.new", "sync.done"))["type"] == "message.new":
            seen.append(frame["message"]["seq"])
        # And live delivery works again.
        sender2 = await connect(server, sender_session)
        await sender2.send(json.dumps({"type": "message.send", "room": room.pk, "body": "สอง", "client_id": "2"}))
        live = await next_of(again, "message.new")
        for socket in (sender, sender2, again):
            await socket.close()
        return seen, live

    seen, live = asyncio.run(scenario())
    assert seen == [1]
    assert live["message"]["seq"] == 2


def test_long_lived_sockets_stay_in_their_groups_past_group_expiry(start_server, own_redis, people):
    _somchai, _somsri, room = people
    server = start_server(
        REDIS_URL=own_redis.url,
        CHANNEL_LAYER="core",
        CHANNEL_GROUP_EXPIRY=2,
        WS_HEARTBEAT_SECONDS=1,
        WS_PROBE_SECONDS=0.5,
    )
    sender_session, reader_session = log_in(server, "somchai"), log_in(server, "somsri")

    async def scenario():
        sender, reader = await connect(server, sender_session), await connect(server, reader_session)
        await asyncio.sleep(5)  # more than twice the group expiry
        await sender.send(json.dumps({"type": "message.send", "room": room.pk, "body": "ยังอยู่ไหม", "client_id": "x"}))
        delivered = await next_of(reader, "message.new")
        for socket in (sender, reader):
            await socket.close()
        return delivered

    assert asyncio.run(scenario())["message"]["body"] == "ยังอยู่ไหม"


def test_a_server_killed_mid_send_loses_nothing_that_was_acked(start_server, people):
    """kill -9 while a client sends: every acked message is stored; the unacked one, resent with
    its client_id after the restart, is stored exactly once."""
    import signal

    _somchai, _somsri, room = people
    server = start_server()
    port = int(server.url.rsplit(":", 1)[1])
    session = log_in(server, "somchai")

    async def scenario():
        socket = await connect(server, session)
        acked = []
        for n in range(20):
            await socket.send(
                json.dumps({"type": "message.send", "room": room.pk, "body": f"ข้อความ {n}", "client_id": f"k{n}"})
            )
        # Take a few acks, then kill the server without warning while the rest are in flight.
        while len(acked) < 5:
            acked.append((await next_of(socket, "ack"))["client_id"])
        server.process.send_signal(signal.SIGKILL)
        server.process.wait()
        try:
            while True:
                frame = json.loads(await asyncio.wait_for(socket.recv(), 5))
                if frame["type"] == "ack":
                    acked.append(frame["client_id"])
        except (TimeoutError, websockets.ConnectionClosed):
            pass
        restarted = start_server(port=port)
        again = await connect(restarted, session)
        # The client resends everything it has no ack for, with the same client_ids.
        for n in range(20):
            if f"k{n}" not in acked:
                await again.send(
                    json.dumps({"type": "message.send", "room": room.pk, "body": f"ข้อความ {n}", "client_id": f"k{n}"})
                )
                await next_of(again, "ack")
        await again.close()
        return acked

    acked = asyncio.run(scenario())
    stored = list(Message.objects.filter(room=room).values_list("client_id", flat=True))
    assert set(acked) <= set(stored), "an acked message was lost"
    assert sorted(stored) == sorted(f"k{n}" for n in range(20)), "each message stored exactly once"
    assert sorted(Message.objects.filter(room=room).values_list("seq", flat=True)) == list(range(1, 21))


def test_a_publish_lost_in_one_process_makes_the_other_processes_sockets_sync(start_server, own_redis, people):
    """Process A stores a message while Redis is down, so nobody hears of it. Once Redis is back,
    A tells every process; B closes the sockets that were listening in that room (4012), and
    their clients sync. Probes are off here, so only that notice can do it."""
    _somchai, _somsri, room = people
    quiet = {"REDIS_URL": own_redis.url, "WS_PROBE_SECONDS": 600, "WS_PROBE_DEAD_SECONDS": 6000}
    server_a, server_b = start_server(**quiet), start_server(**quiet)
    sender_session, reader_session = log_in(server_a, "somchai"), log_in(server_b, "somsri")

    async def scenario():
        sender, reader = await connect(server_a, sender_session), await connect(server_b, reader_session)
        own_redis.kill()
        await sender.send(json.dumps({"type": "message.send", "room": room.pk, "body": "หายไหม", "client_id": "x"}))
        ack = await next_of(sender, "ack")
        own_redis.start()
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(reader.recv(), 40)
        again = await connect(server_b, reader_session)
        await again.send(json.dumps({"type": "sync", "rooms": {str(room.pk): 0}}))
        synced = await next_of(again, "message.new")
        for socket in (sender, again):
            await socket.close()
        return ack, closed.value.rcvd, synced

    ack, close_frame, synced = asyncio.run(scenario())
    assert ack["type"] == "ack"
    assert close_frame is not None and close_frame.code == 4012
    assert synced["message"]["body"] == "หายไหม"


def test_a_database_connection_killed_under_a_socket_is_replaced_and_the_send_goes_through(start_server, people):
    """PostgreSQL restarts a backend (failover, an admin's pg_terminate_backend) while people
    chat: the next send is stored and acked on a fresh connection, and the socket stays open."""
    from django.db import connection

    require(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL)")
    _somchai, _somsri, room = people
    # Its own application_name, so that only the server's connections are killed, not this test's.
    server = start_server(PGAPPNAME="ksp-hub-under-test")
    sender_session, reader_session = log_in(server, "somchai"), log_in(server, "somsri")

    def kill_server_connections() -> int:
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = %s",
                    ["ksp-hub-under-test"],
                )
                return cursor.fetchone()[0]
        finally:
            connection.close()  # this worker thread's own connection

    async def send(socket, body, client_id):
        await socket.send(json.dumps({"type": "message.send", "room": room.pk, "body": body, "client_id": client_id}))
        return await next_of(socket, "ack", "error")

    async def scenario():
        sender, reader = await connect(server, sender_session), await connect(server, reader_session)
        first = await send(sender, "ก่อน", "before")
        await next_of(reader, "message.new")
        killed = await asyncio.to_thread(kill_server_connections)
        second = await send(sender, "หลัง", "after")
        heard = await next_of(reader, "message.new")
        for socket in (sender, reader):
            await socket.close()
        return first, killed, second, heard

    first, killed, second, heard = asyncio.run(scenario())
    assert first["type"] == "ack"
    assert killed >= 1, "the server held no connection to kill"
    assert second["type"] == "ack" and second["message"]["seq"] == 2
    assert heard["message"]["body"] == "หลัง"
    assert list(Message.objects.filter(room=room).order_by("seq").values_list("body", flat=True)) == ["ก่อน", "หลัง"]


def chat_across_a_redis_restart(start_server, own_redis, people, pause: float) -> dict:
    """Two processes on one Redis, probes off (the outage falls between them): somsri listens on B,
    somchai sends over REST to A. Redis is killed and started again while the room is quiet; after
    `pause` seconds, somchai sends 40 messages, one every 50 ms or so (B's subscriptions come back
    up to a second after Redis does, so some fall before, some after). Somsri's client does what docs/protocol.md
    says: on a close it reconnects and syncs from the last seq it has with none missing before it."""
    from hub.tokens import issue_token

    somchai, _somsri, room = people
    quiet = {"REDIS_URL": own_redis.url, "WS_PROBE_SECONDS": 600, "WS_PROBE_DEAD_SECONDS": 6000}
    server_a, server_b = (start_server(**quiet, CHAT_SEND_LIMIT=1000) for _ in range(2))
    reader_session, token = log_in(server_b, "somsri"), issue_token(somchai.user, "test")
    after_restart = 40

    def send(n: int) -> None:
        response = requests.post(
            f"{server_a.url}/api/v1/rooms/{room.pk}/messages",
            json={"body": f"ข้อความ {n}", "client_id": f"m{n}"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert response.status_code == 201, response.text

    def send_the_rest() -> None:
        time.sleep(pause)
        for n in range(2, after_restart + 2):
            send(n)
            time.sleep(0.03)

    async def scenario():
        have, gaps, closes = set(), [], []
        socket = await connect(server_b, reader_session)
        await asyncio.to_thread(send, 1)
        have.add((await next_of(socket, "message.new"))["message"]["seq"])
        own_redis.kill()
        await asyncio.sleep(1)
        own_redis.start()
        sender = asyncio.create_task(asyncio.to_thread(send_the_rest))
        syncing = False
        while len(have) <= after_restart and len(closes) < 5:
            try:
                frame = json.loads(await asyncio.wait_for(socket.recv(), 15))
            except websockets.ConnectionClosed as closed:
                closes.append(closed.rcvd.code if closed.rcvd else None)
                socket = await connect(server_b, reader_session)
                last = max(seq for seq in have if all(earlier in have for earlier in range(1, seq)))
                await socket.send(json.dumps({"type": "sync", "rooms": {str(room.pk): last}}))
                syncing = True
                continue
            except TimeoutError:
                break
            if frame["type"] == "sync.done":
                syncing = False
            elif frame["type"] == "message.new":
                seq = frame["message"]["seq"]
                # A later message while an earlier one is missing, outside a sync: a client that
                # syncs from the last seq it has would never get the missing one.
                if not syncing and any(earlier not in have for earlier in range(1, seq)):
                    gaps.append(seq)
                have.add(seq)
        await sender
        await socket.close()
        return {"have": sorted(have), "gaps": gaps, "closes": closes, "all": list(range(1, after_restart + 2))}

    return asyncio.run(scenario())


def test_after_a_redis_restart_no_later_message_reaches_a_client_before_the_ones_it_missed(
    start_server, own_redis, people
):
    """B subscribes again about a second after Redis is back; what A published meanwhile reached
    nobody. B closes its sockets (4012) before it hands on anything later, so the client, syncing
    from the last seq it has, misses nothing."""
    outcome = chat_across_a_redis_restart(start_server, own_redis, people, pause=0)
    assert outcome["gaps"] == [], "a later message arrived before 4012 while earlier ones were missing"
    assert outcome["closes"][:1] == [4012]
    assert outcome["have"] == outcome["all"]


def test_after_a_redis_restart_a_client_is_sent_to_sync_once_not_again(start_server, own_redis, people):
    """A's first publish after Redis is back goes over a connection Redis closed: it is sent again
    on a new one instead of failing (which would make every process close its sockets once more,
    those that had just reconnected too). So the client resyncs once and then hears it all live."""
    outcome = chat_across_a_redis_restart(start_server, own_redis, people, pause=3)
    assert outcome["closes"] == [4012]
    assert outcome["gaps"] == []
    assert outcome["have"] == outcome["all"]
