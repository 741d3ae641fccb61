"""The demo's configuration end to end: a reminder sent by the Huey consumer inside the server
process (JOBS_IN_SERVER, SQLite job storage, the in-memory channel layer) reaches the invitee's socket."""

import asyncio
import datetime as dt

import pytest
from django.utils import timezone

from meetings import services
from tests.hub.test_revoked_access import connect_as, in_another_process, next_of
from tests.hub.test_servers import log_in
from tests.meetings.conftest import draft

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_reminder_reaches_the_invitees_socket_in_the_demo_configuration(org, start_server, server_env, tmp_path):
    embedded = {"REDIS_URL": "", "JOBS_IN_SERVER": "1", "STATE_DIR": str(tmp_path)}
    server = start_server(**embedded)
    session = log_in(server, org["colleague"].user.username)

    async def listen() -> dict:
        async with connect_as(server, session) as socket:
            await next_of(socket, "hello", "ready", timeout=10)
            # Due now with the default ten minutes' notice. Huey's scheduler in the server runs the
            # periodic check once a minute; the job is queued here as it queues it (SQLite storage
            # shared with the server's consumer) rather than waiting for the next minute.
            meeting = await asyncio.to_thread(
                services.schedule_meeting,
                org["organiser"].user,
                draft(timezone.now() + dt.timedelta(minutes=5), people={org["colleague"].pk: True}),
            )
            await asyncio.to_thread(
                in_another_process,
                server_env,
                "from meetings.tasks import send_reminders; send_reminders()",
                **embedded,
            )
            frame = await next_of(socket, "notification", timeout=30)
            return meeting, frame

    meeting, frame = asyncio.run(listen())
    assert frame["kind"] == "reminder" and frame["meeting"] == meeting.pk
    assert frame["text_th"] == "จะเริ่มในอีก 5 นาที" and frame["text_en"] == "Starts in 5 minutes"
