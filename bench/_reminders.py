"""Reminders due in the same minute through real `run_huey` consumers on Redis, against no-op jobs."""

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from huey.contrib.djhuey import db_task

ROOT = Path(__file__).resolve().parent.parent
PER_MEETING = 100  # invited people per meeting (the organiser is reminded too)


@db_task()
def noop() -> int:
    """The engine's own cost: a job that does nothing (returns 1 so Huey stores a result to count)."""
    return 1


def seed(reminders: int) -> list[int]:
    """Meetings starting in 8–9 minutes whose people add up to `reminders` reminders, all due now."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from directory.models import Person, Team
    from meetings import services

    team = Team.objects.get(code="bench-0")
    have = Person.objects.filter(email__endswith="@remind.bench.ksp").count()
    Person.objects.bulk_create(
        Person(first_name_th="เตือน", last_name_th=str(k), email=f"r{k}@remind.bench.ksp", team=team)
        for k in range(have, reminders)
    )
    people = list(
        Person.objects.filter(email__endswith="@remind.bench.ksp").order_by("pk").values_list("pk", flat=True)
    )
    start = (timezone.localtime() + dt.timedelta(minutes=9)).replace(tzinfo=None, second=0, microsecond=0)
    ids = []
    done = 0
    for n in range((reminders + PER_MEETING) // (PER_MEETING + 1)):
        # Each meeting reminds its invited people and its organiser, one of the reminded people.
        size = min(PER_MEETING + 1, reminders - done)
        if size < 1:
            break
        chunk = people[done : done + size]
        user, _ = get_user_model().objects.get_or_create(username=f"bench-remind-{n}")
        Person.objects.filter(pk=chunk[0]).update(user=user)
        draft = services.Draft(
            title=f"เตือน {n}",
            start=start,
            end=start + dt.timedelta(minutes=30),
            people={pk: True for pk in chunk[1:]},
        )
        ids.append(services.schedule_meeting(user, draft).pk)
        done += size
    return ids


def expected(meeting_ids: list[int]) -> int:
    from meetings import reminders
    from meetings.models import Meeting

    return sum(len(reminders._people_of(m)) for m in Meeting.objects.filter(pk__in=meeting_ids))


class Consumers:
    """`manage.py run_huey` processes (without their minute scheduler: the bench enqueues the
    minute's job itself, once per consumer as each consumer's scheduler would)."""

    def __init__(self, count: int):
        self.count = count
        self.dir = Path(tempfile.mkdtemp(prefix="ksp-bench-consumers-"))
        self.processes = []

    def __enter__(self):
        for n in range(self.count):
            out = open(self.dir / f"{n}.out", "wb")  # closed in __exit__
            err = open(self.dir / f"{n}.err", "wb")
            command = [sys.executable, "-m", "bench._consumer", "--no-periodic"]
            process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=err, env=os.environ)
            self.processes.append((process, out, err))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # ready: every consumer has logged its start
            logs = [(self.dir / f"{n}.err").read_text(errors="replace") for n in range(self.count)]
            if all("consumer started" in log for log in logs):
                break
            time.sleep(0.2)
        return self

    def emails(self) -> list[str]:
        """Recipients of every e-mail the consumers wrote (the console backend, to their stdout)."""
        recipients = []
        for n in range(self.count):
            for line in (self.dir / f"{n}.out").read_text(errors="replace").splitlines():
                if line.startswith("To: "):
                    recipients.append(line[4:].strip())
        return recipients

    def ran(self, job: str) -> list[int]:
        """How many times each consumer ran that job: distinct task ids in its log (whose lines may
        appear twice, through Huey's handler and the root one)."""
        logs = [(self.dir / f"{n}.err").read_text(errors="replace") for n in range(self.count)]
        return [len(set(re.findall(rf"Executing {re.escape(job)}: (\S+)", log))) for log in logs]

    def __exit__(self, *exc):
        for process, _out, _err in self.processes:
            process.terminate()
        for process, out, err in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            out.close()
            err.close()


def run_reminders(consumers: int, meeting_ids: list[int], want: int) -> None:
    from django.db.models import Max
    from django.utils import timezone
    from huey.contrib.djhuey import HUEY

    from meetings import tasks
    from meetings.models import Meeting, ReminderSent

    if Meeting.objects.filter(pk__in=meeting_ids, starts_at__lte=timezone.now() + dt.timedelta(seconds=60)).exists():
        print(f"  {consumers} consumer(s): skipped, the bench meetings start too soon (re-run the bench)")
        return
    rows = ReminderSent.objects.filter(meeting_id__in=meeting_ids)
    rows.delete()
    HUEY.flush()
    with Consumers(consumers) as running:
        started = timezone.now()
        begin = time.perf_counter()
        for _ in range(consumers):
            tasks.send_reminders()
        while rows.count() < want and time.perf_counter() - begin < 900:
            time.sleep(0.2)
        last = rows.aggregate(last=Max("sent_at"))["last"]
        while HUEY.pending_count() or len(running.emails()) < want:  # let every enqueued run finish
            if time.perf_counter() - begin > 900:
                break
            time.sleep(0.5)
        time.sleep(2)
        sent = rows.count()
        unique = rows.values("meeting", "person", "original_start").distinct().count()
        ran = running.ran("meetings.tasks.send_reminders")
    emails = [e for e in running.emails() if e.endswith("@remind.bench.ksp") or e.endswith("@bench.ksp")]
    shutil.rmtree(running.dir)
    seconds = (last - started).total_seconds() if last else float("nan")
    print(
        f"  {consumers} consumer(s): {sent:,} of {want:,} reminders, last sent after {seconds:.1f} s "
        f"({want / seconds:,.0f}/s); {unique:,} distinct rows, {len(emails):,} e-mails to "
        f"{len(set(emails)):,} addresses → {'none twice' if len(emails) == len(set(emails)) == sent else 'CHECK'} "
        f"(runs of the job per consumer: {ran})"
    )


def run_noop(consumers: int, jobs: int) -> None:
    from huey.contrib.djhuey import HUEY

    HUEY.flush()
    with Consumers(consumers) as running:
        begin = time.perf_counter()
        for _ in range(jobs):
            noop()
        enqueued = time.perf_counter() - begin
        while HUEY.result_count() < jobs and time.perf_counter() - begin < 900:
            time.sleep(0.05)
        total = time.perf_counter() - begin
        done = HUEY.result_count()
    HUEY.flush()
    shutil.rmtree(running.dir)
    print(
        f"  {consumers} consumer(s): {done:,} of {jobs:,} no-op jobs done after {total:.1f} s "
        f"(enqueueing took {enqueued:.1f} s; {jobs / total:,.0f}/s)"
    )


def bench(reminders: int, consumer_counts: list[int]) -> None:
    from django.conf import settings

    print(
        f"\n{reminders:,} reminders due in the same minute ({PER_MEETING + 1} people a meeting), "
        f"{settings.HUEY['huey_class']} '{settings.HUEY['name']}', {settings.HUEY['consumer']} per consumer:"
    )
    meeting_ids = seed(reminders)
    want = expected(meeting_ids)
    for count in consumer_counts:
        run_reminders(count, meeting_ids, want)
    print(f"baseline: {want:,} no-op jobs through the same consumers")
    for count in consumer_counts:
        run_noop(count, want)
