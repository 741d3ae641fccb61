"""Chat fan-out: end-to-end latency, loss and server CPU of the hub against two baselines, one run."""

import argparse
import asyncio
import contextlib
import importlib
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hub import serve  # noqa: E402  (after the path is set)

TICKS = os.sysconf("SC_CLK_TCK")


IDLE_SECONDS = 5


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else float("nan")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def loop_cpu_seconds(pid: int) -> float:
    """CPU of the process's main thread, which runs the event loop (sockets, fan-out); the rest of
    the process's CPU is its other threads' (the database thread above all)."""
    fields = Path(f"/proc/{pid}/task/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def total_cpu(pids: list[int], of) -> float:
    return sum(of(pid) for pid in pids)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


# --- The hub's database: users, tokens and rooms made once --------------------------------------


def prepare_hub(database_url: str, users: int, room_sizes: list[int], total_sockets: int) -> tuple[dict, tuple]:
    """The rooms by size, [(room id, [token of each member])], and the flooder (room id, token)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from chat.models import Room
    from chat.services import add_members, create_room
    from hub.models import ApiToken
    from hub.tokens import issue_token

    call_command("migrate", verbosity=0)
    User = get_user_model()
    existing = {u.username: u for u in User.objects.filter(username__startswith="bench-")}
    people = [existing.get(f"bench-{n}") or User.objects.create(username=f"bench-{n}") for n in range(users)]
    ApiToken.objects.filter(user__username__startswith="bench-").delete()
    token_of = {user.pk: issue_token(user, "bench") for user in people}
    rooms = {}
    for size in room_sizes:
        count = max(1, total_sockets // size)
        rooms[size] = []
        for index in range(count):
            name = f"bench {size}×{index}"
            room = Room.objects.filter(name=name).first()
            if room is None:
                members = people[index * size % users : index * size % users + size] or people[:size]
                room = create_room(kind=Room.Kind.PRIVATE, name=name, owner=members[0], members=members)
            member_ids = room.memberships.values_list("user_id", flat=True)
            rooms[size].append((room.pk, [token_of[user_id] for user_id in member_ids if user_id in token_of]))
    # One more person in the first room of 50, who floods it in the --flood run.
    flooder, _new = User.objects.get_or_create(username="bench-flooder")
    flood_room = Room.objects.get(pk=rooms[50][0][0])
    add_members(flood_room, [flooder])
    return rooms, (flood_room.pk, issue_token(flooder, "bench"))


# --- One measured run --------------------------------------------------------------------------


async def run(
    target: str,
    port: int,
    pid: int,
    rooms: list[tuple],
    rate: float,
    seconds: float,
    grace: float,
    flood=None,
    profile: str = "",
) -> dict:
    """rooms: [(room key, [token per member])]; rate: deliveries per second wanted. port and pid
    may be lists (several server processes): the sockets are spread over them in turn.

    flood: (room key, token) of one more client that sends as fast as it can meanwhile; its
    deliveries are not counted, only what it does to everyone else's.
    """
    import websockets

    ports, pids = (port if isinstance(port, list) else [port]), (pid if isinstance(pid, list) else [pid])
    members_per_room = len(rooms[0][1])
    messages_per_second = rate / members_per_room
    latencies, seen, duplicates = [], set(), 0
    last_delivery = time.monotonic()
    sockets = []

    async def reader(socket, who):
        nonlocal duplicates, last_delivery
        async for frame in socket:
            data = json.loads(frame)
            if target == "hub":
                if data.get("type") != "message.new":
                    continue
                data = json.loads(data["message"]["body"])
                if "flood" in data:
                    continue
            last_delivery = time.monotonic()
            key = (who, data["k"])
            if key in seen:
                duplicates += 1
                continue
            seen.add(key)
            latencies.append((time.time_ns() - data["t"]) / 1e6)

    for room_key, tokens in rooms:
        for token in tokens:
            port = ports[len(sockets) % len(ports)]
            if target == "hub":
                socket = await websockets.connect(
                    f"ws://127.0.0.1:{port}/ws/",
                    max_size=2**22,
                    additional_headers={"Authorization": f"Bearer {token}"},
                )
                while json.loads(await socket.recv())["type"] != "hello":
                    pass
            else:
                socket = await websockets.connect(f"ws://127.0.0.1:{port}/ws/?room={room_key}", max_size=2**22)
            sockets.append((room_key, socket))
    readers = [asyncio.create_task(reader(socket, index)) for index, (_room, socket) in enumerate(sockets)]
    by_room = {}
    for room_key, socket in sockets:
        by_room.setdefault(room_key, []).append(socket)
    senders = [(room_key, socket) for room_key, group in by_room.items() for socket in group]
    await asyncio.sleep(1)
    # What the server spends with these sockets open and nobody sending (pings, heartbeats,
    # probes, and on a server that served the phase before, what that phase left to do).
    idle_before, idle_started = total_cpu(pids, cpu_seconds), time.monotonic()
    await asyncio.sleep(IDLE_SECONDS)
    idle_per_second = (total_cpu(pids, cpu_seconds) - idle_before) / (time.monotonic() - idle_started)
    flood_counts = {"frames": 0, "refused": 0, "acked": 0, "connections": 0} if flood else None
    flooding = asyncio.create_task(_flood(port, *flood, flood_counts)) if flood else None

    profiler = start_profiler(pids[0], seconds, profile) if profile else None
    cpu_before, loop_before, started = total_cpu(pids, cpu_seconds), total_cpu(pids, loop_cpu_seconds), time.monotonic()
    sent, interval = 0, 1 / messages_per_second
    while time.monotonic() - started < seconds:
        room_key, socket = senders[sent % len(senders)]
        body = json.dumps({"k": sent, "t": time.time_ns()})
        frame = (
            body
            if target != "hub"
            else json.dumps(
                {"type": "message.send", "room": room_key, "body": body, "client_id": f"b{time.time_ns()}-{sent}"}
            )
        )
        await socket.send(frame)
        sent += 1
        delay = started + sent * interval - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
    send_seconds = time.monotonic() - started
    if flooding:
        flooding.cancel()
    # Late is not lost: wait until deliveries stop (an overloaded server catches up), then count.
    while time.monotonic() - max(last_delivery, started + send_seconds) < grace:
        await asyncio.sleep(0.2)
    cpu, loop_cpu = total_cpu(pids, cpu_seconds) - cpu_before, total_cpu(pids, loop_cpu_seconds) - loop_before
    if profiler is not None:
        profiler.wait()
    for task in readers:
        task.cancel()
    for _room, socket in sockets:
        await socket.close()
    expected = sent * members_per_room
    delivered = len(seen)
    return {
        "sent": sent,
        "expected": expected,
        "delivered": delivered,
        "lost": expected - delivered,
        "duplicates": duplicates,
        "rate": delivered / send_seconds,
        "p50": percentile(latencies, 0.5),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        # ms per delivery is also s per 1,000 deliveries.
        "cpu_ms_per_delivery": cpu * 1000 / max(delivered, 1),
        "cpu_ms_per_send": cpu * 1000 / max(sent, 1),
        "other_threads_ms_per_send": (cpu - loop_cpu) * 1000 / max(sent, 1),
        "idle_ms_per_second": idle_per_second * 1000,
        "flood": flood_counts,
    }


def start_profiler(pid: int, seconds: float, path: str) -> subprocess.Popen:
    """py-spy on the server process over the send phase (--profile): the stacks that hold the GIL
    (CPU in Python) in py-spy's raw format, one line per stack with its count of samples."""
    py_spy = os.environ.get("PY_SPY", "py-spy")
    command = [py_spy, "record", "-p", str(pid), "-d", str(max(1, int(seconds))), "-r", "100", "--gil", "-f", "raw"]
    return subprocess.Popen([*command, "-o", path], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


async def _flood(port: int, room_key, token: str, counts: dict) -> None:
    """One client sending message.send frames as fast as its socket takes them; when the server
    cuts it off, it reconnects at once and goes on. What it sent and heard goes into `counts`."""
    import websockets

    async def answers(socket):
        async for frame in socket:
            kind = json.loads(frame).get("type")
            if kind == "ack":
                counts["acked"] += 1
            elif kind == "error":
                counts["refused"] += 1

    while True:
        try:
            async with websockets.connect(
                f"ws://127.0.0.1:{port}/ws/", additional_headers={"Authorization": f"Bearer {token}"}, max_size=2**22
            ) as socket:
                counts["connections"] += 1
                listening = asyncio.create_task(answers(socket))
                try:
                    while True:
                        n = counts["frames"]
                        body = json.dumps({"flood": n})
                        await socket.send(
                            json.dumps({"type": "message.send", "room": room_key, "body": body, "client_id": f"f{n}"})
                        )
                        counts["frames"] += 1
                        if n % 50 == 0:
                            await asyncio.sleep(0)  # let the answers in
                finally:
                    listening.cancel()
        except (OSError, websockets.WebSocketException):
            continue


def start(target: str, port: int, env: dict, server: str) -> subprocess.Popen:
    python = sys.executable
    if target == "raw":
        command = [python, "-m", "bench.servers", str(port)]
    else:
        app = "bench.bare_asgi:application" if target == "bare" else "hub.asgi:application"
        command = serve.command("127.0.0.1", port, app, server)
    log = open(env["BENCH_SERVER_LOG"], "a") if env.get("BENCH_SERVER_LOG") else subprocess.DEVNULL
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


async def idle_memory(port: int, pid: int, tokens: list[str], count: int) -> tuple[float, float]:
    import websockets

    before = rss_mib(pid)
    sockets = []
    started = time.monotonic()
    for index in range(count):
        socket = await websockets.connect(
            f"ws://127.0.0.1:{port}/ws/",
            additional_headers={"Authorization": f"Bearer {tokens[index % len(tokens)]}"},
            open_timeout=60,
        )
        await socket.recv()
        sockets.append(socket)
        if (index + 1) % 2000 == 0:
            print(f"  {index + 1} idle sockets open after {time.monotonic() - started:.0f} s", flush=True)
    await asyncio.sleep(2)
    after = rss_mib(pid)
    for socket in sockets:
        await socket.close()
    return (after - before) * 1024 / count, after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10,50,500", help="room sizes to measure the hub with")
    parser.add_argument("--rate", type=float, default=2500, help="deliveries per second")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--grace", type=float, default=3, help="seconds to wait for late deliveries")
    parser.add_argument("--sockets", type=int, default=500, help="connected clients in each run")
    parser.add_argument("--layer", default="pubsub", choices=["pubsub", "core"])
    parser.add_argument("--server", default="uvicorn", choices=serve.SERVERS)
    parser.add_argument("--idle", type=int, default=2000, help="idle sockets for the memory figure (0: skip)")
    parser.add_argument("--flood", action="store_true", help="also: rooms of 50 while one client floods")
    parser.add_argument("--ramp", default="", help="also: these rates (comma-separated), bare and hub, rooms of 50")
    parser.add_argument("--connect", type=int, default=500, help="also: open this many sockets, bare and hub (0: skip)")
    parser.add_argument("--connect-at-once", type=int, default=50, help="sockets opening at a time in --connect")
    parser.add_argument(
        "--send-ramp", default="", help="also: these sends/s into rooms of 10, hub on one and on two processes"
    )
    parser.add_argument(
        "--storm", type=int, default=0, help="also: this many sockets on two processes, one killed (0: skip)"
    )
    parser.add_argument("--storm-rate", type=float, default=100, help="sends/s over all rooms during --storm")
    parser.add_argument(
        "--baselines", default="raw,bare", help="baselines measured first (comma-separated; empty: none)"
    )
    parser.add_argument(
        "--profile", default="", help="a folder: py-spy records the hub in each send phase and the survivor in --storm"
    )
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ksp_bench")
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # thousands of sockets, in and out

    from bench.directory_search import ensure_database

    ensure_database(args.database_url)
    sizes = [int(size) for size in args.sizes.split(",")]
    people = max([*sizes, args.sockets, args.storm])
    room_sizes = sorted({*sizes, 50, *([10] if args.send_ramp or args.storm else [])})
    rooms, flooder = prepare_hub(args.database_url, people, room_sizes, people)

    def rooms_for(target: str, size: int) -> list[tuple]:
        if target == "hub":
            return rooms[size][: max(1, args.sockets // size)]
        return [(index, [None] * size) for index in range(max(1, args.sockets // size))]

    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "CHANNEL_LAYER": args.layer,
        "CHANNELS_PREFIX": f"bench{os.getpid()}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "hub.settings",
        "DATABASE_POOL_SIZE": "20",
        # Every client of the bench comes from 127.0.0.1, as every client does from behind a proxy.
        "MAX_CONNECTIONS_PER_ADDRESS": "0",
    }
    print(
        f"machine: {platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
        f"server {args.server} · layer {args.layer} · {args.rate:g} deliveries/s for {args.seconds:g} s · "
        f"{args.sockets} sockets; load generator in the same machine, one clock"
    )
    print(
        f"{'target':<28} {'sent':>6} {'deliv/s':>8} {'lost':>6} {'dup':>4} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'CPU ms/deliv':>12} {'CPU ms/send':>11} {'not loop':>8} {'idle ms/s':>9}"
    )

    baselines = {"raw": ("raw websockets (ceiling)", 50), "bare": ("bare Channels broadcast", 50)}
    plan = [(target, *baselines[target]) for target in args.baselines.split(",") if target]
    plan += [("hub", f"hub, rooms of {size}", size) for size in sizes]
    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
    for target, label, size in plan:
        with serving(target, env, args.server) as (port, pid):
            profile = str(Path(args.profile) / f"{target}-{size}.txt") if args.profile and target == "hub" else ""
            result = asyncio.run(
                run(target, port, pid, rooms_for(target, size), args.rate, args.seconds, args.grace, profile=profile)
            )
            print(row(label, result), flush=True)
            if target == "hub" and size == sizes[-1] and args.idle:
                tokens = [token for _room, members in rooms[size] for token in members]
                per, total = asyncio.run(idle_memory(port, pid, tokens, args.idle))
                print(
                    f"hub: {per:.1f} KiB per idle connection; {total:.0f} MiB for the process with "
                    f"{args.idle} idle sockets (→ {per * 10_000 / 1024 / 1024:.2f} GiB for 10,000)",
                    flush=True,
                )
    if args.connect:
        scale = importlib.import_module("bench._chat_scale")
        tokens = [token for _room, members in rooms[50] for token in members]
        for target, label in (("bare", "bare Channels"), ("hub", "hub")):
            with serving(target, env, args.server) as (port, pid):
                opened = asyncio.run(scale.open_sockets(target, port, pid, tokens, args.connect, args.connect_at_once))
            print(
                f"opening {opened['count']} sockets {args.connect_at_once} at a time, {label}: "
                f"{opened['seconds']:.2f} s ({opened['rate']:,.0f}/s), "
                f"{opened['cpu_ms_per_connect']:.2f} ms of server CPU each; "
                f"{opened['refused']} closed before hello (and made again)",
                flush=True,
            )
    if args.send_ramp:
        # The highest send rate held into rooms of 10 (p99 < 500 ms, nothing lost) by one and two processes.
        rates = [float(rate) for rate in args.send_ramp.split(",")]
        for count in (1, 2):
            held = 0.0
            with serving_many("hub", env, args.server, count) as (ports, pids, _processes):
                for sends in rates:
                    result = asyncio.run(
                        run("hub", ports, pids, rooms_for("hub", 10), sends * 10, args.seconds, args.grace)
                    )
                    print(row(f"hub ×{count}, rooms of 10 @ {sends:g} sends/s", result), flush=True)
                    if result["p99"] >= 500 or result["lost"] or result["duplicates"]:
                        break
                    held = sends
            print(
                f"highest rate held (p99 < 500 ms, nothing lost), rooms of 10, {count} process(es): "
                f"{held:g} sends/s ({held * 10:g} deliveries/s)",
                flush=True,
            )
    if args.storm:
        importlib.import_module("bench._chat_scale").run_storm(args, env, rooms[10][: args.storm // 10])
    if args.flood:
        # The same load as "hub, rooms of 50", with one more client flooding one of the rooms.
        with serving("hub", env, args.server) as (port, pid):
            result = asyncio.run(run("hub", port, pid, rooms[50], args.rate, args.seconds, args.grace, flood=flooder))
            print(row("hub, rooms of 50 + a flood", result), flush=True)
            counts = result["flood"]
            print(
                f"  the flooder sent {counts['frames']:,} frames over {counts['connections']} connections in "
                f"{args.seconds:g} s: {counts['acked']} stored, {counts['refused']} refused with an error, "
                "the rest dropped unanswered",
                flush=True,
            )
    if args.ramp:
        # The highest rate each holds with p99 under 500 ms and nothing lost, rooms of 50.
        rates = [float(rate) for rate in args.ramp.split(",")]
        held = {}
        for target, label in (("bare", "bare Channels broadcast"), ("hub", "hub")):
            held[target] = 0.0
            with serving(target, env, args.server) as (port, pid):
                for rate in rates:
                    result = asyncio.run(run(target, port, pid, rooms_for(target, 50), rate, args.seconds, args.grace))
                    print(row(f"{label} @ {rate:g}/s", result), flush=True)
                    if result["p99"] >= 500 or result["lost"] or result["duplicates"]:
                        break
                    held[target] = rate
        share = held["hub"] / held["bare"] if held["bare"] else float("nan")
        print(
            f"highest rate held (p99 < 500 ms, nothing lost), rooms of 50: bare {held['bare']:g}/s, "
            f"hub {held['hub']:g}/s ({share:.0%} of bare)",
            flush=True,
        )
    print(
        f"lost: never delivered (counted once nothing has arrived for {args.grace:g} s after the last send). "
        "CPU: the server process's user+system time over the send phase and that wait, per delivery "
        "(ms per delivery = s per 1,000 deliveries). idle: its CPU a second with the same sockets open "
        f"and nobody sending, measured for {IDLE_SECONDS:g} s before the sends"
    )


def row(label: str, result: dict) -> str:
    return (
        f"{label:<28} {result['sent']:>6} {result['rate']:>8.0f} {result['lost']:>6} "
        f"{result['duplicates']:>4} {result['p50']:>8.1f} {result['p95']:>8.1f} {result['p99']:>8.1f} "
        f"{result['cpu_ms_per_delivery']:>12.3f} {result['cpu_ms_per_send']:>11.2f} "
        f"{result['other_threads_ms_per_send']:>8.2f} {result['idle_ms_per_second']:>9.1f}"
    )


@contextlib.contextmanager
def serving(target: str, env: dict, server: str):
    with serving_many(target, env, server, 1) as (ports, pids, _processes):
        yield ports[0], pids[0]


@contextlib.contextmanager
def serving_many(target: str, env: dict, server: str, count: int):
    """`count` server processes side by side, each on a port of its own (as behind a proxy)."""
    ports = [free_port() for _ in range(count)]
    processes = [start(target, port, env, server) for port in ports]
    try:
        for port in ports:
            asyncio.run(wait_for_port(port))
        time.sleep(1)
        yield ports, [process.pid for process in processes], processes
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


if __name__ == "__main__":
    main()
