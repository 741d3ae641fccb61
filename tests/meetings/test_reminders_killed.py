"""A Huey consumer killed mid-batch of reminders (SIGKILL, while an e-mail is on the wire): a second
consumer finishes the batch, and every person is reminded exactly once."""

import asyncio
import datetime as dt
import subprocess
import sys
import threading
import time
import uuid

import pytest
from django.utils import timezone

from meetings import services
from meetings.models import ReminderSent
from tests.conftest import ROOT
from tests.factories import make_person
from tests.meetings.conftest import Inbox, MailServer, draft

pytestmark = pytest.mark.django_db(transaction=True)
PEOPLE = 20
KILL_AT = 6  # the consumer is killed as it sends the sixth reminder


class SlowInbox(Inbox):
    """Each recipient takes a moment to accept; `sending` is set when the KILL_AT-th message is on the wire."""

    def __init__(self):
        super().__init__()
        self.sending = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if len(self.messages) == KILL_AT - 1:
            self.sending.set()
        await asyncio.sleep(0.1)
        envelope.rcpt_tos.append(address)
        return "250 OK"


def wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_a_consumer_killed_mid_batch_leaves_every_person_reminded_exactly_once(org, server_env, tmp_path, request):
    inbox = SlowInbox()
    mail_server = MailServer(inbox)
    mail_server.start()
    request.addfinalizer(mail_server.stop)
    people = [make_person(f"invitee{n}", first_name_th=f"ผู้รับ{n}") for n in range(PEOPLE)]
    meeting = services.schedule_meeting(
        org["organiser"].user,
        draft(timezone.now() + dt.timedelta(minutes=5), people={p.pk: True for p in people}),
    )
    everyone = sorted([p.email for p in people] + [org["organiser"].email])
    env = {
        **server_env,
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "CHANNELS_PREFIX": f"ksptest{uuid.uuid4().hex[:8]}",  # a queue of its own
        "STATE_DIR": str(tmp_path),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(mail_server.port),
    }

    def consumer(name: str) -> subprocess.Popen:
        log = (tmp_path / f"{name}.log").open("w")
        return subprocess.Popen(
            [sys.executable, "manage.py", "run_huey"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )

    # Each consumer's scheduler queues the periodic reminder job as it starts.
    first = consumer("first")
    try:
        assert inbox.sending.wait(60), (tmp_path / "first.log").read_text()
        first.kill()
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    delivered_before = len(inbox.messages)
    assert KILL_AT - 1 <= delivered_before < len(everyone)  # killed mid-batch

    second = consumer("second")
    try:
        wait_for(lambda: len(inbox.messages) >= len(everyone) and ReminderSent.objects.count() >= len(everyone))
    finally:
        second.terminate()
        second.wait(20)
    assert sorted(m["To"] for m in inbox.messages) == everyone  # each once: none lost, none twice
    assert ReminderSent.objects.filter(meeting=meeting).count() == len(everyone)
