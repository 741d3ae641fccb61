"""The chat benchmark's cases of issue #12: opening sockets, and a reconnect storm after a process dies."""

import asyncio
import json
import time
from pathlib import Path

from bench.chat import cpu_seconds, percentile


async def open_sockets(target: str, port: int, pid: int, tokens: list, count: int, at_once: int) -> dict:
    """Open `count` sockets, `at_once` of them in flight at a time; for the hub each is done when
    its hello has come (the person, their rooms with last_seq and unread, presence told)."""
    import websockets

    sockets, pending, refused = [], asyncio.Semaphore(at_once), []

    async def one(index: int) -> None:
        async with pending:
            if target == "hub":
                token = tokens[index % len(tokens)]
                for _attempt in range(20):  # a 4012 before hello means: again, as a client does
                    socket = await websockets.connect(
                        f"ws://127.0.0.1:{port}/ws/",
                        additional_headers={"Authorization": f"Bearer {token}"},
                        open_timeout=60,
                    )
                    try:
                        while json.loads(await socket.recv())["type"] != "hello":
                            pass
                        break
                    except websockets.ConnectionClosed:
                        refused.append(index)
            else:
                socket = await websockets.connect(f"ws://127.0.0.1:{port}/ws/?room={index % 10}", open_timeout=60)
            sockets.append(socket)

    cpu_before, started = cpu_seconds(pid), time.monotonic()
    await asyncio.gather(*(one(index) for index in range(count)))
    seconds = time.monotonic() - started
    # The presence of the last ones is told a moment later (hub.heartbeat): count its CPU too.
    await asyncio.sleep(0.5)
    cpu = cpu_seconds(pid) - cpu_before
    await asyncio.gather(*(socket.close() for socket in sockets))
    return {
        "count": count,
        "seconds": seconds,
        "rate": count / seconds,
        "cpu_ms_per_connect": cpu * 1000 / count,
        "refused": len(refused),
    }


# --- The reconnect storm -----------------------------------------------------------------------


class Client:
    """One person's socket that keeps what a client must: each room's seqs, to sync without a gap."""

    def __init__(self, token: str, port: int):
        self.token, self.port = token, port
        self.have: dict[int, set[int]] = {}
        self.start: dict[int, int] = {}  # room -> the last_seq of the first hello (following from there)
        self.socket = None
        self.ended_by: Exception | None = None
        self.refused = 0  # connections closed before hello
        self.latencies: list[float] = []  # live deliveries, send → receive, ms
        self.acked: dict[int, set[int]] = {}  # room -> seqs of the messages this client sent, as acked
        self.refusals = 0  # sends answered with an error (rate_limited, ...)
        self.synced = asyncio.Event()
        self.closed = asyncio.Event()

    def gap_free(self, room: int) -> int:
        seq = self.start.get(room, 0)
        while seq + 1 in self.have.get(room, ()):
            seq += 1
        return seq

    async def connect(self, port: int, sync: bool) -> None:
        """Connect until hello comes, as a client does (a 4012 before it means: again)."""
        import websockets

        self.port = port
        for _attempt in range(20):
            self.socket = await websockets.connect(
                f"ws://127.0.0.1:{port}/ws/",
                additional_headers={"Authorization": f"Bearer {self.token}"},
                open_timeout=60,
                max_size=2**22,
            )
            try:
                hello = json.loads(await self.socket.recv())
                break
            except websockets.ConnectionClosed:
                self.refused += 1
                await asyncio.sleep(0.5)
        for room in hello["rooms"]:
            self.start.setdefault(room["id"], room["last_seq"])
            self.have.setdefault(room["id"], set())
        self.closed.clear()
        if sync:
            await self.sync()

    async def sync(self) -> None:
        """Ask for everything after each room's gap-free seq; `synced` is set at `sync.done`."""
        self.synced.clear()
        rooms = {str(room): self.gap_free(room) for room in self.start}
        await self.socket.send(json.dumps({"type": "sync", "rooms": rooms}))

    def unseen(self, acked: dict[int, set[int]]) -> set[tuple[int, int]]:
        """The acked messages of this client's rooms it has not received: (room, seq)."""
        return {
            (room, seq)
            for room, seqs in acked.items()
            if room in self.start
            for seq in seqs
            if seq > self.start[room] and seq not in self.have.get(room, ())
        }

    async def read(self) -> None:
        try:
            async for frame in self.socket:
                data = json.loads(frame)
                if data["type"] == "message.new":
                    message = data["message"]
                    self.have.setdefault(message["room"], set()).add(message["seq"])
                    body = json.loads(message["body"])
                    if "t" in body and not body.get("missed"):
                        self.latencies.append((time.time_ns() - body["t"]) / 1e6)
                elif data["type"] == "ack":
                    message = data["message"]
                    self.acked.setdefault(message["room"], set()).add(message["seq"])
                elif data["type"] == "error":
                    self.refusals += 1
                elif data["type"] == "sync.truncated":  # the answer's limit: on from where it got, as a client does
                    await self.sync()
                elif data["type"] == "sync.done":
                    self.synced.set()
        except Exception as error:  # the process died under it
            self.ended_by = error
        self.closed.set()


async def _connect_all(clients: list[Client]) -> dict:
    """Connect every client (200 at a time) and start reading; the readers by client."""
    at_once = asyncio.Semaphore(200)

    async def first_connect(client):
        async with at_once:
            await client.connect(client.port, sync=False)

    await asyncio.gather(*(first_connect(client) for client in clients))
    return {client: asyncio.create_task(client.read()) for client in clients}


async def _final_sync(clients: list[Client], readers: dict, port: int) -> int:
    """Every client syncs once more, as it would on its next gap or hello (reconnecting to `port`
    if it is still away): the database is the record. Returns how many were still away."""
    still_away = [client for client in clients if client.closed.is_set()]

    async def final_sync(client):
        try:
            if client.closed.is_set():  # never came back: once more, to the survivor
                await client.connect(port, sync=False)
                readers[client] = asyncio.create_task(client.read())
            await client.sync()
            await asyncio.wait_for(client.synced.wait(), 60)
        except Exception as error:  # counted by the caller: a client without sync.done
            client.ended_by = error

    await asyncio.gather(*(final_sync(client) for client in clients))
    return len(still_away)


async def _close_all(clients: list[Client], readers: dict) -> None:
    for task in readers.values():
        task.cancel()
    await asyncio.gather(*(client.socket.close() for client in clients if client.socket), return_exceptions=True)


def returning_clients(pipe, tokens: list[str], ports: list[int]) -> None:
    """The clients of the process to be killed, in a load generator process of their own: on a
    real network they are other machines, and in the same process as the people who stay, their
    2,500 closes, handshakes and syncs held up that process's own reading and sending (the
    "during" latency then measured the generator as much as the server)."""
    asyncio.run(_returning(pipe, tokens, ports))


async def _returning(pipe, tokens: list[str], ports: list[int]) -> None:
    loop = asyncio.get_running_loop()
    clients = [Client(token, ports[0]) for token in tokens]
    readers = await _connect_all(clients)
    pipe.send("ready")
    killed = await loop.run_in_executor(None, pipe.recv)  # the moment of the kill (time.monotonic)
    caught_up_at: dict[Client, float] = {}

    async def come_back(client):
        await client.closed.wait()
        for _attempt in range(20):
            try:
                await client.connect(ports[1], sync=True)
                break
            except Exception:
                await asyncio.sleep(0.2)
        readers[client] = asyncio.create_task(client.read())
        await asyncio.wait_for(client.synced.wait(), 60)
        caught_up_at[client] = time.monotonic() - killed

    await asyncio.wait([asyncio.create_task(come_back(client)) for client in clients], timeout=60)
    pipe.send({"back": list(caught_up_at.values()), "refused": sum(client.refused for client in clients)})
    await loop.run_in_executor(None, pipe.recv)  # "final": after the grace
    pipe.send([(client.start, client.have) for client in clients])  # what they have by then
    still_away = await _final_sync(clients, readers, ports[1])
    pipe.send(
        {
            "still_away": still_away,
            "clients": [(client.start, client.have, client.synced.is_set(), client.refusals) for client in clients],
        }
    )
    await _close_all(clients, readers)


async def storm(
    ports: list[int],
    pids: list[int],
    processes: list,
    rooms: list[tuple],
    seconds: float,
    rate: float,
    grace: float,
    profile: str = "",
) -> dict:
    """rooms: [(room id, [token per member])], members spread over the two processes in turn.

    People on the second process talk throughout (`rate` messages a second over all the rooms,
    each sent through a member on that process); the first process is killed; all its clients
    (in a generator process of their own, returning_clients) reconnect to the second at once and
    sync from their gap-free seqs. Messages sent while they were away are what they missed.
    Measured: how long until the last of them has every message of its rooms, the latency the
    people already on the second process saw before and during the storm, and, after `grace`
    seconds for late deliveries and one more sync by every client, the messages acked to a sender
    that a member never saw (lost)."""
    import multiprocessing

    stayed, senders, moved_tokens = [], [], []
    for room_id, tokens in rooms:
        members = [Client(token, ports[1]) for index, token in enumerate(tokens) if index % 2]
        moved_tokens += [token for index, token in enumerate(tokens) if not index % 2]
        stayed += members
        senders.append((room_id, members[0]))
    pipe, child_end = multiprocessing.Pipe()
    returning = multiprocessing.get_context("spawn").Process(
        target=returning_clients, args=(child_end, moved_tokens, ports), daemon=True
    )
    returning.start()
    loop = asyncio.get_running_loop()
    readers = await _connect_all(stayed)
    if await loop.run_in_executor(None, pipe.recv) != "ready":
        raise RuntimeError("the returning clients did not connect")
    print(
        f"  storm: {len(stayed) + len(moved_tokens)} sockets open ({len(moved_tokens)} on the process to be killed)",
        flush=True,
    )

    sent = 0

    async def talk(until: float, phase: str) -> None:
        """`rate` messages a second, into the rooms in turn."""
        nonlocal sent
        n = 0
        interval = 1 / rate
        started = time.monotonic()
        while time.monotonic() < until:
            room_id, sender = senders[n % len(senders)]
            body = json.dumps({"t": time.time_ns(), "phase": phase, "n": n})
            frame = {"type": "message.send", "room": room_id, "body": body, "client_id": f"s{time.time_ns()}-{n}"}
            await sender.socket.send(json.dumps(frame))
            n += 1
            sent += 1
            delay = started + n * interval - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)

    # Acks come to the senders' readers, which ignore them: what every client has is checked
    # against the rooms' last seqs in the database at the end (missing_after).
    before_storm = time.monotonic() + seconds / 2
    await talk(before_storm, "before")
    quiet_latencies = [latency for client in stayed for latency in client.latencies]
    for client in stayed:
        client.latencies = []

    killed = time.monotonic()  # CLOCK_MONOTONIC: the same clock in the generator's other process
    pipe.send(killed)  # first, so that the returning clients are waiting for the close
    processes[0].kill()
    if profile:  # the survivor, from the kill until the storm's talking stops
        from bench.chat import start_profiler

        start_profiler(pids[1], seconds / 2, profile)
    await talk(killed + seconds / 2, "storm")
    came_back = await loop.run_in_executor(None, pipe.recv)
    storm_latencies = [latency for client in stayed for latency in client.latencies]
    await asyncio.sleep(grace)  # the last messages' live deliveries, and their acks
    acked: dict[int, set[int]] = {}
    for client in stayed:
        for room, seqs in client.acked.items():
            acked.setdefault(room, set()).update(seqs)
    # The returning clients' state, as it stands after the grace, then after their final sync.
    pipe.send("final")
    after_grace = []
    for start, have in await loop.run_in_executor(None, pipe.recv):
        shell = Client("", ports[1])
        shell.start, shell.have = start, have
        after_grace.append(shell)
    still_away = await _final_sync(stayed, readers, ports[1])
    final = await loop.run_in_executor(None, pipe.recv)
    returning.join(30)
    moved = []
    for start, have, synced, refusals in final["clients"]:
        shell = Client("", ports[1])
        shell.start, shell.have, shell.refusals = start, have, refusals
        if synced:
            shell.synced.set()
        moved.append(shell)
    clients = stayed + moved
    unseen = [client.unseen(acked) for client in clients]
    back = came_back["back"]
    return {
        "sent": sent,
        "acked": sum(len(seqs) for seqs in acked.values()),
        "refusals": sum(client.refusals for client in clients),
        "unseen_after_grace": sum(len(client.unseen(acked)) for client in stayed + after_grace),
        "not_synced": sum(not client.synced.is_set() for client in clients),
        "still_away": still_away + final["still_away"],
        "lost_pairs": sum(len(pairs) for pairs in unseen),
        "lost_messages": len(set().union(*unseen)),
        "lost_clients": sum(bool(pairs) for pairs in unseen),
        "moved": len(moved),
        "back": len(back),
        "last_back_s": max(back, default=float("nan")),
        "p50_back_s": percentile(back, 0.5),
        "quiet_p99": percentile(quiet_latencies, 0.99),
        "storm_p50": percentile(storm_latencies, 0.5),
        "storm_p99": percentile(storm_latencies, 0.99),
        "refused": sum(client.refused for client in stayed) + came_back["refused"],
        "clients": clients,
        "readers": readers,
    }


def missing_after(clients: list[Client], last_seqs: dict[int, int]) -> int:
    """How many clients lack a message of one of their rooms (a gap, or the end not reached)."""
    return sum(any(client.gap_free(room) < last_seqs[room] for room in client.start) for client in clients)


def run_storm(args, env: dict, rooms: list[tuple]) -> None:
    """Two processes, every socket of one of them coming back to the other at once (issue #12)."""
    from bench.chat import serving_many
    from chat.models import Room

    profile = str(Path(args.profile) / "storm.txt") if args.profile else ""
    with serving_many("hub", env, args.server, 2) as (ports, pids, processes):
        outcome = asyncio.run(
            _storm_and_close(ports, pids, processes, rooms, args.seconds, args.storm_rate, args.grace, profile)
        )
    last_seqs = dict(Room.objects.filter(pk__in=outcome["rooms"]).values_list("pk", "last_seq"))
    missing = missing_after(outcome["clients"], last_seqs)
    print(
        f"reconnect storm: {outcome['moved']} of {len(outcome['clients'])} sockets moved to the other process; "
        f"{outcome['back']} back and synced, the last after {outcome['last_back_s']:.1f} s "
        f"(half after {outcome['p50_back_s']:.1f} s); clients missing a message at the end: {missing}; "
        f"p99 of the people already there {outcome['quiet_p99']:.0f} ms before, "
        f"{outcome['storm_p99']:.0f} ms during (p50 {outcome['storm_p50']:.0f} ms); "
        f"{outcome['refused']} connections closed before hello (and made again)",
        flush=True,
    )
    print(
        f"  storm accounting: {outcome['sent']} sent, {outcome['acked']} acked to their senders "
        f"({outcome['refusals']} sends refused); {args.grace:g} s after the last send and return, "
        f"{outcome['unseen_after_grace']} (client, message) pairs not yet received; after one more "
        f"sync by every client ({outcome['still_away']} reconnected for it, {outcome['not_synced']} "
        f"without sync.done): lost {outcome['lost_messages']} messages, {outcome['lost_pairs']} "
        f"(client, message) pairs, {outcome['lost_clients']} clients short",
        flush=True,
    )


async def _storm_and_close(ports, pids, processes, rooms, seconds, rate, grace, profile) -> dict:
    outcome = await storm(ports, pids, processes, rooms, seconds, rate, grace, profile)
    all_rooms = {room for client in outcome["clients"] for room in client.start}
    await _close_all(outcome["clients"], outcome["readers"])
    return {**outcome, "rooms": all_rooms}
