"""The job queue's lag on /metrics: how long the heartbeat job waited for a real consumer."""

import subprocess
import sys
import time

import pytest
import requests

from tests.conftest import ROOT
from tests.ops.test_metrics import TOKEN, samples

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_lag_is_how_long_the_heartbeat_waited_for_a_consumer(start_server, server_env, tmp_path):
    server = start_server(PROMETHEUS_MULTIPROC_DIR=tmp_path, METRICS_TOKEN=TOKEN)
    env = {**server_env, "METRICS_TOKEN": TOKEN}

    def scrape():
        response = requests.get(server.url + "/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
        return samples(response.text)

    before = scrape()
    enqueue = "from hub.tasks import jobs_heartbeat; jobs_heartbeat()"
    subprocess.run([sys.executable, "manage.py", "shell", "-c", enqueue], cwd=ROOT, env=env, check=True, timeout=60)
    assert scrape()["ksp_jobs_pending"] == before["ksp_jobs_pending"] + 1
    time.sleep(2)  # nobody consumes: the job waits
    consumer_started = time.time()
    consumer = subprocess.Popen(
        # Without its scheduler: a heartbeat it enqueued itself, at once, would follow ours.
        [sys.executable, "manage.py", "run_huey", "--workers", "1", "--worker-type", "thread", "--no-periodic"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        # Until a heartbeat started since the consumer did (an earlier test's may be on record).
        while (found := scrape()).get("ksp_jobs_heartbeat_age_seconds", 1e9) > time.time() - consumer_started:
            assert time.monotonic() < deadline, "the consumer never ran the heartbeat"
            time.sleep(0.2)
    finally:
        consumer.terminate()
        consumer.wait(20)
    assert found["ksp_jobs_lag_seconds"] >= 2
    assert found["ksp_jobs_lag_seconds"] < 30
    assert found["ksp_jobs_heartbeat_age_seconds"] < 20
