"""Dates shown the Thai way: Buddhist Era, Thai month names, Bangkok time."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.template import Context, Template
from django.utils import translation

from hub.dates import format_date

UTC = ZoneInfo("UTC")


def test_thai_dates_use_the_buddhist_era_and_thai_months():
    day = dt.date(2026, 11, 25)
    assert format_date(day, "short", "th") == "25 พ.ย. 2569"
    assert format_date(day, "long", "th") == "25 พฤศจิกายน 2569"
    assert format_date(day, "full", "th") == "วันพุธที่ 25 พฤศจิกายน 2569"


def test_english_dates_use_the_common_era():
    day = dt.date(2026, 11, 25)
    assert format_date(day, "short", "en") == "25 Nov 2026"
    assert format_date(day, "full", "en") == "Wednesday 25 November 2026"


def test_times_are_shown_in_bangkok_time():
    # 23:30 UTC on 31 December is already 06:30 on 1 January in Bangkok: the year changes too.
    moment = dt.datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert format_date(moment, "datetime", "th") == "1 ม.ค. 2570 06:30 น."
    assert format_date(moment, "time", "en") == "06:30"


def test_template_filter_follows_the_active_language():
    template = Template('{{ day|thai_date:"long" }} / {{ day|buddhist_year }}')
    with translation.override("th"):
        assert template.render(Context({"day": dt.date(2026, 1, 2)})) == "2 มกราคม 2569 / 2569"
    with translation.override("en"):
        assert template.render(Context({"day": dt.date(2026, 1, 2)})) == "2 January 2026 / 2569"
