"""Shared set-up for the meetings tests: people, a team, a room, and dates safely in the future."""

import datetime as dt
import email
import email.policy
import zoneinfo

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from meetings.models import MeetingRoom
from meetings.recurrence import Recurrence
from meetings.services import Draft
from tests.conftest import free_port
from tests.factories import make_person, make_team

BANGKOK = zoneinfo.ZoneInfo("Asia/Bangkok")


def next_monday(weeks_ahead: int = 2) -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=7 * weeks_ahead - today.weekday())


def at(day: dt.date, hour: int, minute: int = 0, tz=BANGKOK) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)


def draft(start: dt.datetime, minutes: int = 60, **fields) -> Draft:
    fields.setdefault("title", "ประชุมคณะอนุกรรมการ")
    return Draft(start=start, end=start + dt.timedelta(minutes=minutes), **fields)


def weekly(*weekdays: int, count: int | None = None, until: dt.date | None = None) -> Recurrence:
    return Recurrence(frequency="weekly", weekdays=list(weekdays), count=count, until=until)


@pytest.fixture
def org(db):
    team = make_team("licensing", name_th="กลุ่มงานใบอนุญาต", name_en="Licensing")
    organiser = make_person("organiser", team=team)
    return {
        "team": team,
        "organiser": organiser,
        "colleague": make_person("colleague", first_name_th="สมศรี", team=team),
        "teammate": make_person("teammate", first_name_th="วิไล", team=team),
        "outsider": make_person("outsider", first_name_th="มานะ"),
        "expert": make_person("expert", first_name_th="ประเวศ", kind="expert"),
        "other_expert": make_person("otherexpert", first_name_th="วิจารณ์", kind="expert"),
        "room": MeetingRoom.objects.create(name_th="ห้องประชุม 1", name_en="Meeting room 1"),
    }


# --- E-mail over real SMTP and Huey's jobs (tests/meetings/test_mail.py, test_expert_links.py) ---


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


class MailServer:
    """A real SMTP server on loopback that can be taken down and brought back on its port."""

    def __init__(self, inbox: Inbox):
        self.inbox, self.port, self.controller = inbox, free_port(), None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    inbox = Inbox()
    server = MailServer(inbox)
    server.start()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=server.port,
        EMAIL_USE_TLS=False,
        SITE_URL="https://one.ksp.test",
    ):
        yield inbox, server
    server.stop()


@pytest.fixture
def jobs_run_now():
    """Huey runs each queued job at once in this process (its immediate mode)."""
    before = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = before
