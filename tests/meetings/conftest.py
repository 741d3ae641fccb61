"""Shared set-up for the meetings tests: people, a team, a room, and dates safely in the future."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from meetings.models import MeetingRoom
from meetings.recurrence import Recurrence
from meetings.services import Draft
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
