"""People's clients on the client host of a multi-host test, driven by the test one command at a time.

    python -m tests.multihost.agent       # reads one JSON command a line, answers one JSON line

Each person's socket behaves as the browser's does (docs/protocol.md): it connects to the first
of its hosts that answers (a client-side failover between the hosts' addresses, as DNS round robin
gives a browser), and after every `hello` it syncs its room from the last seq it has with no gap
before it and sends its outbox again. Commands:

    {"op": "person", "name": "somchai", "urls": [A, B], "room": 7}   -> {"connected_to": A}
    {"op": "send", "name": ..., "body": ...}        -> {"ack": {...}} or {"error": {...}} (30 s at most)
    {"op": "state", "name": ...}                    -> what the person's client holds
    {"op": "wait_body", "name": ..., "body": ..., "seconds": 30}  -> {"found": true|false}
    {"op": "http", "method": "GET", "url": ..., "name"?: ..., "data"?: ..., "headers"?: {}}
    {"op": "http_all", "requests": [{...as http}, ...]}  -> {"answers": [...]}, sent at once
"""

import asyncio
import json
import sys
import uuid

import requests
import websockets

from tests.multihost.client import log_in


class Person:
    def __init__(self, name: str, urls: list[str], room: int):
        self.name, self.urls, self.room = name, urls, room
        self.session = None
        self.socket = None
        self.connected_to = None
        self.hellos: list[str] = []
        self.closes: list[int | None] = []
        self.messages: dict[int, dict] = {}  # seq -> message, of self.room
        self.outbox: dict[str, dict] = {}  # client_id -> frame, until acked
        self.notifications: list[dict] = []
        self.answers: dict[str, asyncio.Future] = {}
        self.connected = asyncio.Event()

    def last_seq(self) -> int:
        seq = 0
        while seq + 1 in self.messages:
            seq += 1
        return seq

    def log_in(self) -> None:
        for url in self.urls:
            try:
                self.session = log_in(url, self.name)
                return
            except (requests.RequestException, SystemExit):
                continue
        raise RuntimeError(f"{self.name} could not log in anywhere")

    async def run(self) -> None:
        """Connect, read, and on any close connect again: to the same host first, then the others."""
        turn = 0
        while True:
            url = self.urls[turn % len(self.urls)]
            cookie = "; ".join(f"{key}={value}" for key, value in self.session.cookies.items())
            try:
                async with websockets.connect(
                    url.replace("http://", "ws://") + "/ws/",
                    additional_headers={"Cookie": cookie, "Origin": url},
                    open_timeout=5,
                ) as socket:
                    await self._serve(socket, url)
                self.closes.append(socket.close_code)
            except (TimeoutError, OSError, websockets.WebSocketException) as problem:
                code = getattr(getattr(problem, "rcvd", None), "code", None)
                self.closes.append(code)
                if code is None:  # refused or unreachable: the next host
                    turn += 1
            self.connected.clear()
            self.socket = None
            await asyncio.sleep(0.3)

    async def _serve(self, socket, url: str) -> None:
        async for text in socket:
            frame = json.loads(text)
            kind = frame.get("type")
            if kind == "hello":
                self.socket, self.connected_to = socket, url
                self.hellos.append(url)
                await socket.send(json.dumps({"type": "sync", "rooms": {str(self.room): self.last_seq()}}))
                for pending in list(self.outbox.values()):
                    await socket.send(json.dumps(pending))
                self.connected.set()
            elif kind == "message.new" and frame["message"]["room"] == self.room:
                self.messages[frame["message"]["seq"]] = frame["message"]
            elif kind == "notification":
                self.notifications.append(frame)
            elif kind in ("ack", "error") and frame.get("client_id") in self.answers:
                if kind == "ack":
                    message = frame["message"]
                    self.messages[message["seq"]] = message
                    self.outbox.pop(frame["client_id"], None)
                future = self.answers.pop(frame["client_id"])
                if not future.done():
                    future.set_result({kind: frame})

    async def send(self, body: str, seconds: float = 30) -> dict:
        client_id = f"{self.name}-{uuid.uuid4().hex}"
        frame = {"type": "message.send", "room": self.room, "body": body, "client_id": client_id}
        future = asyncio.get_running_loop().create_future()
        self.answers[client_id] = future
        self.outbox[client_id] = frame
        if self.socket is not None:
            try:
                await self.socket.send(json.dumps(frame))
            except websockets.WebSocketException:
                pass  # the outbox sends it again after the next hello
        try:
            return await asyncio.wait_for(future, seconds)
        except TimeoutError:
            return {"timeout": client_id}

    def state(self) -> dict:
        return {
            "connected_to": self.connected_to,
            "hellos": self.hellos,
            "closes": self.closes,
            "last_seq": self.last_seq(),
            "bodies": [self.messages[seq]["body"] for seq in sorted(self.messages)],
            "seqs": sorted(self.messages),
            "outbox": len(self.outbox),
            "notifications": self.notifications,
        }


async def http(command: dict, people: dict) -> dict:
    headers = dict(command.get("headers", {}))
    if command.get("name"):  # the person's session, on whichever host (the cookie is good on every one)
        cookies = people[command["name"]].session.cookies
        headers["Cookie"] = "; ".join(f"{key}={value}" for key, value in cookies.items())

    def call():
        response = requests.request(
            command.get("method", "GET"),
            command["url"],
            data=command.get("data", "").encode(),
            headers=headers,
            timeout=command.get("seconds", 30),
            allow_redirects=False,
        )
        return {
            "status": response.status_code,
            "headers": {key.lower(): value for key, value in response.headers.items()},
            "text": response.text,
            "elapsed": response.elapsed.total_seconds(),
        }

    return await asyncio.to_thread(call)


async def main() -> None:
    people: dict[str, Person] = {}
    tasks = []
    while line := await asyncio.to_thread(sys.stdin.readline):
        command = json.loads(line)
        op = command["op"]
        try:
            if op == "person":
                person = Person(command["name"], command["urls"], command["room"])
                await asyncio.to_thread(person.log_in)
                people[person.name] = person
                tasks.append(asyncio.create_task(person.run()))
                await asyncio.wait_for(person.connected.wait(), 30)
                answer = {"connected_to": person.connected_to}
            elif op == "send":
                answer = await people[command["name"]].send(command["body"], command.get("seconds", 30))
            elif op == "state":
                answer = people[command["name"]].state()
            elif op == "wait_body":
                person, found = people[command["name"]], False
                for _ in range(int(command.get("seconds", 30) * 10)):
                    if found := command["body"] in person.state()["bodies"]:
                        break
                    await asyncio.sleep(0.1)
                answer = {"found": found, **person.state()}
            elif op == "http":
                answer = await http(command, people)
            elif op == "http_all":  # the requests at the same moment, each on a thread of its own
                answer = {"answers": await asyncio.gather(*(http(each, people) for each in command["requests"]))}
            else:
                answer = {"problem": f"unknown op {op}"}
        except Exception as problem:  # the test reads it and fails with it
            answer = {"problem": repr(problem)}
        sys.stdout.write(json.dumps(answer, ensure_ascii=False, default=str) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    asyncio.run(main())
