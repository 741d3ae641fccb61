"""Work that must happen once although two application hosts may each do it: a meeting reminder
while both hosts' Huey consumers run, a licensing webhook delivered to both hosts at the same
moment, and a reminder batch whose consumer is killed (SIGKILL) half-way through."""

import json
import time
import uuid

from hub.signatures import sign
from tests.multihost.deployment import WEBHOOK_SECRET

# Reminders and e-mails as the meetings tests make them (tests/meetings/conftest.py), from the data
# host's shell: the invitations go at once in that shell (to memory), so the SMTP server on the
# data host sees only the reminders, which the application hosts' consumers send.
SCHEDULE = """
import datetime as dt
from django.utils import timezone
from directory.models import Person
from meetings import services
from meetings.checks import Draft
from tests.factories import make_person
organiser = Person.objects.get(user__username="somchai")
people = [Person.objects.get(user__username="wichai")]
people += [make_person(f"{TAG}n{n}", first_name_th=f"ผู้รับ{n}") for n in range(EXTRA)]
start = timezone.now() + dt.timedelta(minutes=5)  # due now: the default notice is ten minutes
meeting = services.schedule_meeting(organiser.user, Draft(
    title=f"ประชุม {TAG}", start=start, end=start + dt.timedelta(hours=1), people={p.pk: True for p in people}))
print(meeting.pk)
"""
IN_THE_SHELL = {"HUEY_IMMEDIATE": "1", "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
QUEUE_REMINDERS = "from meetings.tasks import send_reminders\nfor _ in range({n}): send_reminders()"


def schedule(deployment, tag: str, extra: int = 0) -> int:
    script = f"TAG = {tag!r}\nEXTRA = {extra}\n" + SCHEDULE
    return int(deployment.shell(script, **IN_THE_SHELL).strip().splitlines()[-1])


def reminders_mailed(deployment, tag: str) -> list[str]:
    return sorted(a for m in deployment.mails() if "to" in m and tag in m["subject"] for a in m["to"])


def claimed(deployment, meeting_id: int) -> int:
    script = (
        f"from meetings.models import ReminderSent; print(ReminderSent.objects.filter(meeting_id={meeting_id}).count())"
    )
    return int(deployment.shell(script).strip().splitlines()[-1])


def jobs_run(deployment, host, task: str) -> int:
    log = deployment.directory / f"{host.name}-jobs.log"
    return sum(1 for line in log.read_text().splitlines() if "Executing" in line and task in line)


def wait_until(check, what: str, seconds: float = 90):
    deadline = time.monotonic() + seconds
    while not (result := check()):
        assert time.monotonic() < deadline, f"{what} within {seconds} s"
        time.sleep(0.3)
    return result


def test_a_reminder_due_while_both_hosts_consumers_run_is_sent_once(deployment, clients):
    a, b, room = deployment.url(deployment.a), deployment.url(deployment.b), deployment.room_id
    clients("person", name="wichai", urls=[b, a], room=room)
    tag = f"r{uuid.uuid4().hex[:6]}"
    ran_before = {host.name: jobs_run(deployment, host, "send_reminders") for host in (deployment.a, deployment.b)}
    # Each recipient is accepted slowly, so a consumer busy with the batch leaves the next queued
    # run to the other host's consumer: both hosts run the batch at once.
    deployment.slow_mail.write_text("0.5")
    try:
        meeting = schedule(deployment, tag)
        deployment.shell(QUEUE_REMINDERS.format(n=4))
        everyone = ["somchai@ksp.test", "wichai@ksp.test"]
        wait_until(lambda: reminders_mailed(deployment, tag) == everyone, "both reminders")
        wait_until(
            lambda: all(
                jobs_run(deployment, host, "send_reminders") >= ran_before[host.name] + 1
                for host in (deployment.a, deployment.b)
            ),
            "both consumers ran the batch",
        )
        time.sleep(3)  # any second reminder would be on its way by now
    finally:
        deployment.slow_mail.unlink(missing_ok=True)
    assert reminders_mailed(deployment, tag) == everyone  # one e-mail each
    assert claimed(deployment, meeting) == 2
    reminders = [n for n in clients("state", name="wichai")["notifications"] if n.get("meeting") == meeting]
    assert len(reminders) == 1, reminders  # one notification on Wichai's socket
    assert reminders[0]["kind"] == "reminder" and reminders[0]["title"] == f"ประชุม {tag}"


def test_a_licensing_event_delivered_to_both_hosts_at_once_makes_one_case(deployment, clients):
    deployment.shell(
        "from licensing.models import TeamCaseSettings; from tests.factories import make_team\n"
        "if not TeamCaseSettings.objects.filter(is_default=True).exists():\n"
        "    TeamCaseSettings.objects.create(team=make_team('licensing-multihost'), is_default=True)"
    )
    number = f"KSP-69-{uuid.uuid4().int % 10**6:06d}"
    event = {
        "id": f"evt_multihost_{uuid.uuid4().hex}",
        "type": "case.opened",
        "occurred_at": "2026-11-23T09:15:00+07:00",
        "case": {
            "number": number,
            "license_type": "teacher",
            "request_type": "renewal",
            "status": "submitted",
            "applicant": {"name": "นางสาวสมหญิง ใจงาม", "id_masked": "x-xxxx-xxxxx-12-3"},
            "province": "เชียงใหม่",
            "submitted_at": "2026-11-22T14:02:11+07:00",
            "summary": "ขอต่ออายุใบอนุญาตประกอบวิชาชีพครู",
            "url": f"https://licensing.ksp.test/cases/{number}",
        },
    }
    # Signed as docs/licensing-integration.md §2 says: over the exact bytes sent.
    body = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    signature = sign(WEBHOOK_SECRET, body.encode(), int(time.time()))
    delivery = {
        "method": "POST",
        "data": body,
        "headers": {"Content-Type": "application/json", "X-KSP-Signature": signature},
    }
    hosts = (deployment.url(deployment.a), deployment.url(deployment.b))
    answers = clients("http_all", requests=[{**delivery, "url": f"{h}/api/v1/licensing/events"} for h in hosts])[
        "answers"
    ]

    assert sorted(answer["status"] for answer in answers) == [200, 202], answers
    stored = next(json.loads(answer["text"]) for answer in answers if answer["status"] == 202)
    assert (stored["id"], stored["status"], stored["handled"]) == (event["id"], "stored", True)
    duplicate = next(json.loads(answer["text"]) for answer in answers if answer["status"] == 200)
    assert (duplicate["id"], duplicate["status"]) == (event["id"], "duplicate")
    counts = deployment.shell(
        "from licensing.models import Case, InboxEvent, StatusChange\n"
        f"print(Case.objects.filter(number={number!r}).count(),"
        f" InboxEvent.objects.filter(event_id={event['id']!r}).count(),"
        f" StatusChange.objects.filter(case__number={number!r}).count())"
    )
    assert counts.split()[-3:] == ["1", "1", "1"]  # one case, one stored event, one status


def test_a_consumer_killed_mid_batch_runs_it_again_on_restart_and_each_reminder_goes_once(deployment):
    tag, extra, kill_at = f"k{uuid.uuid4().hex[:6]}", 10, 4
    deployment.slow_mail.write_text("0.4")
    killed = None
    try:
        meeting = schedule(deployment, tag, extra)
        everyone = sorted(["somchai@ksp.test", "wichai@ksp.test"] + [f"{tag}n{n}@ksp.test" for n in range(extra)])
        deployment.shell(QUEUE_REMINDERS.format(n=1))

        def started() -> list[dict]:
            return [m for m in deployment.mails() if "rcpt" in m and m["rcpt"] in everyone]

        # The consumer sending the kill_at-th reminder is killed while its recipient is on the wire.
        peer = wait_until(lambda: len(started()) >= kill_at and started()[-1]["peer"], "the batch under way")
        killed = next(host for host in (deployment.a, deployment.b) if host.address == peer)
        deployment.kill_consumer(killed)
        delivered_before = len(reminders_mailed(deployment, tag))
        assert delivered_before < len(everyone)  # killed mid-batch

        # Restarted, its scheduler queues the minute's reminder run as it starts, which finds
        # the unclaimed reminders in the database (the other host's consumer may as well).
        deployment.start_consumer(killed)
        killed = None
        wait_until(lambda: len(reminders_mailed(deployment, tag)) >= len(everyone), "every reminder", 120)
        time.sleep(2)
    finally:
        deployment.slow_mail.unlink(missing_ok=True)
        if killed is not None:
            deployment.start_consumer(killed)
    assert reminders_mailed(deployment, tag) == everyone  # each once: none lost, none twice
    assert claimed(deployment, meeting) == len(everyone)
