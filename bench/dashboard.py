"""The managers' dashboard on PostgreSQL: 1,000,000 messages, 50,000 cases, 20,000 meeting occurrences, 500 staff."""

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.directory_search import ensure_database, percentile  # noqa: E402

BUREAUS, TEAMS_PER_BUREAU, PEOPLE_PER_TEAM = 4, 5, 25  # 20 teams, 500 staff
ROOMS = 400
HISTORY_DAYS = 180
UNUSABLE = "!"  # Django's mark of an account nobody can log in to with a password


def seed(messages: int, cases: int, occurrences: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from chat.models import Message, Room
    from directory.models import Bureau, Person, Team
    from licensing.models import Case

    users = get_user_model().objects
    if not Person.objects.filter(email__endswith="@dash.bench").exists():
        print("seeding 4 bureaus, 20 teams, 500 staff ...", flush=True)
        for b in range(BUREAUS):
            bureau = Bureau.objects.create(code=f"dash-{b}", name_th=f"สำนักที่ {b}", name_en=f"Bureau {b}")
            for t in range(TEAMS_PER_BUREAU):
                team = Team.objects.create(
                    bureau=bureau, code=f"dash-{b}-{t}", name_th=f"กลุ่มงานที่ {b}-{t}", name_en=f"Team {b}-{t}"
                )
                made = users.bulk_create(
                    get_user_model()(username=f"dash-{b}-{t}-{k}", password=UNUSABLE) for k in range(PEOPLE_PER_TEAM)
                )
                people = Person.objects.bulk_create(
                    Person(
                        user=user,
                        title_th="นาง",
                        first_name_th=f"บุคลากร{k}",
                        last_name_th=f"ทีม{b}{t}",
                        email=f"{user.username}@dash.bench",
                        team=team,
                        work_pattern={"mon": "office", "tue": "home", "wed": "office", "thu": "home", "fri": "office"},
                    )
                    for k, user in enumerate(made)
                )
                team.manager = people[0]
                team.save()
                if t == 0:
                    bureau.head = people[1]
                    bureau.save()
        Room.objects.bulk_create(Room(kind="channel", name=f"ห้อง {n}") for n in range(ROOMS))

    staff_users = list(Person.objects.filter(email__endswith="@dash.bench").values_list("user_id", flat=True))
    teams = list(Team.objects.filter(code__startswith="dash-").values_list("pk", flat=True))
    rooms = list(Room.objects.filter(name__startswith="ห้อง ").values_list("pk", flat=True))
    have = Message.objects.count()
    if have < messages:
        print(f"seeding {messages - have:,} messages over {HISTORY_DAYS} days ...", flush=True)
        with connection.cursor() as cursor:
            # Working hours mostly: a random instant of the last HISTORY_DAYS days, 07:00-19:00 Bangkok.
            cursor.execute(
                """
                INSERT INTO chat_message (room_id, seq, author_id, body, html, client_id, created_at,
                                          reply_count, version)
                SELECT (%(rooms)s::bigint[])[1 + g %% %(nrooms)s],
                       g / %(nrooms)s + 1,
                       (%(users)s::bigint[])[1 + (hashint4(g) & 2147483647) %% %(nusers)s],
                       'x', '<p>x</p>', '',
                       date_trunc('day', now() - make_interval(days => (hashint4(g + 7) & 2147483647) %% %(days)s))
                         + make_interval(mins => (hashint4(g + 13) & 2147483647) %% 720) - interval '0 hours',
                       0, 0
                FROM generate_series(%(first)s, %(last)s) AS g
                """,
                {
                    "rooms": rooms,
                    "nrooms": len(rooms),
                    "users": staff_users,
                    "nusers": len(staff_users),
                    "days": HISTORY_DAYS,
                    "first": have,
                    "last": messages - 1,
                },
            )
            cursor.execute(
                "UPDATE chat_room SET last_seq = (SELECT max(seq) FROM chat_message m WHERE m.room_id = chat_room.id)"
            )
    have = Case.objects.count()
    if have < cases:
        print(f"seeding {cases - have:,} cases ...", flush=True)
        statuses = ["submitted", "under_review", "needs_documents", "committee_review", "approved", "rejected"]
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO licensing_case (number, license_type, request_type, status, status_changed_at,
                    applicant_name, applicant_id_masked, province, summary, url, opened_at, team_id, assignee_id,
                    first_response_due, first_response_at, decided_at)
                SELECT 'DASH-' || g, 'teacher', 'renewal', s.status, o.at, '', '', '', '', '', o.at,
                       (%(teams)s::bigint[])[1 + g %% %(nteams)s],
                       (%(users)s::bigint[])[1 + (hashint4(g) & 2147483647) %% %(nusers)s],
                       o.at + interval '4 hours',
                       CASE WHEN s.status <> 'submitted'
                            THEN o.at + make_interval(mins => 30 + (hashint4(g + 3) & 2147483647) %% 600) END,
                       CASE WHEN s.status IN ('approved', 'rejected')
                            THEN o.at + make_interval(hours => 24 + (hashint4(g + 5) & 2147483647) %% 400) END
                FROM generate_series(%(first)s, %(last)s) AS g,
                     LATERAL (SELECT now() - make_interval(
                         mins => (hashint4(g + 11) & 2147483647) %% (%(days)s * 1440)) AS at) AS o,
                     LATERAL (SELECT (%(statuses)s::text[])[1 + (hashint4(g + 17) & 2147483647) %% 6] AS status) AS s
                """,
                {
                    "teams": teams,
                    "nteams": len(teams),
                    "users": staff_users,
                    "nusers": len(staff_users),
                    "days": HISTORY_DAYS,
                    "first": have,
                    "last": cases - 1,
                    "statuses": statuses,
                },
            )
    seed_meetings(occurrences)


def seed_meetings(occurrences: int) -> None:
    """One-off meetings (so one meeting is one occurrence), 4 invitees of a team each, over the last
    120 days and the next 30; 3 of 4 past invitations attended; every tenth a committee with a quorum."""
    from django.contrib.auth import get_user_model
    from schedule.models import Calendar, Event

    from directory.models import Person, Team
    from meetings.models import Attendance, Attendee, Meeting

    have = Meeting.objects.count()
    if have >= occurrences:
        return
    print(f"seeding {occurrences - have:,} meetings ...", flush=True)
    calendar, _ = Calendar.objects.get_or_create(slug="dash-bench", defaults={"name": "dash bench"})
    creator = get_user_model().objects.filter(username__startswith="dash-").first()
    teams = list(Team.objects.filter(code__startswith="dash-").order_by("pk"))
    members = {team.pk: list(Person.objects.filter(team=team).order_by("pk")) for team in teams}
    now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    for chunk in range(have, occurrences, 2000):
        n_range = range(chunk, min(occurrences, chunk + 2000))
        starts = {n: now - dt.timedelta(hours=(n * 37) % (150 * 24)) + dt.timedelta(days=30) for n in n_range}
        events = Event.objects.bulk_create(
            Event(
                calendar=calendar,
                creator=creator,
                title=f"ประชุม {n}",
                start=starts[n],
                end=starts[n] + dt.timedelta(hours=1),
            )
            for n in n_range
        )
        meetings = Meeting.objects.bulk_create(
            Meeting(
                event=event,
                title=f"ประชุม {n}",
                organiser=members[teams[n % len(teams)].pk][n % 5],
                starts_at=starts[n],
                ends_at=starts[n] + dt.timedelta(hours=1),
                quorum=3 if n % 10 == 0 else None,
            )
            for n, event in zip(n_range, events)
        )
        attendees, attendance = [], []
        for n, meeting in zip(n_range, meetings):
            team = members[teams[n % len(teams)].pk]
            for k in range(4):
                person = team[(n + k * 3) % len(team)]
                attendees.append(
                    Attendee(
                        meeting=meeting,
                        person=person,
                        response=["accepted", "pending", "declined", "tentative"][(n + k) % 4],
                    )
                )
                if starts[n] < now and (n + k) % 4:
                    attendance.append(
                        Attendance(
                            meeting=meeting,
                            person=person,
                            original_start=starts[n],
                            first_joined_at=starts[n],
                            in_call=False,
                            ends_at=starts[n] + dt.timedelta(hours=1),
                        )
                    )
        Attendee.objects.bulk_create(attendees, ignore_conflicts=True)
        Attendance.objects.bulk_create(attendance, ignore_conflicts=True)


def timed(client, url: str, runs: int) -> tuple[list[float], int]:
    times, size = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        size = len(response.content)
    return times, size


def report(url: str, viewer: str, size: int, times: list[float]) -> None:
    p50, p95 = statistics.median(times), percentile(times, 0.95)
    print(f"| `{url}` | {viewer} | {size:,} | {p50:.0f} | {p95:.0f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--occurrences", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--rebuild", action="store_true", help="count the rollups again even if they are there")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dashbench")
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"))
    args = parser.parse_args()

    ensure_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["REDIS_URL"] = args.redis_url  # presence from Redis, as in production
    os.environ["CHANNELS_PREFIX"] = f"{os.environ.get('CHANNELS_PREFIX', 'ksp')}-bench-dashboard"
    os.environ["STATE_DIR"] = tempfile.mkdtemp(prefix="ksp-bench-dashboard-")
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from chat.models import Message
    from dashboard import rollups
    from dashboard.models import ActivityDay, InvitedSlot, MeetingSlot
    from directory.models import Bureau, Person, Team
    from licensing.models import Case

    call_command("migrate", verbosity=0)
    seed(args.messages, args.cases, args.occurrences)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    rebuild_s = None
    if args.rebuild or not InvitedSlot.objects.exists():
        started = time.perf_counter()
        rollups.rebuild()
        rebuild_s = time.perf_counter() - started
    rollups.fold_messages()

    users = get_user_model().objects
    secretary, _ = users.get_or_create(username="dash-secretary-general")
    secretary.user_permissions.add(Permission.objects.get(codename="view_all_teams"))
    secretary = users.get(pk=secretary.pk)  # fresh permission cache
    Person.objects.get_or_create(
        email="sg@dash.bench", defaults={"user": secretary, "first_name_th": "เลขาธิการ", "last_name_th": "ทดสอบ"}
    )
    team = Team.objects.filter(code="dash-0-1").get()
    director = Bureau.objects.get(code="dash-0").head.user
    idle_team = Team.objects.get_or_create(
        code="dash-idle", defaults={"bureau": team.bureau, "name_th": "กลุ่มงานว่าง", "name_en": "Idle team"}
    )[0]
    idle_user, _ = users.get_or_create(username="dash-idle-manager")
    idle_manager, _ = Person.objects.get_or_create(
        email="idle@dash.bench",
        defaults={"user": idle_user, "first_name_th": "ว่าง", "last_name_th": "มาก", "team": idle_team},
    )
    Team.objects.filter(pk=idle_team.pk).update(manager=idle_manager)

    print(
        f"{Message.objects.count():,} messages, {Case.objects.count():,} cases, "
        f"{MeetingSlot.objects.count():,} meeting occurrences, "
        f"{Person.objects.filter(email__endswith='@dash.bench').count()} staff; "
        f"{ActivityDay.objects.count():,} activity rows, {InvitedSlot.objects.count():,} invited occurrences"
        + (f"; full rebuild of the rollups {rebuild_s:.1f} s" if rebuild_s is not None else "")
    )
    print(
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} cores, "
        f"PostgreSQL {connection.cursor().connection.info.server_version}, Python {platform.python_version()}"
    )
    print()
    print("| request | viewer | bytes | p50 ms | p95 ms |")
    print("|---|---|---|---|---|")
    viewers = [
        ("team manager (25 people)", team.manager.user, f"team={team.pk}&"),
        ("bureau director (5 teams, 125 people)", director, ""),
        ("secretary-general (20 teams, 500 people)", secretary, ""),
        ("baseline: manager of a team with no history (1 person)", idle_user, ""),
    ]
    for label, user, team_param in viewers:
        client = Client()
        client.force_login(user)
        for days in (7, 30, 90):
            url = f"/dashboard/?{team_param}days={days}"
            times, size = timed(client, url, args.runs)
            report(url, label, size, times)
    client = Client()
    client.force_login(secretary)
    for url in ("/api/v1/dashboard?days=90", "/dashboard/export.csv?days=90", "/dashboard/report/?days=90"):
        times, size = timed(client, url, args.runs)
        report(url, "secretary-general", size, times)

    # The minute job: 1,000 new messages folded in.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO chat_message "
            "(room_id, seq, author_id, body, html, client_id, created_at, reply_count, version) "
            "SELECT r.id, r.last_seq + g, %s, 'x', '', '', now() - interval '1 minute', 0, 0 "
            "FROM chat_room r, generate_series(1, 10) g WHERE r.name LIKE 'ห้อง %%' AND r.id IN "
            "(SELECT id FROM chat_room WHERE name LIKE 'ห้อง %%' ORDER BY id LIMIT 100)",
            [team.manager.user_id],
        )
        cursor.execute(
            "UPDATE chat_room SET last_seq = (SELECT max(seq) FROM chat_message m WHERE m.room_id = chat_room.id)"
        )
    started = time.perf_counter()
    passed = rollups.fold_messages()
    print(f"\nfold_messages of {passed:,} new ids: {(time.perf_counter() - started) * 1000:.0f} ms")
    started = time.perf_counter()
    changed = rollups.refresh_meetings()
    print(f"refresh_meetings with {changed} meetings changed: {(time.perf_counter() - started) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
