"""A person on host A and a person on host B chatting, run on the client host of a multi-host test:

    python -m tests.multihost.client --a http://10.x.y.11 --b http://10.x.y.12 --room 7

Prints one JSON object: what each person heard. Exits non-zero if either host is not ready.
"""

import argparse
import asyncio
import json
import sys
import time
import uuid

import requests
import websockets

PASSWORD = "correct horse battery staple"  # tests.factories.PASSWORD


def wait_ready(url: str, seconds: float = 90) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        try:
            response = requests.get(url + "/healthz/ready", timeout=3)
            if response.status_code == 200:
                return response.json()
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"{url} never became ready")
        time.sleep(0.3)


def log_in(url: str, username: str) -> requests.Session:
    session = requests.Session()
    session.get(url + "/login/", timeout=10)
    response = session.post(
        url + "/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": url + "/login/"},
        timeout=10,
    )
    if response.url != url + "/":
        sys.exit(f"{username} could not log in at {url}: {response.status_code}")
    return session


async def until(socket, kind: str) -> dict:
    while True:
        event = json.loads(await asyncio.wait_for(socket.recv(), 15))
        if event["type"] == kind:
            return event


async def chat(a: str, b: str, room: int) -> dict:
    people = {"somchai": (a, log_in(a, "somchai")), "wichai": (b, log_in(b, "wichai"))}

    def connect(name):
        url, session = people[name]
        cookie = "; ".join(f"{key}={value}" for key, value in session.cookies.items())
        return websockets.connect(
            url.replace("http://", "ws://") + "/ws/", additional_headers={"Cookie": cookie, "Origin": url}
        )

    # New client ids each run: a client id sent again only returns the first message (DESIGN.md §3).
    sent_a, sent_b = f"a-{uuid.uuid4().hex}", f"b-{uuid.uuid4().hex}"
    async with connect("somchai") as on_a, connect("wichai") as on_b:
        hello_a, hello_b = await until(on_a, "hello"), await until(on_b, "hello")
        await on_a.send(
            json.dumps({"type": "message.send", "room": room, "body": "สวัสดีครับ จาก A", "client_id": sent_a})
        )
        heard_on_b = await until(on_b, "message.new")
        await on_b.send(json.dumps({"type": "message.send", "room": room, "body": "สวัสดีค่ะ จาก B", "client_id": sent_b}))
        heard_on_a = (await until(on_a, "message.new"))["message"]
        while heard_on_a["client_id"] != sent_b:  # its own message comes back to A first
            heard_on_a = (await until(on_a, "message.new"))["message"]
    return {
        "hello": [hello_a["user"]["username"], hello_b["user"]["username"]],
        "b_heard": heard_on_b["message"]["body"],
        "a_heard": heard_on_a["body"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--a", required=True)
    parser.add_argument("--b", required=True)
    parser.add_argument("--room", type=int, required=True)
    args = parser.parse_args()
    ready = [wait_ready(args.a), wait_ready(args.b)]
    result = asyncio.run(chat(args.a, args.b, args.room))
    print(json.dumps({**result, "ready": ready}, ensure_ascii=False))  # noqa: T201


if __name__ == "__main__":
    main()
