"""/metrics: Prometheus's text format for the configured scrapers only, counting what real sockets did."""

import asyncio
import json
import time

import pytest
import requests
import websockets
from django.conf import settings
from django.utils import timezone
from huey import RedisHuey, SqliteHuey
from prometheus_client.parser import text_string_to_metric_families

from chat.services import open_direct
from licensing.models import InboxEvent
from tests.factories import make_person
from tests.hub.test_servers import cookie_header, log_in

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = "scraper-token-for-the-test-0123456789"


def samples(text: str) -> dict[str, float]:
    """Every sample of the exposition by name and labels, e.g. 'ksp_ws_frames_in_total' or
    'ksp_channel_layer_errors_total{operation=publish}'."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f"{key}={value}" for key, value in sorted(sample.labels.items()))
            found[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return found


def scrape(server) -> dict[str, float]:
    response = requests.get(server.url + "/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/plain")
    return samples(response.text)


@pytest.fixture
def metrics_server(start_server, tmp_path):
    # Only a network the test never comes from, and the token.
    return start_server(
        PROMETHEUS_MULTIPROC_DIR=tmp_path,
        METRICS_ALLOWED_NETWORKS="192.0.2.0/24",
        METRICS_TOKEN=TOKEN,
    )


def test_metrics_are_refused_to_anyone_but_the_scrapers(metrics_server):
    assert requests.get(metrics_server.url + "/metrics", timeout=10).status_code == 403
    wrong = {"Authorization": "Bearer not-the-token"}
    refused = requests.get(metrics_server.url + "/metrics", headers=wrong, timeout=10)
    assert refused.status_code == 403
    assert "ksp_" not in refused.text


def test_a_scraper_on_an_allowed_network_needs_no_token(start_server, tmp_path):
    server = start_server(PROMETHEUS_MULTIPROC_DIR=tmp_path, METRICS_ALLOWED_NETWORKS="127.0.0.0/8")
    response = requests.get(server.url + "/metrics", timeout=10)
    assert response.status_code == 200
    assert "ksp_ws_open_sockets" in samples(response.text)


def test_with_no_scraper_configured_nobody_reads_the_metrics(start_server):
    server = start_server(METRICS_ALLOWED_NETWORKS="", METRICS_TOKEN="")
    assert requests.get(server.url + "/metrics", timeout=10).status_code == 403


def test_counters_move_when_a_real_socket_sends_frames(metrics_server):
    somchai, wichai = make_person("somchai"), make_person("wichai")
    room = open_direct(somchai.user, [wichai.user])
    session = log_in(metrics_server, "somchai")
    before = scrape(metrics_server)
    assert before["ksp_ws_open_sockets"] == 0

    async def scenario():
        headers = {"Cookie": cookie_header(session), "Origin": metrics_server.url}
        async with websockets.connect(metrics_server.ws_url, additional_headers=headers) as socket:
            assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "hello"
            for n in range(3):
                frame = {"type": "message.send", "room": room.pk, "body": f"สวัสดี {n}", "client_id": f"c{n}"}
                await socket.send(json.dumps(frame))
            for n in range(5):
                await socket.send(json.dumps({"type": "ping", "ref": n}))
            acks = pongs = 0
            while acks < 3 or pongs < 5:
                event = json.loads(await asyncio.wait_for(socket.recv(), 10))
                acks += event["type"] == "ack"
                pongs += event["type"] == "pong"
            # Frames are added to the shared counters once a second (hub.metrics.Batched).
            deadline = asyncio.get_running_loop().time() + 5
            while True:
                found = await asyncio.to_thread(scrape, metrics_server)
                moved_in = found["ksp_ws_frames_in_total"] - before["ksp_ws_frames_in_total"]
                moved_out = found["ksp_ws_frames_out_total"] - before["ksp_ws_frames_out_total"]
                if (moved_in >= 8 and moved_out >= 9) or asyncio.get_running_loop().time() > deadline:
                    return found
                await asyncio.sleep(0.2)

    during = asyncio.run(scenario())
    assert during["ksp_ws_open_sockets"] == 1
    assert during["ksp_ws_frames_in_total"] - before["ksp_ws_frames_in_total"] == 8
    # hello, 3 acks, 5 pongs, the 3 messages echoed to the sender's own socket, and presence
    assert during["ksp_ws_frames_out_total"] - before["ksp_ws_frames_out_total"] >= 9
    assert during["ksp_ws_message_send_seconds_count"] - before["ksp_ws_message_send_seconds_count"] == 3
    assert during["ksp_ws_message_send_seconds_sum"] > 0
    assert during["ksp_ws_sockets_opened_total"] - before["ksp_ws_sockets_opened_total"] == 1
    assert during["ksp_http_requests_total{status=2xx}"] > before["ksp_http_requests_total{status=2xx}"]
    # The layer worked throughout: no errors, no lost events.
    assert during["ksp_channel_layer_errors_total{operation=publish}"] == 0
    assert during["ksp_lost_publish_notices_total{direction=sent}"] == 0

    # The server counts the socket closed once it has handled the close, a moment after the client.
    deadline = time.monotonic() + 5
    while (after := scrape(metrics_server))["ksp_ws_open_sockets"] != 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert after["ksp_ws_open_sockets"] == 0


def test_the_job_queue_and_the_webhook_inbox_are_measured(metrics_server, server_env):
    found = scrape(metrics_server)
    assert found["ksp_jobs_pending"] == 0
    assert found["ksp_webhook_inbox_events{state=pending}"] == 0
    assert found["ksp_webhook_inbox_events{state=failed}"] == 0
    for n, state in enumerate(["pending", "failed", "failed", "done"]):
        InboxEvent.objects.create(
            event_id=f"evt_{n}",
            type="case.opened",
            case_number=f"KSP-69-00000{n}",
            occurred_at=timezone.now(),
            body="{}",
            state=state,
        )
    # A job enqueued on the server's queue (its own name), with no consumer running in this test.
    name = f"{server_env['CHANNELS_PREFIX']}-jobs"
    if settings.REDIS_URL:  # the queue the server reads: Redis where there is one (CI), else SQLite
        queue = RedisHuey(name=name, url=settings.REDIS_URL)
    else:
        queue = SqliteHuey(name=name, filename=settings.HUEY["connection"]["filename"])
    queue.task(name="waiting")(lambda: None)()
    try:
        found = scrape(metrics_server)
    finally:
        queue.flush()  # the session's servers share the queue: leave it empty
    assert found["ksp_webhook_inbox_events{state=pending}"] == 1
    assert found["ksp_webhook_inbox_events{state=failed}"] == 2
    assert found["ksp_jobs_pending"] == 1
