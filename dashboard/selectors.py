"""The dashboard's numbers for a scope and a window, read from the rollups and the apps' stats modules."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone

from dashboard.access import Scope
from dashboard.models import ActivityDay, InvitedSlot, MeetingSlot
from dashboard.rollups import BANGKOK
from directory import team_presence
from directory.models import Person
from directory.selectors import STATUSES
from licensing import stats as case_stats
from meetings import attendance_stats

WINDOWS = (7, 30, 90)
PLACES = ("office", "home", "off", team_presence.OUT_OF_OFFICE, team_presence.UNKNOWN)


@dataclass
class Window:
    days: int
    first: dt.date  # Bangkok days, both included
    last: dt.date

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time(), BANGKOK)

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(), BANGKOK)

    @property
    def dates(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=n) for n in range(self.days)]


def window_of(days: int, today: dt.date) -> Window:
    return Window(days, today - dt.timedelta(days=days - 1), today)


@dataclass
class PersonNumbers:
    person: Person
    status: str = "offline"
    place: str = team_presence.UNKNOWN
    messages: int = 0
    active_hours: int = 0
    cases_open: int = 0
    cases_decided: int = 0
    meetings_this_week: int = 0
    meeting_hours_this_week: float = 0.0
    invitations: int = 0
    answered: int = 0
    accepted: int = 0
    invited_held: int = 0  # occurrences in the window, begun by now, that they were invited to
    attended: int = 0

    @property
    def answer_rate(self) -> float | None:
        return self.answered / self.invitations if self.invitations else None

    @property
    def attendance_rate(self) -> float | None:
        return min(1.0, self.attended / self.invited_held) if self.invited_held else None


@dataclass
class Committee:
    title: str
    start: dt.datetime
    present: int
    needed: int


@dataclass
class Numbers:
    window: Window
    week: Window
    people: list[PersonNumbers]
    status_counts: dict[str, int]
    place_counts: dict[str, int]
    cases: case_stats.CaseNumbers
    committees_without_quorum: list[Committee]
    series: dict[str, list[int]] = field(default_factory=dict)  # per day of the window

    def total(self, name: str) -> int:
        return sum(getattr(row, name) for row in self.people)

    @property
    def invitations(self) -> int:
        return self.total("invitations")

    @property
    def answer_rate(self) -> float | None:
        return self.total("answered") / self.invitations if self.invitations else None

    @property
    def accept_rate(self) -> float | None:
        return self.total("accepted") / self.invitations if self.invitations else None

    @property
    def attendance_rate(self) -> float | None:
        held = self.total("invited_held")
        return min(1.0, self.total("attended") / held) if held else None


def numbers_for(scope: Scope, days: int, now: dt.datetime | None = None) -> Numbers:
    """Everything the dashboard shows for these people over the last `days` days (today included)."""
    now = now or timezone.now()
    today = now.astimezone(BANGKOK).date()
    window = window_of(days, today)
    monday = today - dt.timedelta(days=today.weekday())
    week = Window(7, monday, monday + dt.timedelta(days=6))
    rows = {person.pk: PersonNumbers(person) for person in scope.members}
    by_user = {row.person.user_id: row for row in rows.values() if row.person.user_id}

    statuses = team_presence.statuses_of(scope.members)
    for row in rows.values():
        row.status = statuses[row.person.pk]
        row.place = team_presence.workplace_today(row.person, today)

    series = {name: [0] * days for name in ("messages", "active_hours", "cases_decided", "meetings_attended")}
    _activity(scope, window, by_user, series)
    cases = case_stats.case_numbers(scope.team_ids, scope.user_ids, window.start, window.end, now, BANGKOK)
    _cases(cases, window, by_user, series)
    committees = _meetings(scope, window, week, now, rows, series)
    return Numbers(
        window=window,
        week=week,
        people=list(rows.values()),
        status_counts=_counts(statuses.values(), STATUSES),
        place_counts=_counts((row.place for row in rows.values()), PLACES),
        cases=cases,
        committees_without_quorum=committees,
        series=series,
    )


def _counts(values, names) -> dict[str, int]:
    counted = Counter(values)
    return {name: counted.get(name, 0) for name in names}


def _activity(scope: Scope, window: Window, by_user: dict, series: dict) -> None:
    for user_id, day, messages, hours in _per_user_and_per_day(scope.user_ids, window):
        if day is None:
            by_user[user_id].messages, by_user[user_id].active_hours = messages, hours
        else:
            index = (day - window.first).days
            series["messages"][index], series["active_hours"][index] = messages, hours


def _per_user_and_per_day(user_ids, window: Window) -> list[tuple]:
    """(user id, None, messages, hours) per person and (None, day, messages, hours) per day: on
    PostgreSQL one pass over the window's rows (grouping sets), elsewhere two."""
    days = ActivityDay.objects.filter(user_id__in=user_ids, day__gte=window.first, day__lte=window.last)
    if connection.vendor != "postgresql":
        sums = {"m": Sum("messages"), "h": Sum("active_hours")}
        per_user = days.values_list("user_id").annotate(**sums).order_by()
        per_day = days.values_list("day").annotate(**sums).order_by()
        return [(u, None, m, h) for u, m, h in per_user] + [(None, d, m, h) for d, m, h in per_day]
    if isinstance(user_ids, list):
        users, params = "SELECT unnest(%s::integer[])", [user_ids]
    else:
        users, params = user_ids.query.sql_with_params()
    # `users` is SQL Django compiled (or a constant); every value in it is a parameter.
    sql = (
        "SELECT user_id, day, SUM(messages), SUM(active_hours) FROM dashboard_activityday "  # noqa: S608
        f"WHERE day >= %s AND day <= %s AND user_id IN ({users}) GROUP BY GROUPING SETS ((user_id), (day))"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [window.first, window.last, *params])
        return cursor.fetchall()


def _cases(cases: case_stats.CaseNumbers, window: Window, by_user: dict, series: dict) -> None:
    for user_id, n in cases.open_per_person.items():
        by_user[user_id].cases_open = n
    for user_id, n in cases.decided_per_person.items():
        by_user[user_id].cases_decided = n
    for day, n in cases.decided_per_day.items():
        if window.first <= day <= window.last:
            series["cases_decided"][(day - window.first).days] = n


def _meetings(scope: Scope, window: Window, week: Window, now: dt.datetime, rows: dict, series: dict) -> list:
    people = scope.person_ids
    first, last = window.start, window.end
    # This week's load and the occurrences held in the window, in one pass over the invitations.
    this_week = Q(start__gte=week.start, start__lt=week.end)
    held = Q(start__gte=first, start__lt=min(last, now))
    for person_id, n_week, minutes, n_held in (
        InvitedSlot.objects.filter(person_id__in=people)
        .filter(this_week | held)
        .values_list("person_id")
        .annotate(
            n_week=Count("pk", filter=this_week),
            minutes=Sum("minutes", filter=this_week),
            n_held=Count("pk", filter=held),
        )
        .order_by()
    ):
        rows[person_id].meetings_this_week = n_week
        rows[person_id].meeting_hours_this_week = (minutes or 0) / 60
        rows[person_id].invited_held = n_held
    for person_id, (n, answered, accepted) in attendance_stats.answers_per_person(people, first, last).items():
        rows[person_id].invitations, rows[person_id].answered, rows[person_id].accepted = n, answered, accepted
    per_person, per_day = attendance_stats.attended_per_person_and_per_day(people, first, last, BANGKOK)
    for person_id, n in per_person.items():
        rows[person_id].attended = n
    for day, n in per_day.items():
        series["meetings_attended"][(day - window.first).days] = n
    return _without_quorum(scope, first, last, now)


def _without_quorum(scope: Scope, first: dt.datetime, last: dt.datetime, now: dt.datetime) -> list[Committee]:
    """Held occurrences of the team's committee meetings with fewer of the quorum's pool in the call."""
    committees = attendance_stats.committees_of(scope.person_ids, first, last)
    if not committees:
        return []
    ids = attendance_stats.committee_ids_of(scope.person_ids, first, last)
    present = attendance_stats.present_for_quorum(ids, first, last)
    by_id = {c.meeting_id: c for c in committees}
    short = []
    for meeting_id, original_start, start in MeetingSlot.objects.filter(
        meeting_id__in=ids, start__gte=first, start__lt=min(last, now), cancelled=False
    ).values_list("meeting_id", "original_start", "start"):
        committee = by_id.get(meeting_id)  # None: made a committee between the two reads
        counted = present.get((meeting_id, original_start), 0)
        if committee is not None and counted < committee.quorum:
            short.append(Committee(committee.title, start, counted, committee.quorum))
    return sorted(short, key=lambda c: (c.start, c.title), reverse=True)
