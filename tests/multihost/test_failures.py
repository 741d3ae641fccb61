"""Failures across the namespaced hosts, with the real services: an application host dies, and
PostgreSQL restarts under running hosts (Redis: test_two_hosts.py). Each test brings back what it
broke, so the session's one deployment serves the next."""

import json
import time
import uuid


def wait_until(check, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while not (result := check()):
        assert time.monotonic() < deadline, f"{what} within {seconds} s"
        time.sleep(0.3)
    return result


def test_when_an_application_host_dies_its_people_reconnect_to_the_other_and_nothing_acked_is_lost(deployment, clients):
    a, b, room = deployment.url(deployment.a), deployment.url(deployment.b), deployment.room_id
    tag = uuid.uuid4().hex[:6]
    # Somchai's client tries host A first, Wichai's host B (as DNS round robin spreads browsers).
    assert clients("person", name="somchai", urls=[a, b], room=room)["connected_to"] == a
    assert clients("person", name="wichai", urls=[b, a], room=room)["connected_to"] == b
    before = [f"ก่อน {tag} {n}" for n in range(5)]
    for body in before:
        assert "ack" in clients("send", name="somchai", body=body)
    assert clients("wait_body", name="wichai", body=before[-1])["found"]

    deployment.kill_host(deployment.a)
    try:
        # While Somchai's client finds its way to host B, Wichai (on B) keeps writing, and
        # Somchai writes too: it waits in his outbox and goes once his socket is back.
        meanwhile = [f"ระหว่าง {tag} {n}" for n in range(3)]
        for body in meanwhile:
            assert "ack" in clients("send", name="wichai", body=body)
        written_offline = f"ส่งระหว่างย้ายเครื่อง {tag}"
        assert "ack" in clients("send", name="somchai", body=written_offline, seconds=60)

        somchai = clients("wait_body", name="somchai", body=meanwhile[-1], seconds=60)
        assert somchai["found"], somchai
        assert somchai["connected_to"] == b and somchai["hellos"] == [a, b]
        # Every message he had acked is there after the sync, with no gap, and what was sent meanwhile.
        assert set(before + meanwhile + [written_offline]) <= set(somchai["bodies"])
        assert somchai["seqs"] == list(range(1, somchai["last_seq"] + 1))
        assert somchai["outbox"] == 0
        assert clients("wait_body", name="wichai", body=written_offline)["found"]
        assert clients("state", name="wichai")["hellos"] == [b]  # host B's people never noticed
    finally:
        deployment.revive_host(deployment.a)


def test_when_postgresql_restarts_requests_answer_503_and_the_same_processes_recover(deployment, clients):
    a, b, room = deployment.url(deployment.a), deployment.url(deployment.b), deployment.room_id
    tag = uuid.uuid4().hex[:6]
    servers = {
        host.name: [p for p in host.processes if "hub.serve" in " ".join(p.args)]
        for host in (deployment.a, deployment.b)
    }
    clients("person", name="somchai", urls=[a], room=room)
    clients("person", name="wichai", urls=[b], room=room)
    assert "ack" in clients("send", name="somchai", body=f"ก่อนฐานข้อมูลดับ {tag}")

    deployment.stop_postgres()
    try:
        page = clients("http", url=a + "/", name="somchai", headers={"Accept-Language": "th"})
        assert page["status"] == 503, page  # the hub's own answer through nginx, not nginx's 502
        assert "ไม่พร้อมให้บริการชั่วครู่" in page["text"] and "Traceback" not in page["text"]
        assert page["headers"]["retry-after"] == "30"
        api = clients("http", url=b + "/api/v1/me", name="somchai")
        assert api["status"] == 503 and json.loads(api["text"])["error"]["code"] == "unavailable", api
        for url in (a, b):
            ready = clients("http", url=url + "/healthz/ready")
            assert ready["status"] == 503 and json.loads(ready["text"])["failing"] == ["database"]
            assert clients("http", url=url + "/healthz/live")["status"] == 200
        # A message sent now is answered with an error frame, and the socket stays open.
        refused = clients("send", name="somchai", body=f"ระหว่างฐานข้อมูลดับ {tag}", seconds=60)
        assert refused.get("error", {}).get("code") == "server_error", refused
    finally:
        deployment.start_postgres()

    # The same processes answer again, without a restart: the pool opens new connections.
    for url in (a, b):
        wait_until(lambda url=url: clients("http", url=url + "/healthz/ready")["status"] == 200, "ready", 60)
    assert clients("http", url=a + "/", name="somchai")["status"] == 200
    after = f"หลังฐานข้อมูลกลับมา {tag}"
    assert "ack" in clients("send", name="somchai", body=after)
    assert clients("wait_body", name="wichai", body=after)["found"]
    # On the sockets they had all along: neither was closed by the outage.
    assert clients("state", name="somchai")["hellos"] == [a]
    assert clients("state", name="wichai")["hellos"] == [b]
    for host in (deployment.a, deployment.b):
        assert all(process.poll() is None for process in servers[host.name]), host.name


def test_when_redis_restarts_open_sockets_are_closed_reconnect_on_their_own_and_deliver_again(deployment, clients):
    a, b, room = deployment.url(deployment.a), deployment.url(deployment.b), deployment.room_id
    tag = uuid.uuid4().hex[:6]
    clients("person", name="somchai", urls=[a], room=room)
    clients("person", name="wichai", urls=[b], room=room)
    deployment.stop_redis()
    try:
        time.sleep(6)  # the fan-out's probes fail meanwhile, every 5 s
    finally:
        deployment.start_redis()
    # Each process closes its sockets with 4012 ("events may have been lost"); the clients come
    # back by themselves, sync, and live events flow between the hosts again.
    for name in ("somchai", "wichai"):
        state = wait_until(
            lambda name=name: (s := clients("state", name=name))["connected_to"] and len(s["hellos"]) >= 2 and s,
            f"{name} back",
        )
        assert 4012 in state["closes"], state
    after = f"หลัง Redis กลับมา {tag}"
    assert "ack" in clients("send", name="somchai", body=after)
    assert clients("wait_body", name="wichai", body=after)["found"]
    back = f"ตอบจาก B {tag}"
    assert "ack" in clients("send", name="wichai", body=back)
    assert clients("wait_body", name="somchai", body=back)["found"]
