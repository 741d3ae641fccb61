"""Chat fan-out: end-to-end latency, loss and server CPU of the hub against two baselines, one run."""

import argparse
import asyncio
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

TICKS = os.sysconf("SC_CLK_TCK")


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else float("nan")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


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


def prepare_hub(database_url: str, users: int, room_sizes: list[int], total_sockets: int) -> dict:
    os.environ["DATABASE_URL"] = database_url
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from chat.models import Room
    from chat.services import create_room
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
            rooms[size].append((room.pk, [token_of[user_id] for user_id in member_ids]))
    return rooms


# --- One measured run --------------------------------------------------------------------------


async def run(target: str, port: int, pid: int, rooms: list[tuple], rate: float, seconds: float, grace: float) -> dict:
    """rooms: [(room key, [token per member])]; rate: deliveries per second wanted."""
    import websockets

    members_per_room = len(rooms[0][1])
    messages_per_second = rate / members_per_room
    latencies, seen, duplicates = [], set(), 0
    sockets = []

    async def reader(socket, who):
        nonlocal duplicates
        async for frame in socket:
            data = json.loads(frame)
            if target == "hub":
                if data.get("type") != "message.new":
                    continue
                data = json.loads(data["message"]["body"])
            key = (who, data["k"])
            if key in seen:
                duplicates += 1
                continue
            seen.add(key)
            latencies.append((time.time_ns() - data["t"]) / 1e6)

    for room_key, tokens in rooms:
        for token in tokens:
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

    cpu_before, started = cpu_seconds(pid), time.monotonic()
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
    await asyncio.sleep(grace)  # let the last deliveries land; what has not by then counts as lost
    cpu = cpu_seconds(pid) - cpu_before
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
    }


def start(target: str, port: int, env: dict, server: str) -> subprocess.Popen:
    python = sys.executable
    if target == "raw":
        command = [python, "-m", "bench.servers", str(port)]
    else:
        app = "bench.bare_asgi:application" if target == "bare" else "hub.asgi:application"
        command = (
            [python, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), app]
            if server == "daphne"
            else [
                python,
                "-m",
                "uvicorn",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--ws",
                "websockets",
                app,
            ]
        )
    log = open(env["BENCH_SERVER_LOG"], "a") if env.get("BENCH_SERVER_LOG") else subprocess.DEVNULL
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


async def idle_memory(port: int, pid: int, tokens: list[str], count: int) -> float:
    import websockets

    before = rss_mib(pid)
    sockets = []
    for index in range(count):
        socket = await websockets.connect(
            f"ws://127.0.0.1:{port}/ws/", additional_headers={"Authorization": f"Bearer {tokens[index % len(tokens)]}"}
        )
        await socket.recv()
        sockets.append(socket)
    await asyncio.sleep(2)
    after = rss_mib(pid)
    for socket in sockets:
        await socket.close()
    return (after - before) * 1024 / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10,50,500", help="room sizes to measure the hub with")
    parser.add_argument("--rate", type=float, default=2500, help="deliveries per second")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--grace", type=float, default=3, help="seconds to wait for late deliveries")
    parser.add_argument("--sockets", type=int, default=500, help="connected clients in each run")
    parser.add_argument("--layer", default="pubsub", choices=["pubsub", "core"])
    parser.add_argument("--server", default="daphne", choices=["daphne", "uvicorn"])
    parser.add_argument("--idle", type=int, default=2000, help="idle sockets for the memory figure (0: skip)")
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
    rooms = prepare_hub(args.database_url, max([*sizes, args.sockets]), sorted({*sizes, 50}), args.sockets)
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "CHANNEL_LAYER": args.layer,
        "CHANNELS_PREFIX": f"bench{os.getpid()}",
        "CHAT_SEND_LIMIT": "1000000",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "hub.settings",
        "DATABASE_POOL_SIZE": "20",
    }
    print(
        f"machine: {platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
        f"server {args.server} · layer {args.layer} · {args.rate:g} deliveries/s for {args.seconds:g} s · "
        f"{args.sockets} sockets; load generator in the same machine, one clock"
    )
    print(
        f"{'target':<28} {'sent':>6} {'deliv/s':>8} {'lost':>6} {'dup':>4} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'CPU ms/deliv':>12}"
    )

    plan = [("raw", "raw websockets (ceiling)", 50), ("bare", "bare Channels broadcast", 50)]
    plan += [("hub", f"hub, rooms of {size}", size) for size in sizes]
    for target, label, size in plan:
        port = free_port()
        process = start(target, port, env, args.server)
        try:
            asyncio.run(wait_for_port(port))
            time.sleep(1)
            if target == "hub":
                room_list = rooms[size]
            else:
                count = max(1, args.sockets // size)
                room_list = [(index, [None] * size) for index in range(count)]
            result = asyncio.run(run(target, port, process.pid, room_list, args.rate, args.seconds, args.grace))
            print(
                f"{label:<28} {result['sent']:>6} {result['rate']:>8.0f} {result['lost']:>6} "
                f"{result['duplicates']:>4} {result['p50']:>8.1f} {result['p95']:>8.1f} {result['p99']:>8.1f} "
                f"{result['cpu_ms_per_delivery']:>12.3f}",
                flush=True,
            )
            if target == "hub" and size == sizes[-1] and args.idle:
                tokens = [token for _room, members in rooms[size] for token in members]
                per = asyncio.run(idle_memory(port, process.pid, tokens, args.idle))
                print(
                    f"hub: {per:.1f} KiB per idle connection ({args.idle} sockets) → "
                    f"{per * 10_000 / 1024 / 1024:.2f} GiB for 10,000"
                )
        finally:
            process.terminate()
            process.wait(10)
    print(
        f"lost: not delivered within {args.grace:g} s after the last send. CPU: the server process's user+system"
        " time over the send phase and that wait, per delivery (ms per delivery = s per 1,000 deliveries)"
    )


if __name__ == "__main__":
    main()
