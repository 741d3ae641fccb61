"""A server whose PostgreSQL does not answer (down, restarting, failing over): pages and the API
answer a clean 503 in the hub's own shape, never a traceback or a bare 500, and the liveness probe
still answers (tests/multihost/test_failures.py restarts a real PostgreSQL under running hosts)."""

import requests

from tests.conftest import free_port


def test_pages_and_the_api_answer_503_while_the_database_is_unreachable(start_server):
    # A port nothing listens on: every connection the pool opens is refused, as while PostgreSQL restarts.
    server = start_server(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/khurusapha", DATABASE_POOL_TIMEOUT_SECONDS="2"
    )
    # A session cookie makes the hub read the session from the database.
    cookies = {"sessionid": "a" * 32}

    page = requests.get(server.url + "/", cookies=cookies, headers={"Accept-Language": "th"}, timeout=60)
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "30"
    assert "ไม่พร้อมให้บริการชั่วครู่" in page.text  # the hub's own page, in Thai first
    assert "Traceback" not in page.text

    api = requests.get(server.url + "/api/v1/me", cookies=cookies, timeout=60)
    assert api.status_code == 503
    assert api.json()["error"]["code"] == "unavailable"
    assert api.json()["error"]["message"]

    assert requests.get(server.url + "/healthz/live", timeout=10).status_code == 200
    ready = requests.get(server.url + "/healthz/ready", timeout=30)
    assert ready.status_code == 503 and ready.json()["failing"] == ["database"]
