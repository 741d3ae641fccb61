"""Meetings on PostgreSQL and Redis: pages, feed, find a time, scheduling, and reminders through Huey consumers."""

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


def seed_year(count: int) -> None:
    """A person with `count` recurring meetings over the coming year (issue #9), with a few colleagues."""
    from django.contrib.auth import get_user_model

    from directory.models import Person
    from meetings import selectors, services
    from meetings.recurrence import Recurrence

    user, _ = get_user_model().objects.get_or_create(username="bench-year")
    person, _ = Person.objects.get_or_create(
        email="year@bench.ksp", defaults={"first_name_th": "ทั้ง", "last_name_th": "ปี", "user": user}
    )
    have = selectors.meetings_of(person).count()
    if have >= count:
        return
    print(f"seeding {count - have} recurring meetings over a year for one person ...", flush=True)
    colleagues = list(Person.objects.filter(team__code="bench-1").order_by("pk").values_list("pk", flat=True)[1:10])
    rng = random.Random(9)
    today = dt.date.today() + dt.timedelta(days=1)
    until = today + dt.timedelta(days=365)
    for n in range(have, count):
        day = today + dt.timedelta(days=rng.randrange(0, 28))
        start = dt.datetime.combine(day, dt.time(8 + n % 9, (n % 4) * 15))
        recurrence = [
            Recurrence(frequency="weekly", weekdays=[n % 5], until=until),
            Recurrence(frequency="weekly", weekdays=[(n + 2) % 5], until=until),
            Recurrence(frequency="monthly", until=until),
        ][n % 3]
        draft = services.Draft(
            title=f"ประจำ {n}",
            start=start,
            end=start + dt.timedelta(minutes=30),
            recurrence=recurrence,
            people={pk: True for pk in colleagues[: 1 + n % 9]},
        )
        services.schedule_meeting(user, draft)


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
        f"  {label:<52} {size!s:>9} {percentile(times, 0.5):>8.2f} {percentile(times, 0.95):>8.2f} "
        f"{percentile(times, 0.99):>8.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--meetings", type=int, default=400)
    parser.add_argument("--year-meetings", type=int, default=200, help="recurring meetings of the year person")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--reminders", type=int, default=10_000, help="reminders due in one minute (0: skip)")
    parser.add_argument("--consumers", default="1,2", help="numbers of Huey consumers to try, comma-separated")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ksp_bench_meetings"),
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"))
    args = parser.parse_args()

    ensure_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    # Jobs and socket events on Redis under the bench's own prefix (its own Huey queue): the
    # consumers the bench starts read the same settings from this environment.
    os.environ["REDIS_URL"] = args.redis_url
    os.environ["CHANNELS_PREFIX"] = f"{os.environ.get('CHANNELS_PREFIX', 'ksp')}-bench-meetings"
    os.environ["STATE_DIR"] = tempfile.mkdtemp(prefix="ksp-bench-meetings-")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.console.EmailBackend"  # counted in the consumers' output
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    os.environ["HUEY_IMMEDIATE"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone
    from huey.contrib.djhuey import HUEY

    call_command("migrate", verbosity=0)
    seed(args.meetings)
    seed_year(args.year_meetings)
    HUEY.flush()  # the seeding's invitation jobs: nobody is to receive them

    from directory.models import Person
    from meetings import availability, calendars, ics, selectors, services
    from meetings.models import Meeting

    busy = Person.objects.get(email="busy@bench.ksp")
    year = Person.objects.get(email="year@bench.ksp")
    others = list(
        Person.objects.filter(team__code__startswith="bench-").order_by("pk")[:7].values_list("pk", flat=True)
    )
    organiser = Person.objects.get(user__username="bench-organiser-0")
    # Nobody's meetings: the baseline, what the same page costs with nothing in it.
    idle_user, _ = get_user_model().objects.get_or_create(username="bench-idle")
    idle, _ = Person.objects.get_or_create(
        email="idle@bench.ksp", defaults={"first_name_th": "ว่าง", "last_name_th": "มาก", "user": idle_user}
    )
    idle_colleagues = list(
        Person.objects.filter(team__code="bench-19", user=None).order_by("-pk").values_list("pk", flat=True)[:9]
    )
    year_colleagues = list(
        Person.objects.filter(team__code="bench-1").order_by("pk").values_list("pk", flat=True)[1:10]
    )
    now = timezone.now()
    window = selectors.occurrences_for(busy, now, now + selectors.MAX_WINDOW)
    year_occurrences = selectors.occurrences_for(year, now, now + dt.timedelta(days=366))
    print(
        f"machine: {platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
        f"PostgreSQL {connection.cursor().connection.info.server_version} · "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    )
    print(
        f"{Meeting.objects.count()} meetings (weekly, daily, monthly, one-off), {Person.objects.count():,} people; "
        f"the busy person has {selectors.meetings_of(busy).count()} meetings, {len(window)} occurrences in 92 days; "
        f"the year person {selectors.meetings_of(year).count()} recurring meetings, "
        f"{len(year_occurrences):,} occurrences in a year"
    )
    today = timezone.localdate()
    month = today + dt.timedelta(days=15)  # the meetings begin tomorrow: a month that has them

    def page(person: Person, path: str):
        client = Client()
        if person.user_id:
            client.force_login(person.user)

        def get():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response.content

        return get

    def feed_path(person: Person) -> str:
        feed = selectors.feed_of(person) or services.renew_feed(person.user)
        return f"/meetings/feed/{feed.secret}.ics"

    print("\nissue #9, full requests through Django (the test client: no network), server time:")
    print(f"  {'request':<52} {'bytes':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    month_path = f"/meetings/?view=month&date={month:%Y-%m-%d}"
    timed("year person's month page", args.runs, page(year, month_path))
    timed("  baseline: a person with no meetings", args.runs, page(idle, month_path))
    runs = max(args.runs // 5, 5)
    timed("year person's webcal feed", runs, page(year, feed_path(year)))
    timed("  baseline: a person with no meetings", runs, page(idle, feed_path(idle)))
    timed(
        "find a time: year person + 9, 1 hour, 14 days",
        runs,
        lambda: availability.find_times(year.user, [year.pk, *year_colleagues], dt.timedelta(hours=1)),
    )
    timed(
        "  baseline: 10 people with no meetings",
        runs,
        lambda: availability.find_times(idle.user, [idle.pk, *idle_colleagues], dt.timedelta(hours=1)),
    )

    print("\nthe busy person, function calls:")
    print(f"  {'server time of':<52} {'items':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    timed("week page grid (calendars.week_of)", args.runs, lambda: calendars.week_of(busy, today)["days"])
    timed("month page grid (calendars.month_of)", args.runs, lambda: calendars.month_of(busy, month)["busy_days"])
    timed(
        "occurrences_for, 92 days",
        args.runs,
        lambda: selectors.occurrences_for(busy, now, now + selectors.MAX_WINDOW),
    )
    timed(
        "find a time: 8 people, 1 hour, 14 days",
        runs,
        lambda: availability.find_times(organiser.user, [busy.pk, *others], dt.timedelta(hours=1)),
    )
    timed("private feed (.ics of every meeting)", runs, lambda: ics.person_feed(busy, "https://x"))
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

    timed("schedule a meeting (write, chat room, checks)", runs, schedule)
    HUEY.flush()

    if args.reminders:
        from bench import _reminders

        _reminders.bench(args.reminders, [int(n) for n in args.consumers.split(",")])


if __name__ == "__main__":
    main()
