"""Working-hours arithmetic: office hours Monday to Friday in Bangkok, Thai public holidays (kept
as data, seeded from the `holidays` package) excluded, and a person's own working days."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import override_settings

from licensing import workhours
from licensing.models import Holiday
from tests.factories import make_person
from tests.licensing.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def thai_holidays():
    workhours.seed_holidays([2026, 2027])


def test_hours_left_on_friday_carry_over_the_weekend():
    # One hour on Friday (15:30-16:30), three on Monday from 08:30.
    assert workhours.add_working_hours(at(2026, 12, 11, 15, 30), 4) == at(2026, 12, 14, 11, 30)


def test_time_before_opening_or_after_closing_does_not_count():
    assert workhours.add_working_hours(at(2026, 11, 30, 7, 0), 2) == at(2026, 11, 30, 10, 30)
    assert workhours.add_working_hours(at(2026, 11, 30, 17, 45), 1) == at(2026, 12, 1, 9, 30)
    assert workhours.add_working_hours(at(2026, 11, 28, 11, 0), 1.5) == at(2026, 11, 30, 10, 0)  # a Saturday


def test_a_target_that_ends_at_closing_time_is_due_at_closing_time():
    assert workhours.add_working_hours(at(2026, 11, 30, 12, 30), 4) == at(2026, 11, 30, 16, 30)
    assert workhours.add_working_hours(at(2026, 11, 30, 16, 30), 8) == at(2026, 12, 1, 16, 30)


def test_a_target_across_songkran_skips_the_three_days(thai_holidays):
    # Friday 10 April 2026 15:00: 1.5 hours that day; Monday to Wednesday are Songkran (13-15
    # April); the other 2.5 hours on Thursday the 16th.
    assert workhours.add_working_hours(at(2026, 4, 10, 15, 0), 4) == at(2026, 4, 16, 11, 0)


def test_a_target_across_the_kings_birthday_and_the_buddhist_holidays(thai_holidays):
    # Monday 27 July 2026 14:30: two hours that day; the King's birthday (Tuesday 28), Asalha Bucha
    # (29) and the start of Buddhist Lent (30) are holidays; the rest on Friday the 31st.
    assert workhours.add_working_hours(at(2026, 7, 27, 14, 30), 4) == at(2026, 7, 31, 10, 30)
    assert workhours.working_hours_between(at(2026, 7, 27, 14, 30), at(2026, 7, 31, 10, 30)) == 4


def test_holidays_are_data_an_administrator_may_change(thai_holidays):
    monday = at(2026, 11, 30, 15, 30)
    assert workhours.add_working_hours(monday, 2) == at(2026, 12, 1, 9, 30)
    Holiday.objects.create(date=dt.date(2026, 12, 1), name_th="วันหยุดพิเศษ", name_en="Special holiday")
    assert workhours.add_working_hours(monday, 2) == at(2026, 12, 2, 9, 30)
    Holiday.objects.filter(date=dt.date(2026, 12, 1)).delete()
    Holiday.objects.filter(date=dt.date(2026, 4, 13)).delete()  # Songkran's first day worked after all
    assert workhours.add_working_hours(at(2026, 4, 10, 15, 0), 4) == at(2026, 4, 13, 11, 0)


def test_hours_between_two_moments_count_only_office_time(thai_holidays):
    assert workhours.working_hours_between(at(2026, 12, 11, 15, 30), at(2026, 12, 14, 9, 30)) == 2
    assert workhours.working_hours_between(at(2026, 12, 14, 9, 30), at(2026, 12, 11, 15, 30)) == -2
    assert workhours.working_hours_between(at(2026, 12, 12, 9), at(2026, 12, 13, 15)) == 0  # a weekend
    # 1 January (a holiday) to Monday 5 January 2026: Friday the 2nd is a special holiday too.
    assert workhours.working_hours_between(at(2026, 1, 1, 8), at(2026, 1, 5, 12, 30)) == 4


@override_settings(OFFICE_HOURS=("09:00", "17:00"))
def test_office_hours_come_from_the_settings():
    assert workhours.add_working_hours(at(2026, 11, 30, 16, 0), 2) == at(2026, 12, 1, 10, 0)


def test_a_person_works_their_own_days_within_office_hours(thai_holidays):
    person = make_person(work_pattern={"mon": "office", "tue": "home", "wed": "off", "thu": "office", "fri": "home"})
    assert workhours.is_working_time(person, at(2026, 11, 30, 8, 30))  # Monday at opening
    assert not workhours.is_working_time(person, at(2026, 11, 30, 16, 30))  # closing time: done
    assert not workhours.is_working_time(person, at(2026, 11, 30, 8, 29))
    assert workhours.is_working_time(person, at(2026, 12, 1, 10))  # at home counts
    assert not workhours.is_working_time(person, at(2026, 12, 2, 10))  # their day off
    assert not workhours.is_working_time(person, at(2026, 12, 10, 10))  # Constitution Day
    person.out_of_office_from, person.out_of_office_until = dt.date(2026, 12, 3), dt.date(2026, 12, 4)
    assert not workhours.is_working_time(person, at(2026, 12, 3, 10))
    assert workhours.is_working_time(person, at(2026, 12, 14, 10))  # back the Monday after
    without_pattern = make_person()
    assert workhours.is_working_time(without_pattern, at(2026, 12, 2, 10))
    assert not workhours.is_working_time(without_pattern, at(2026, 12, 5, 10))  # a Saturday


def test_holidays_are_seeded_from_the_thai_calendar_once_a_year():
    added = workhours.seed_holidays([2026])
    assert added == Holiday.objects.filter(date__year=2026).count() > 15
    songkran = Holiday.objects.get(date=dt.date(2026, 4, 13))
    assert songkran.name_th == "วันสงกรานต์" and songkran.name_en == "Songkran Festival"
    Holiday.objects.filter(date=dt.date(2026, 4, 13)).delete()
    assert workhours.seed_holidays([2026]) == 0  # a year an administrator has edited stays edited
    assert not Holiday.objects.filter(date=dt.date(2026, 4, 13)).exists()
    call_command("seed_holidays", "2026", "--replace")
    assert Holiday.objects.filter(date=dt.date(2026, 4, 13)).exists()
    assert Holiday.objects.filter(date__year=2026).count() == added
