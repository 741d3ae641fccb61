"""Simulated people of the capacity benchmark, driven by bench/capacity.py one JSON command a line.

    python -m bench._capacity_people --think 20     # then, on stdin:
    {"op": "add", "people": [{index, user, session, team, bureau, direct}, ...], "urls": ["http://10.1.2.11", ...],
     "sources": ["10.1.2.100", ...]}
        -> {"connected": n, "failed": n, "connect_ms": [...]}   (each person's socket open and hello come)
    {"op": "reset"}  -> {}                               (the measured window starts)
    {"op": "report"} -> {"requests": {kind: [ms, ...]}, "errors": {kind: n}, "deliveries": [ms, ...], ...}
    {"op": "stop"}   -> {}

Each person acts as someone at work in a browser tab: signed in (a session cookie), one socket, and
once per `--think` seconds on average (exponential gaps) one action, Mattermost's mix of 85 % posts:
  45 %  a reply in a thread of their team channel (a post of the channel when no thread is known yet)
  40 %  a post: 70 % their team channel (20 people), 15 % their bureau's (100), 15 % a direct room
   3 %  typing       3 %  marking their team channel read      2 %  setting their presence
   4 %  a page load (chats, home, people, meetings)              3 %  an API read (/api/v1/...)
People come from many addresses (`sources`, the person's index picks one), as from many homes
and offices: nginx's limits per client address apply to them as they would in production.
A request is an action the hub answers: a post (its ack), presence, a page or an API load; its time
is from sending to the answer. After one action in ten a `ping` is timed too: the floor (client,
nginx, the server's event loop) at the same moment, not counted as a request.
A delivery is a post reaching another member's socket.
"""

import argparse
import asyncio
import json
import random
import sys
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import requests
import websockets
from requests.adapters import HTTPAdapter

ANSWER_SECONDS = 30
BODIES = [
    "รบกวนตรวจเอกสารคำขอต่ออายุใบอนุญาตของผู้ยื่นรายนี้ด้วยครับ",
    "ได้รับแล้วค่ะ จะตรวจให้ภายในบ่ายนี้",
    "นัดประชุมคณะกรรมการพิจารณาวันพฤหัสบดีนี้ 10:00 น. **ห้องประชุมออนไลน์**",
    "ขอบคุณครับ",
    "ผู้ยื่นส่งหลักฐานการศึกษาเพิ่มเติมมาแล้ว ดูได้ในระบบใบอนุญาต",
    "Please check the renewal case before the committee meets; the transcript is attached in the licensing system.",
    "รับทราบ 👍",
]
PAGES = ["/chats/{team}/", "/", "/people/", "/meetings/"]
APIS = ["/api/v1/rooms", "/api/v1/rooms/{team}/messages?limit=50", "/api/v1/people?q=บุคลากร"]


class FromAddress(HTTPAdapter):
    """HTTP from one source address of the client host."""

    def __init__(self, address: str):
        self.address = address
        super().__init__(pool_maxsize=1)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class Stats:
    def __init__(self):
        self.reset()

    def reset(self) -> None:
        self.requests: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.deliveries: list[float] = []
        self.actions = 0
        self.since = time.monotonic()

    def report(self) -> dict:
        return {
            "requests": {kind: [round(ms, 2) for ms in values] for kind, values in self.requests.items()},
            "errors": dict(self.errors),
            "deliveries": [round(ms, 1) for ms in self.deliveries],
            "actions": self.actions,
            "seconds": time.monotonic() - self.since,
        }


class Person:
    def __init__(self, spec: dict, url: str, source: str, stats: Stats, think: float, http: ThreadPoolExecutor):
        self.spec, self.url, self.source, self.stats, self.think, self.http = spec, url, source, stats, think, http
        self.cookie = f"sessionid={spec['session']}"
        self.session = requests.Session()
        self.session.mount("http://", FromAddress(source))
        self.session.headers["Cookie"] = self.cookie
        self.socket = None
        self.pending: dict[str, tuple[asyncio.Future, float, str]] = {}
        self.threads: list[int] = []  # ids of recent posts of the team channel, to reply to
        self.team_seq = 0
        self.tasks: list[asyncio.Task] = []
        self.stopping = False

    async def connect(self) -> float:
        started = time.monotonic()
        self.socket = await websockets.connect(
            self.url.replace("http://", "ws://") + "/ws/",
            additional_headers={"Cookie": self.cookie, "Origin": self.url},
            open_timeout=ANSWER_SECONDS,
            max_size=2**22,
            local_addr=(self.source, 0),
        )
        while True:
            frame = json.loads(await asyncio.wait_for(self.socket.recv(), ANSWER_SECONDS))
            if frame["type"] == "hello":
                break
        for room in frame["rooms"]:
            if room["id"] == self.spec["team"]:
                self.team_seq = room["last_seq"]
        return (time.monotonic() - started) * 1000

    def start(self) -> None:
        self.tasks = [asyncio.create_task(self.read()), asyncio.create_task(self.act())]

    async def read(self) -> None:
        while not self.stopping:
            try:
                async for raw in self.socket:
                    self.on_frame(json.loads(raw))
            except websockets.ConnectionClosed:
                pass
            if self.stopping:
                return
            self.stats.errors[f"socket closed {self.socket.close_code}"] += 1
            for future, _started, _kind in self.pending.values():
                if not future.done():
                    future.set_result({"type": "error", "code": "closed"})
            while not self.stopping:  # as the browser does: again, a moment later
                await asyncio.sleep(random.uniform(1, 3))
                try:
                    await self.connect()
                    break
                except (OSError, TimeoutError, websockets.WebSocketException):
                    self.stats.errors["connect"] += 1

    def on_frame(self, frame: dict) -> None:
        kind = frame.get("type")
        if kind == "message.new":
            message = frame["message"]
            if message["room"] == self.spec["team"]:
                self.team_seq = max(self.team_seq, message["seq"])
                if not message.get("thread"):
                    self.threads = [*self.threads[-4:], message["id"]]
            if message.get("author", {}).get("id") != self.spec["user"] and "⏱" in message["body"]:
                sent = float(message["body"].rsplit("⏱", 1)[1])
                self.stats.deliveries.append((time.time() - sent) * 1000)
            return
        key = frame.get("client_id") or frame.get("ref")
        if key and key in self.pending:
            future = self.pending.pop(key)[0]
            if not future.done():
                future.set_result(frame)
        elif kind == "error":
            self.stats.errors[f"error {frame.get('code')}"] += 1

    async def ask(self, kind: str, frame: dict, key: str) -> None:
        """Send a frame the hub answers; its time from sending to the answer is a request's."""
        future = asyncio.get_running_loop().create_future()
        started = time.monotonic()
        self.pending[key] = (future, started, kind)
        try:
            await self.socket.send(json.dumps(frame, ensure_ascii=False))
            answer = await asyncio.wait_for(future, ANSWER_SECONDS)
        except (TimeoutError, websockets.ConnectionClosed):
            self.pending.pop(key, None)
            self.stats.errors[f"{kind} unanswered"] += 1
            return
        if answer.get("type") == "error":
            self.stats.errors[f"{kind} {answer.get('code')}"] += 1
        else:
            self.stats.requests[kind].append((time.monotonic() - started) * 1000)

    async def post(self, room: int, thread: int | None = None) -> None:
        client_id = str(uuid.uuid4())
        body = f"{random.choice(BODIES)} ⏱{time.time():.4f}"
        frame = {"type": "message.send", "room": room, "body": body, "client_id": client_id}
        if thread:
            frame["thread"] = thread
        await self.ask("reply" if thread else "post", frame, client_id)

    async def load(self, kind: str, path: str) -> None:
        def get() -> tuple[float, int]:
            started = time.monotonic()
            try:
                response = self.session.get(self.url + path, timeout=ANSWER_SECONDS, allow_redirects=False)
                response.content  # noqa: B018  (the whole body, as a browser reads it)
                return (time.monotonic() - started) * 1000, response.status_code
            except requests.RequestException:
                return (time.monotonic() - started) * 1000, 0

        ms, status = await asyncio.get_running_loop().run_in_executor(self.http, get)
        if status == 200:
            self.stats.requests[kind].append(ms)
        else:
            self.stats.errors[f"{kind} {status or 'failed'}"] += 1

    async def act(self) -> None:
        spec = self.spec
        await asyncio.sleep(random.uniform(0, self.think))
        while not self.stopping:
            roll = random.random() * 100
            self.stats.actions += 1
            try:
                if roll < 45:
                    thread = random.choice(self.threads) if self.threads else None
                    await self.post(spec["team"], thread)
                elif roll < 85:
                    where = random.random()
                    await self.post(spec["team"] if where < 0.7 else spec["bureau"] if where < 0.85 else spec["direct"])
                elif roll < 88:
                    await self.socket.send(json.dumps({"type": "typing", "room": spec["team"]}))
                elif roll < 91:
                    await self.socket.send(json.dumps({"type": "read", "room": spec["team"], "seq": self.team_seq}))
                elif roll < 93:
                    ref = uuid.uuid4().hex
                    status = random.choice(["available", "busy", "auto"])
                    await self.ask("presence", {"type": "presence.set", "status": status, "ref": ref}, ref)
                elif roll < 97:
                    await self.load("page", random.choice(PAGES).format(**spec))
                else:
                    await self.load("api", random.choice(APIS).format(**spec))
                if random.random() < 0.1:  # the floor, at the same moment: a ping the event loop answers
                    ref = uuid.uuid4().hex
                    await self.ask("ping", {"type": "ping", "ref": ref}, ref)
            except websockets.ConnectionClosed:
                pass  # the reader counts it and reconnects
            await asyncio.sleep(random.expovariate(1 / self.think))

    async def stop(self) -> None:
        self.stopping = True
        for task in self.tasks:
            task.cancel()
        if self.socket is not None:
            await self.socket.close()


async def open_person(person: Person, at_once: asyncio.Semaphore) -> float | str:
    """Milliseconds until the person's hello came, or why the socket could not be opened."""
    async with at_once:
        try:
            ms = await person.connect()
        except (OSError, TimeoutError, websockets.WebSocketException, KeyError) as problem:
            code = getattr(getattr(problem, "rcvd", None), "code", None) or getattr(problem, "response", None)
            return f"{type(problem).__name__} {getattr(code, 'status_code', code) or ''}".strip()
        person.start()
        return ms


async def main(think: float) -> None:
    stats, people = Stats(), []
    http = ThreadPoolExecutor(max_workers=48)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=2**28)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    def answer(value: dict) -> None:
        sys.stdout.write(json.dumps(value) + "\n")
        sys.stdout.flush()

    while line := await reader.readline():
        command = json.loads(line)
        if command["op"] == "add":
            urls, sources = command["urls"], command["sources"]
            at_once = asyncio.Semaphore(command.get("at_once", 50))
            added = [
                Person(spec, urls[spec["index"] % len(urls)], sources[spec["index"] % len(sources)], stats, think, http)
                for spec in command["people"]
            ]
            opened = await asyncio.gather(*(open_person(person, at_once) for person in added))
            times = [ms for ms in opened if isinstance(ms, float)]
            why = defaultdict(int)
            for reason in opened:
                if isinstance(reason, str):
                    why[reason] += 1
            answer(
                {
                    "connected": len(times),
                    "failed": len(opened) - len(times),
                    "connect_ms": [round(ms, 1) for ms in times],
                    "why": why,
                }
            )
            people += added
        elif command["op"] == "reset":
            stats.reset()
            answer({})
        elif command["op"] == "report":
            answer(stats.report())
        elif command["op"] == "stop":
            await asyncio.gather(*(person.stop() for person in people), return_exceptions=True)
            answer({})
            return


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--think", type=float, default=20.0, help="mean seconds between a person's actions")
    import uvloop

    uvloop.run(main(parser.parse_args().think))
