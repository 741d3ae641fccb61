"""A reference licensing backend: a small real HTTP server with the backend's API that also sends
signed events to the hub, for the demo and the tests (DESIGN.md §5, docs/licensing-integration.md).

    python -m licensing.simulator --port 9012 --hub http://127.0.0.1:8012 \\
        [--trickle SECONDS] [--script steps.json] [--parent PID]

Secrets come from the environment, as the hub's do: LICENSING_WEBHOOK_SECRET signs the events,
LICENSING_API_TOKEN is the bearer token the hub must present.

Its API, as the hub uses it:
    GET  /cases/{number}           the case (bearer token); a browser without one gets a page of it
    POST /cases/{number}/notes     {"kind", "body"} with Idempotency-Key: 201 new, 200 the same again
    GET  /cases/{number}/notes     the notes kept

For scripts and tests (loopback only, bearer token):
    POST /control/events           one step (below): the event is made, signed and sent to the hub;
                                   answers what the hub answered to each delivery
    POST /control/faults           {"lose_note_answers": n}: keep the next n notes but drop the
                                   connection before answering (a lost answer)

A step: {"type": "case.opened", "case": {"number": .., any case field}, "id": .., "occurred_at": ..,
"repeat": 2 (the same event delivered twice), "concurrent": true (the repeats at once),
"signature": "bad" | "stale" | "none", "raw": "a body sent as it is"}. Every field but "type" is
optional: a new case gets a Thai applicant, a province, a license and a request type.

With --trickle, a steady, realistic flow: about every SECONDS a new case arrives or an open one
moves on (review, documents asked, committee, decision, now and then a withdrawal).
"""

import argparse
import datetime as dt
import hashlib
import hmac
import html
import json
import os
import random
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import requests

BANGKOK = dt.timezone(dt.timedelta(hours=7))
LICENSE_TYPES = ["teacher", "school_administrator", "educational_administrator", "educational_supervisor"]
REQUEST_TYPES = ["new", "renewal", "replacement", "temporary_permit", "foreign_teacher"]
PROVINCES = (
    "กรุงเทพมหานคร เชียงใหม่ เชียงราย ลำปาง พิษณุโลก นครสวรรค์ ขอนแก่น นครราชสีมา อุดรธานี อุบลราชธานี "
    "ร้อยเอ็ด สกลนคร ชลบุรี ระยอง จันทบุรี ปราจีนบุรี นนทบุรี ปทุมธานี พระนครศรีอยุธยา นครปฐม สุพรรณบุรี "
    "ราชบุรี กาญจนบุรี เพชรบุรี สงขลา สุราษฎร์ธานี นครศรีธรรมราช ภูเก็ต ตรัง ยะลา"
).split()
TITLES = [("นาย", "male"), ("นาง", "female"), ("นางสาว", "female")]
FIRST_NAMES = {
    "male": "สมชาย ประเสริฐ วีระ ธนากร ณัฐวุฒิ กิตติพงษ์ อนุชา สุรเชษฐ์ ปิยะ ชัยวัฒน์ ภานุวัฒน์ ธีรวัฒน์".split(),
    "female": "สมหญิง วราภรณ์ กาญจนา ศิริพร พัชรินทร์ นภัสวรรณ อรอุมา สุภาพร จิราพร ปวีณา ณัฐธิดา รัตนา".split(),
}
LAST_NAMES = ("ใจดี ศรีสุข แก้วมณี บุญมา ทองดี สายสุวรรณ วงศ์ใหญ่ พรหมมา จันทร์เพ็ญ รุ่งเรือง มีสุข ชัยมงคล อินทร์แก้ว ศักดิ์สิทธิ์ คำแสน").split()
SUMMARIES = {
    "new": "ขอรับใบอนุญาตประกอบวิชาชีพครั้งแรก วุฒิการศึกษาจาก{school} ผ่านการปฏิบัติการสอน {n} ภาคเรียน",
    "renewal": "ขอต่ออายุใบอนุญาตประกอบวิชาชีพ ใบอนุญาตเดิมหมดอายุในอีก {n} เดือน แนบผลการพัฒนาตนเอง",
    "replacement": "ขอใบแทนใบอนุญาตประกอบวิชาชีพ เนื่องจากใบอนุญาตเดิมชำรุด แนบสำเนาบันทึกแจ้งความ",
    "temporary_permit": "ขอหนังสืออนุญาตให้ประกอบวิชาชีพโดยไม่มีใบอนุญาต (ชั่วคราว) สอนที่{school} {n} ปี",
    "foreign_teacher": "ครูชาวต่างชาติขอใบอนุญาตประกอบวิชาชีพ สอนภาษาอังกฤษที่{school} ผลทดสอบความรู้ผ่าน {n} วิชา",
}
SCHOOLS = "โรงเรียนบ้านหนองบัว โรงเรียนวัดป่าสัก มหาวิทยาลัยราชภัฏเชียงใหม่ โรงเรียนอนุบาลเมือง โรงเรียนสาธิต".split()
# How an open case moves on in the trickle: status now -> [(event type, next status, weight)].
NEXT = {
    "submitted": [("case.updated", "under_review", 6), ("case.withdrawn", "withdrawn", 1)],
    "under_review": [
        ("case.updated", "needs_documents", 3),
        ("case.review_requested", "committee_review", 3),
        ("case.decided", "approved", 3),
        ("case.decided", "rejected", 1),
    ],
    "needs_documents": [("case.updated", "under_review", 4), ("case.withdrawn", "withdrawn", 1)],
    "committee_review": [("case.decided", "approved", 3), ("case.decided", "rejected", 1)],
}
CLOSED = {"approved", "rejected", "withdrawn"}


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """X-KSP-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def now_iso() -> str:
    return dt.datetime.now(BANGKOK).isoformat(timespec="seconds")


class Backend:
    """The licensing system's cases, their notes, and the sending of events to the hub."""

    def __init__(self, hub_url: str, secret: str, token: str, public_url: str = "", seed: int | None = None):
        self.hub_url, self.secret, self.token = hub_url.rstrip("/"), secret, token
        self.public_url = public_url.rstrip("/")
        self.random = random.Random(seed)  # noqa: S311 - made-up cases, not secrets
        self.lock = threading.Lock()
        self.cases: dict[str, dict] = {}
        self.notes: dict[str, list[dict]] = {}
        self.notes_by_key: dict[str, dict] = {}
        self.lose_note_answers = 0
        self.sent: list[dict] = []
        self.session = requests.Session()
        self.next_number = self.random.randint(100, 900) * 10

    # --- Cases -------------------------------------------------------------------------------------

    def new_number(self) -> str:
        with self.lock:
            self.next_number += 1
            year = (dt.date.today().year + 543) % 100  # Buddhist Era, as the Council numbers them
            return f"KSP-{year:02d}-{self.next_number:06d}"

    def new_case(self, number: str | None = None) -> dict:
        pick = self.random.choice
        title, sex = pick(TITLES)
        request_type = pick(REQUEST_TYPES)
        number = number or self.new_number()
        return {
            "number": number,
            "license_type": pick(LICENSE_TYPES),
            "request_type": request_type,
            "status": "submitted",
            "applicant": {
                "name": f"{title}{pick(FIRST_NAMES[sex])} {pick(LAST_NAMES)}",
                "id_masked": f"x-xxxx-xxxxx-{self.random.randint(10, 99)}-{self.random.randint(0, 9)}",
            },
            "province": pick(PROVINCES),
            "submitted_at": now_iso(),
            "summary": SUMMARIES[request_type].format(school=pick(SCHOOLS), n=self.random.randint(1, 6)),
            "url": f"{self.public_url}/cases/{number}",
        }

    def case_for_step(self, step: dict) -> dict:
        """The case as it will be after this step: the one held, a new one, with the step's fields."""
        given = dict(step.get("case") or {})
        number = given.get("number") or self.new_number()
        with self.lock:
            case = self.cases.get(number)
        case = json.loads(json.dumps(case)) if case else self.new_case(number)
        applicant = given.pop("applicant", None)
        case.update(given)
        if applicant is not None:
            case["applicant"] = {**case["applicant"], **applicant}
        if "status" not in given:
            case["status"] = {
                "case.opened": "submitted",
                "case.review_requested": "committee_review",
                "case.withdrawn": "withdrawn",
                "case.decided": "approved",
            }.get(step["type"], case["status"])
        return case

    # --- Events ------------------------------------------------------------------------------------

    def run_step(self, step: dict) -> list[dict]:
        """Make the step's event, keep its case, and deliver it (as many times as it says)."""
        if "raw" in step:
            body = step["raw"].encode() if isinstance(step["raw"], str) else json.dumps(step["raw"]).encode()
        else:
            case = self.case_for_step(step)
            event = {
                "id": step.get("id") or f"evt_{uuid.uuid4().hex}",
                "type": step["type"],
                "occurred_at": step.get("occurred_at") or now_iso(),
                "case": case,
            }
            with self.lock:
                self.cases[case["number"]] = case
            body = json.dumps(event, ensure_ascii=False).encode()
        repeat = max(1, int(step.get("repeat", 1)))
        if step.get("concurrent") and repeat > 1:
            answers: list[dict] = [{}] * repeat
            barrier = threading.Barrier(repeat)

            def deliver_at_once(n: int) -> None:
                barrier.wait()
                answers[n] = self.deliver(body, step.get("signature"), retries=0)

            threads = [threading.Thread(target=deliver_at_once, args=(n,)) for n in range(repeat)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            return answers
        return [self.deliver(body, step.get("signature")) for _ in range(repeat)]

    def deliver(self, body: bytes, signature: str | None = None, retries: int = 5) -> dict:
        """POST the event to the hub, signed; a refused connection or a 5xx is tried again later
        (the pause doubling), a 4xx is not (the event itself is wrong)."""
        stamp = int(time.time()) - (400 if signature == "stale" else 0)
        header = sign(self.secret if signature != "bad" else "not-the-secret", body, stamp)
        headers = {"Content-Type": "application/json"}
        if signature != "none":
            headers["X-KSP-Signature"] = header
        pause = 0.5
        for attempt in range(retries + 1):
            try:
                answer = self.session.post(
                    f"{self.hub_url}/api/v1/licensing/events", data=body, headers=headers, timeout=15
                )
            except requests.RequestException as error:
                outcome = {"status": 0, "error": str(error)}
            else:
                try:
                    content = answer.json()
                except ValueError:
                    content = answer.text[:500]
                outcome = {"status": answer.status_code, "body": content}
                if answer.status_code < 500:
                    break
            if attempt < retries:
                time.sleep(pause)
                pause = min(pause * 2, 30)
                # Re-signed: a delivery retried minutes later must not be refused as stale.
                if signature not in ("bad", "stale", "none"):
                    headers["X-KSP-Signature"] = sign(self.secret, body, int(time.time()))
        self.sent.append(outcome)
        return outcome

    def tick(self) -> dict | None:
        """One step of the trickle: a new case, or an open one moving on."""
        with self.lock:
            open_cases = [case for case in self.cases.values() if case["status"] not in CLOSED]
        if not open_cases or len(open_cases) < 4 or self.random.random() < 0.35:
            return {"type": "case.opened"}
        case = self.random.choice(open_cases)
        choices = NEXT[case["status"]]
        kind, status, _weight = self.random.choices(choices, weights=[c[2] for c in choices])[0]
        return {"type": kind, "case": {"number": case["number"], "status": status}}

    # --- Notes -------------------------------------------------------------------------------------

    def add_note(self, number: str, key: str, kind: str, body: str) -> tuple[int, dict]:
        with self.lock:
            if number not in self.cases:
                return 404, {"error": "no such case"}
            earlier = self.notes_by_key.get(key)
            if earlier is not None:
                if (earlier["kind"], earlier["body"]) != (kind, body):
                    return 422, {"error": "this Idempotency-Key was used for a different note"}
                return 200, earlier
            note = {"id": len(self.notes_by_key) + 1, "kind": kind, "body": body, "created_at": now_iso(), "key": key}
            self.notes_by_key[key] = note
            self.notes.setdefault(number, []).append(note)
            return 201, note


def _handler(backend: Backend):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        def _send(self, status: int, data, content_type: str = "application/json; charset=utf-8") -> None:
            body = data.encode() if isinstance(data, str) else json.dumps(data, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _authorised(self) -> bool:
            given = self.headers.get("Authorization", "")
            return bool(backend.token) and hmac.compare_digest(given.encode(), f"Bearer {backend.token}".encode())

        def _json(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length > 256 * 1024:
                return None
            try:
                return json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                return None

        def _parts(self) -> list[str]:
            return [unquote(part) for part in self.path.split("?", 1)[0].strip("/").split("/")]

        def do_GET(self):
            parts = self._parts()
            if parts == ["health"]:
                return self._send(200, {"ok": True})
            if len(parts) in (2, 3) and parts[0] == "cases" and (len(parts) == 2 or parts[2] == "notes"):
                with backend.lock:
                    case = backend.cases.get(parts[1])
                    notes = list(backend.notes.get(parts[1], []))
                if not self._authorised():
                    if len(parts) == 2 and case and "text/html" in self.headers.get("Accept", ""):
                        return self._send(200, _case_page(case, notes), "text/html; charset=utf-8")
                    return self._send(401, {"error": "a bearer token is required"})
                if case is None:
                    return self._send(404, {"error": "no such case"})
                return self._send(200, notes if len(parts) == 3 else case)
            self._send(404, {"error": "not found"})

        def do_POST(self):
            parts = self._parts()
            if not self._authorised():
                return self._send(401, {"error": "a bearer token is required"})
            data = self._json()
            if not isinstance(data, dict):
                return self._send(400, {"error": "the body must be a JSON object"})
            if len(parts) == 3 and parts[0] == "cases" and parts[2] == "notes":
                key = self.headers.get("Idempotency-Key", "")
                if not key or len(key) > 200:
                    return self._send(400, {"error": "the Idempotency-Key header is required"})
                kind, body = data.get("kind"), data.get("body")
                if not isinstance(kind, str) or not isinstance(body, str) or not body.strip():
                    return self._send(400, {"error": "kind and body are required strings"})
                status, note = backend.add_note(parts[1], key, kind, body)
                with backend.lock:
                    lose = status == 201 and backend.lose_note_answers > 0
                    if lose:
                        backend.lose_note_answers -= 1
                if lose:  # kept, but the answer never reaches the hub
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return None
                return self._send(status, note)
            if self.client_address[0] not in ("127.0.0.1", "::1"):
                return self._send(403, {"error": "control from loopback only"})
            if parts == ["control", "events"]:
                if data.get("type") not in NEXT_TYPES:
                    return self._send(400, {"error": "type is one of " + ", ".join(NEXT_TYPES)})
                return self._send(200, {"deliveries": backend.run_step(data)})
            if parts == ["control", "faults"]:
                with backend.lock:
                    backend.lose_note_answers = int(data.get("lose_note_answers", 0))
                return self._send(200, {"lose_note_answers": backend.lose_note_answers})
            self._send(404, {"error": "not found"})

    return Handler


NEXT_TYPES = ("case.opened", "case.updated", "case.review_requested", "case.decided", "case.withdrawn")


def _case_page(case: dict, notes: list[dict]) -> str:
    """What a person following the hub's link sees: the case in the licensing system (a stand-in)."""
    rows = "".join(
        f"<tr><th>{html.escape(label)}</th><td>{html.escape(str(value))}</td></tr>"
        for label, value in [
            ("เลขที่คำขอ", case["number"]),
            ("ประเภทใบอนุญาต", case["license_type"]),
            ("ประเภทคำขอ", case["request_type"]),
            ("สถานะ", case["status"]),
            ("ผู้ยื่นคำขอ", case["applicant"]["name"]),
            ("เลขประจำตัวประชาชน", case["applicant"]["id_masked"]),
            ("จังหวัด", case["province"]),
            ("สรุป", case["summary"]),
        ]
    )
    items = "".join(f"<li><b>{html.escape(n['kind'])}</b>: {html.escape(n['body'])}</li>" for n in notes)
    return (
        '<!doctype html><html lang="th"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">'
        f"<title>{html.escape(case['number'])}</title><style>body{{font-family:sans-serif;margin:2rem;max-width:50rem}}"
        "th{text-align:left;padding-right:1rem;color:#555}td,th{padding:.3rem 0;vertical-align:top}</style></head>"
        f"<body><p>ระบบใบอนุญาตประกอบวิชาชีพ (ระบบจำลอง)</p><h1>{html.escape(case['number'])}</h1>"
        f"<table>{rows}</table><h2>บันทึกจาก Khurusapha ONE</h2><ul>{items or '<li>ยังไม่มี</li>'}</ul></body></html>"
    )


class Simulator:
    """The server and, optionally, its trickle of events; usable in a test's own process too."""

    def __init__(self, backend: Backend, port: int = 0):
        self.backend = backend
        self.server = ThreadingHTTPServer(("127.0.0.1", port), _handler(backend))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.stopping = threading.Event()
        backend.public_url = backend.public_url or self.url  # case links lead to this server's pages

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Simulator":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def wait_for_hub(self, timeout: float = 60) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.stopping.is_set():
            try:
                requests.get(f"{self.backend.hub_url}/healthz", timeout=5)
                return True
            except requests.RequestException:
                time.sleep(0.5)
        return False

    def run_script(self, steps: list[dict]) -> None:
        for step in steps:
            if self.stopping.is_set():
                return
            time.sleep(float(step.get("delay", 0)))
            self.backend.run_step(step)

    def trickle(self, every: float) -> None:
        """Now and then a new case, or an open case moving on, until stopped."""
        self.stopping.wait(min(every, 5))
        while not self.stopping.is_set():
            step = self.backend.tick()
            if step is not None:
                self.backend.run_step(step)
            self.stopping.wait(every * self.backend.random.uniform(0.5, 1.5))


def _watch_parent(pid: int, simulator: Simulator) -> None:
    """Stop when the demo server that started us is gone."""
    while not simulator.stopping.is_set():
        time.sleep(1)
        try:
            os.kill(pid, 0)
        except OSError:
            simulator.stop()
            return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--hub", required=True, help="the hub's address, e.g. http://127.0.0.1:8012")
    parser.add_argument("--public-url", default="", help="this server's address in case links (default: loopback)")
    parser.add_argument("--trickle", type=float, default=0, help="about every this many seconds, an event")
    parser.add_argument("--script", help="a JSON file: a list of steps, sent in order once the hub answers")
    parser.add_argument("--parent", type=int, default=0, help="stop when this process ends")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    secret, token = os.environ.get("LICENSING_WEBHOOK_SECRET", ""), os.environ.get("LICENSING_API_TOKEN", "")
    if not secret or not token:
        parser.error("set LICENSING_WEBHOOK_SECRET and LICENSING_API_TOKEN in the environment")
    backend = Backend(args.hub, secret, token, public_url=args.public_url, seed=args.seed)
    simulator = Simulator(backend, port=args.port)
    if args.parent:
        threading.Thread(target=_watch_parent, args=(args.parent, simulator), daemon=True).start()
    simulator.start()
    sys.stdout.write(f"Licensing backend simulator on {simulator.url}, sending to {backend.hub_url}\n")
    sys.stdout.flush()
    if args.script or args.trickle:
        simulator.wait_for_hub()
    if args.script:
        with open(args.script, encoding="utf-8") as steps:
            simulator.run_script(json.load(steps))
    if args.trickle:
        threading.Thread(target=simulator.trickle, args=(args.trickle,), daemon=True).start()
    simulator.stopping.wait()


if __name__ == "__main__":
    main()
