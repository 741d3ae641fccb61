"""An SMTP server for the multi-host tests, run on the data host: every message it accepts is one
JSON line in --out (recipients, subject, the sending host's address).

    python -m tests.multihost.mailbox --host 10.x.y.10 --port 2525 --out mail.jsonl

While the file named by --slow exists, each recipient takes that many seconds to accept and its
start is written first as {"rcpt": address, "peer": host}: a test kills the sending consumer then.
"""

import argparse
import asyncio
import email
import email.policy
import json
import threading
from pathlib import Path

from aiosmtpd.controller import Controller


class Mailbox:
    def __init__(self, out: Path, slow: Path):
        self.out, self.slow, self.lock = out, slow, threading.Lock()

    def write(self, line: dict) -> None:
        with self.lock, self.out.open("a") as file:
            file.write(json.dumps(line, ensure_ascii=False) + "\n")

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.slow.exists():
            self.write({"rcpt": address, "peer": session.peer[0]})
            await asyncio.sleep(float(self.slow.read_text() or 0))
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.write({"to": envelope.rcpt_tos, "subject": str(message["Subject"]), "peer": session.peer[0]})
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--slow", type=Path, required=True)
    args = parser.parse_args()
    args.out.touch()
    controller = Controller(Mailbox(args.out, args.slow), hostname=args.host, port=args.port)
    controller.start()
    threading.Event().wait()  # until the test stops it


if __name__ == "__main__":
    main()
