"""Dates as Thai readers expect them: Buddhist Era years, Thai month names, Bangkok time."""

import datetime as dt

from django.utils import timezone, translation

BE_OFFSET = 543
MONTHS_TH = [
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
]
MONTHS_TH_SHORT = ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."]
WEEKDAYS_TH = ["จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์", "อาทิตย์"]
MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
WEEKDAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
STYLES = ("short", "long", "full", "datetime", "time")


def be_year(year: int) -> int:
    """The Buddhist-Era year of a Common-Era year: 2026 → 2569."""
    return year + BE_OFFSET


def format_date(value: dt.date | dt.datetime, style: str = "short", language: str | None = None) -> str:
    """Format a date or datetime for the reader.

    Thai: short "25 พ.ย. 2569", long "25 พฤศจิกายน 2569", full "วันพุธที่ 25 พฤศจิกายน 2569",
    datetime "25 พ.ย. 2569 14:30 น.", time "14:30 น.". English uses the Common Era:
    "25 Nov 2026", "25 November 2026", "Wednesday 25 November 2026", "25 Nov 2026 14:30", "14:30".
    Aware datetimes are shown in the current time zone (Asia/Bangkok).
    """
    if style not in STYLES:
        raise ValueError(f"unknown date style {style!r}")
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    language = language or translation.get_language() or "th"
    day, month, weekday = value.day, value.month - 1, value.weekday()
    clock = f"{value.hour:02d}:{value.minute:02d}" if isinstance(value, dt.datetime) else ""
    if language.startswith("en"):
        year = value.year
        parts = {
            "short": f"{day} {MONTHS_EN[month][:3]} {year}",
            "long": f"{day} {MONTHS_EN[month]} {year}",
            "full": f"{WEEKDAYS_EN[weekday]} {day} {MONTHS_EN[month]} {year}",
            "datetime": f"{day} {MONTHS_EN[month][:3]} {year} {clock}".strip(),
            "time": clock,
        }
    else:
        year = be_year(value.year)
        parts = {
            "short": f"{day} {MONTHS_TH_SHORT[month]} {year}",
            "long": f"{day} {MONTHS_TH[month]} {year}",
            "full": f"วัน{WEEKDAYS_TH[weekday]}ที่ {day} {MONTHS_TH[month]} {year}",
            "datetime": f"{day} {MONTHS_TH_SHORT[month]} {year} {clock} น."
            if clock
            else f"{day} {MONTHS_TH_SHORT[month]} {year}",
            "time": f"{clock} น." if clock else "",
        }
    return parts[style]
