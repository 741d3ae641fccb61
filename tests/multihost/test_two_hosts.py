"""The hub on two application hosts and one data host: a person on host A and a person on host B chat."""

import json
import sys
import time

from tests.conftest import ROOT


def socket_lines(deployment, host, marks: dict) -> list[dict]:
    found = []
    for log in deployment.server_logs(host):
        for text in deployment.log_since(log, marks).splitlines():
            try:
                line = json.loads(text)
            except ValueError:
                continue
            if line.get("event") == "socket":
                found.append(line)
    return found


def chat(deployment) -> dict:
    """The client host runs tests/multihost/client.py: what each person heard."""
    a, b = deployment.url(deployment.a), deployment.url(deployment.b)
    result = deployment.client.run(
        [sys.executable, "-m", "tests.multihost.client", "--a", a, "--b", b, "--room", str(deployment.room_id)],
        cwd=ROOT,
        env=deployment.env,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def status_from_client(deployment, host, path: str) -> int:
    probe = "import requests, sys; print(requests.get(sys.argv[1], timeout=10).status_code)"
    url = deployment.url(host) + path
    result = deployment.client.run([sys.executable, "-c", probe, url], env=deployment.env, timeout=60)
    return int(result.stdout.strip())


def test_a_person_on_host_a_and_a_person_on_host_b_chat(deployment):
    marks = deployment.log_marks()
    heard = chat(deployment)
    assert heard["hello"] == ["somchai", "wichai"]
    assert heard["b_heard"] == "สวัสดีครับ จาก A"
    assert heard["a_heard"] == "สวัสดีค่ะ จาก B"
    assert heard["ready"] == [{"status": "ok", "checks": {"database": "ok", "redis": "ok"}, "failing": []}] * 2

    # Each socket was served on its own host, and the hub there saw the client's own address
    # through nginx (X-Forwarded-For).
    deadline = time.monotonic() + 5  # each server writes a socket's line as it sees the close
    while not (
        (on_a := socket_lines(deployment, deployment.a, marks))
        and (on_b := socket_lines(deployment, deployment.b, marks))
    ):
        assert time.monotonic() < deadline, "no socket lines"
        time.sleep(0.1)
    assert {line["client"] for line in on_a} == {deployment.client.address}
    assert {line["client"] for line in on_b} == {deployment.client.address}


def test_when_the_data_hosts_redis_restarts_both_hosts_say_so_once_and_chat_again(deployment):
    marks = deployment.log_marks()
    deployment.stop_redis()
    try:
        for host in (deployment.a, deployment.b):
            assert status_from_client(deployment, host, "/healthz/ready") == 503
            assert status_from_client(deployment, host, "/healthz/live") == 200
        time.sleep(6)  # the fan-out's probes fail meanwhile, every 5 s
    finally:
        deployment.start_redis()
    heard = chat(deployment)
    assert heard["b_heard"] == "สวัสดีครับ จาก A" and heard["a_heard"] == "สวัสดีค่ะ จาก B"
    for host in (deployment.a, deployment.b):
        for log in deployment.server_logs(host):
            text = deployment.log_since(log, marks)
            # One line when it began and (once a probe went through) at most one when it ended.
            assert text.count("Redis is down") <= 1, text
            assert text.count("Redis answers again") <= text.count("Redis is down")
            assert "Traceback" not in text, text
        assert any("Redis is down" in deployment.log_since(log, marks) for log in deployment.server_logs(host))
