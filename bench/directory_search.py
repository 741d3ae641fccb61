"""Directory search latency over 10,000 people on PostgreSQL, with and without the trigram index."""

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIRST_TH = [
    "สมชาย",
    "สมศรี",
    "ประเสริฐ",
    "วิชัย",
    "อนงค์",
    "กิตติ",
    "จันทร์เพ็ญ",
    "ธีรพงษ์",
    "สุดารัตน์",
    "พรทิพย์",
    "ณัฐวุฒิ",
    "ศิริพร",
    "อัครพล",
    "วราภรณ์",
    "ปิยะ",
    "มาลี",
    "สุรชัย",
    "นภา",
    "เกียรติศักดิ์",
    "รัตนา",
]
LAST_TH = [
    "ใจดี",
    "มีสุข",
    "วงศ์ไพบูลย์",
    "ศรีสุข",
    "ทองดี",
    "แสงทอง",
    "รักษ์ไทย",
    "พรหมมา",
    "จันทโสภณ",
    "เรืองศรี",
    "บุญมา",
    "สมบูรณ์",
    "ประเสริฐวงศ์",
    "กาญจนา",
    "อินทร์แก้ว",
]
FIRST_EN = [
    "Somchai",
    "Somsri",
    "Prasert",
    "Wichai",
    "Anong",
    "Kitti",
    "Janpen",
    "Theerapong",
    "Sudarat",
    "Porntip",
    "Nattawut",
    "Siriporn",
    "Akkarapon",
    "Waraporn",
    "Piya",
    "Malee",
    "Surachai",
    "Napa",
    "Kiattisak",
    "Rattana",
]
LAST_EN = [
    "Jaidee",
    "Meesuk",
    "Wongpaiboon",
    "Srisuk",
    "Thongdee",
    "Saengthong",
    "Rakthai",
    "Phromma",
    "Jantasopon",
    "Ruangsri",
    "Boonma",
    "Somboon",
    "Prasertwong",
    "Kanchana",
    "Inkaew",
]
NICKNAMES = ["ต้น", "ปุ๊ก", "เบิร์ด", "นุ", "เพ็ญ", "แอน", "บอล", "ฝน", "กิ๊ฟ", "โอ๊ต", ""]
POSITIONS = [
    ("นักวิชาการศึกษาชำนาญการ", "Education Officer"),
    ("นักวิชาการคอมพิวเตอร์", "Computer Officer"),
    ("นิติกรชำนาญการ", "Legal Officer"),
    ("เจ้าพนักงานธุรการ", "Administrative Officer"),
]
SKILLS = ["Python", "งานทะเบียน", "ใบอนุญาตครู", "กฎหมายวิชาชีพ", "Excel", "ประชาสัมพันธ์", "งบประมาณ", "เครือข่าย"]
QUERIES = ["สมช", "ชาย", "ใจดี", "som", "Jaidee", "ต้น", "python", "สม ใจ", "ประเสริฐวงศ์", "นิติกร", "zzz-no-match"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def seed(count: int) -> None:
    from django.contrib.auth import get_user_model

    from directory.models import Bureau, Person, Team
    from directory.services import refresh_search_documents

    if Person.objects.count() == count:
        return
    print(f"seeding {count:,} people ...", flush=True)
    Person.objects.all().delete()
    get_user_model().objects.filter(username__startswith="bench").delete()
    bureau, _ = Bureau.objects.get_or_create(code="bench", defaults={"name_th": "สำนักทดสอบ", "name_en": "Bench"})
    teams = [
        Team.objects.get_or_create(
            code=f"bench-{n}", defaults={"bureau": bureau, "name_th": f"กลุ่มงานที่ {n}", "name_en": f"Team {n}"}
        )[0]
        for n in range(40)
    ]
    rng = random.Random(2569)
    people = []
    for n in range(count):
        first, last = rng.randrange(len(FIRST_TH)), rng.randrange(len(LAST_TH))
        position = rng.choice(POSITIONS)
        people.append(
            Person(
                kind="expert" if n % 50 == 0 else "staff",
                title_th=rng.choice(["นาย", "นาง", "นางสาว"]),
                first_name_th=FIRST_TH[first],
                last_name_th=LAST_TH[last],
                first_name_en=FIRST_EN[first],
                last_name_en=LAST_EN[last],
                nickname=rng.choice(NICKNAMES),
                position_th=position[0],
                position_en=position[1],
                team=rng.choice(teams),
                email=f"person{n}@bench.ksp",
                skills=", ".join(rng.sample(SKILLS, 2)),
            )
        )
    Person.objects.bulk_create(people, batch_size=1000)
    refresh_search_documents()
    user = get_user_model().objects.create(username="bench-viewer")
    Person.objects.filter(email="person1@bench.ksp").update(user=user, kind="staff")


def measure(label: str, runs: int) -> list[float]:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from directory.selectors import search_people

    viewer = get_user_model().objects.get(username="bench-viewer")
    connection.ensure_connection()
    all_times = []
    print(f"\n{label}")
    print(f"  {'query':<14} {'hits':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for query in QUERIES:
        for _ in range(5):  # warm the caches and the plan
            search_people(viewer, query, limit=30)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            page = search_people(viewer, query, limit=30)
            times.append((time.perf_counter() - start) * 1000)
        all_times.extend(times)
        print(
            f"  {query:<14} {page.total:>6} {percentile(times, 0.5):>8.2f} {percentile(times, 0.95):>8.2f} "
            f"{percentile(times, 0.99):>8.2f}"
        )
    print(
        f"  {'all':<14} {'':>6} {percentile(all_times, 0.5):>8.2f} {percentile(all_times, 0.95):>8.2f} "
        f"{percentile(all_times, 0.99):>8.2f}   mean {statistics.mean(all_times):.2f}"
    )
    return all_times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=100, help="timed searches per query")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ksp_bench")
    )
    args = parser.parse_args()

    ensure_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.pop("REDIS_URL", None)  # presence comes from memory: the query is what is measured
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    seed(args.people)
    print(
        f"machine: {platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
        f"PostgreSQL {connection.cursor().connection.info.server_version}"
    )
    print(
        f"{args.people:,} people, {args.runs} timed searches per query, server time of "
        "directory.selectors.search_people (query, ranking, count, presence), limit 30"
    )

    indexed = measure("with the trigram index (as shipped)", args.runs)
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX directory_person_search_trgm")
    try:
        baseline = measure("baseline: the same search without the trigram index (sequential scan)", args.runs)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE INDEX directory_person_search_trgm ON directory_person USING gin (search_document gin_trgm_ops)"
            )
    p95, base95 = percentile(indexed, 0.95), percentile(baseline, 0.95)
    print(
        f"\nresult: p95 {p95:.2f} ms with the index, {base95:.2f} ms without; target p95 < 20 ms: "
        f"{'met' if p95 < 20 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
