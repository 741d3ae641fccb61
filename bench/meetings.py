"""Meetings on PostgreSQL: week, month, window, find a time, the feed and scheduling, for a busy person."""

import argparse
import datetime as dt
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.directory_search import ensure_database, percentile  # noqa: E402

TEAMS, PEOPLE_PER_TEAM = 20, 50


def seed(meetings: int) -> None:
    from django.contrib.auth import get_user_model

    from directory.models import Bureau, Person, Team
    from hub.errors import Invalid
    from meetings import services
    from meetings.models import Meeting, MeetingRoom
    from meetings.recurrence import Recurrence

    if Meeting.objects.count() >= meetings:
        return
    print(f"seeding {TEAMS * PEOPLE_PER_TEAM:,} people and {meetings} meetings ...", flush=True)
    users = get_user_model().objects
    bureau, _ = Bureau.objects.get_or_create(code="bench", defaults={"name_th": "สำนักทดสอบ", "name_en": "Bench"})
    teams = []
    for n in range(TEAMS):
        team, _ = Team.objects.get_or_create(
            code=f"bench-{n}", defaults={"bureau": bureau, "name_th": f"กลุ่มงานที่ {n}", "name_en": f"Team {n}"}
        )
        teams.append(team)
        if not Person.objects.filter(team=team).exists():
            Person.objects.bulk_create(
                Person(first_name_th="คน", last_name_th=f"{n}-{k}", email=f"p{n}-{k}@bench.ksp", team=team)
                for k in range(PEOPLE_PER_TEAM)
            )
    organisers = []
    for n in range(TEAMS):
        user, _ = users.get_or_create(username=f"bench-organiser-{n}")
        person = Person.objects.filter(team=teams[n]).order_by("pk").first()
        Person.objects.filter(pk=person.pk).update(user=user)
        organisers.append(user)
    busy_user, _ = users.get_or_create(username="bench-busy")
    busy, _ = Person.objects.get_or_create(
        email="busy@bench.ksp", defaults={"first_name_th": "ยุ่ง", "last_name_th": "มาก", "user": busy_user}
    )
    rooms = [
        MeetingRoom.objects.get_or_create(name_th=f"ห้อง {n}", defaults={"name_en": f"Room {n}"})[0] for n in range(30)
    ]
    rng = random.Random(2569)
    today = dt.date.today() + dt.timedelta(days=1)
    kinds = ["weekly", "daily", "monthly", "once", "once"]
    for n in range(Meeting.objects.count(), meetings):
        kind = kinds[n % len(kinds)]
        day = today + dt.timedelta(days=rng.randrange(0, 30))
        hour = 8 + n % 9
        recurrence = {
            "weekly": Recurrence(frequency="weekly", weekdays=sorted(rng.sample(range(5), 2)), count=40),
            "daily": Recurrence(frequency="daily", until=day + dt.timedelta(days=60)),
            "monthly": Recurrence(frequency="monthly", count=12),
            "once": Recurrence(),
        }[kind]
        team = teams[n % TEAMS]
        room = rooms[n % len(rooms)].pk if kind == "once" and n % 2 else None
        start = dt.datetime.combine(day, dt.time(hour, (n * 7) % 4 * 15))
        draft = services.Draft(
            title=f"ประชุม {n}",
            start=start,
            end=start + dt.timedelta(minutes=45),
            recurrence=recurrence,
            teams={team.pk: True},
            people={busy.pk: True} if n % 3 == 0 else {},
            room_id=room,
        )
        try:
            services.schedule_meeting(organisers[n % TEAMS], draft)
        except Invalid:  # its room is taken then: the same meeting online only
            draft.room_id = None
            services.schedule_meeting(organisers[n % TEAMS], draft)


def timed(label: str, runs: int, action) -> None:
    for _ in range(3):
        action()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = action()
        times.append((time.perf_counter() - start) * 1000)
    size = len(result) if hasattr(result, "__len__") else ""
    print(
        f"  {label:<44} {size!s:>6} {percentile(times, 0.5):>8.2f} {percentile(times, 0.95):>8.2f} "
        f"{percentile(times, 0.99):>8.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--meetings", type=int, default=400)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ksp_bench_meetings"),
    )
    args = parser.parse_args()

    ensure_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.pop("REDIS_URL", None)
    # Invitation jobs queue in a throw-away SQLite file; nothing consumes them here.
    os.environ["STATE_DIR"] = tempfile.mkdtemp(prefix="ksp-bench-meetings-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    seed(args.meetings)

    from directory.models import Person
    from meetings import availability, calendars, ics, selectors, services
    from meetings.models import Meeting

    busy = Person.objects.get(email="busy@bench.ksp")
    others = list(
        Person.objects.filter(team__code__startswith="bench-").order_by("pk")[:7].values_list("pk", flat=True)
    )
    organiser = Person.objects.get(user__username="bench-organiser-0")
    now = timezone.now()
    window = selectors.occurrences_for(busy, now, now + selectors.MAX_WINDOW)
    print(
        f"machine: {platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
        f"PostgreSQL {connection.cursor().connection.info.server_version}"
    )
    print(
        f"{Meeting.objects.count()} meetings (weekly, daily, monthly, one-off), {Person.objects.count():,} people; "
        f"the busy person has {selectors.meetings_of(busy).count()} meetings, {len(window)} occurrences in 92 days"
    )
    print(f"\n  {'server time of':<44} {'items':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    today = timezone.localdate()
    timed("week page grid (calendars.week_of)", args.runs, lambda: calendars.week_of(busy, today)["days"])
    month = today + dt.timedelta(days=15)  # the meetings begin tomorrow: a month that has them
    timed("month page grid (calendars.month_of)", args.runs, lambda: calendars.month_of(busy, month)["busy_days"])
    timed(
        "occurrences_for, 92 days",
        args.runs,
        lambda: selectors.occurrences_for(busy, now, now + selectors.MAX_WINDOW),
    )
    timed(
        "find a time: 8 people, 1 hour, 14 days",
        max(args.runs // 5, 5),
        lambda: availability.find_times(organiser.user, [busy.pk, *others], dt.timedelta(hours=1)),
    )
    timed("private feed (.ics of every meeting)", max(args.runs // 5, 5), lambda: ics.person_feed(busy, "https://x"))
    counter = iter(range(10_000))

    def schedule():
        n = next(counter)
        day = today + dt.timedelta(days=40 + n % 20)
        start = dt.datetime.combine(day, dt.time(7, 0)) + dt.timedelta(minutes=n)
        return [
            services.schedule_meeting(
                organiser.user,
                services.Draft(
                    title=f"ใหม่ {n}", start=start, end=start + dt.timedelta(minutes=1), people={busy.pk: True}
                ),
            )
        ]

    timed("schedule a meeting (write, chat room, checks)", max(args.runs // 5, 5), schedule)


if __name__ == "__main__":
    main()
