"""Liveness and readiness: a process that answers is alive; it is ready when PostgreSQL and Redis answer."""

import time

import pytest
import requests

pytestmark = pytest.mark.django_db(transaction=True)


def test_readiness_follows_redis_and_liveness_does_not(start_server, own_redis):
    server = start_server(REDIS_URL=own_redis.url)
    ready = requests.get(server.url + "/healthz/ready", timeout=10)
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "redis": "ok"}

    own_redis.stop()
    started = time.monotonic()
    ready = requests.get(server.url + "/healthz/ready", timeout=10)
    assert time.monotonic() - started < 3  # short timeouts: a load balancer's probe does not hang
    assert ready.status_code == 503
    assert ready.json()["failing"] == ["redis"]
    assert ready.json()["checks"]["database"] == "ok"
    live = requests.get(server.url + "/healthz/live", timeout=10)
    assert live.status_code == 200 and live.json() == {"status": "ok"}

    own_redis.start()
    assert requests.get(server.url + "/healthz/ready", timeout=10).status_code == 200


def test_readiness_names_the_database_when_it_does_not_answer(start_server, own_redis):
    from tests.conftest import free_port

    server = start_server(DATABASE_URL=f"postgres://nobody@127.0.0.1:{free_port()}/nothing", REDIS_URL=own_redis.url)
    ready = requests.get(server.url + "/healthz/ready", timeout=10)
    assert ready.status_code == 503
    assert ready.json()["failing"] == ["database"]
    assert requests.get(server.url + "/healthz/live", timeout=10).status_code == 200
