"""The real ASGI app in a server process: health, sockets over the network, several processes on one Redis."""

import asyncio
import json
import os
import subprocess
import sys

import pytest
import requests
import websockets

from tests.conftest import ROOT, free_port, require
from tests.factories import PASSWORD, make_person

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(server, username: str) -> requests.Session:
    """Log in through the real login form, as a browser does."""
    session = requests.Session()
    session.get(server.url + "/login/", timeout=10)
    response = session.post(
        server.url + "/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": server.url + "/login/"},
        timeout=10,
    )
    assert response.status_code == 200 and response.url == server.url + "/", response.text[:500]
    return session


def cookie_header(session: requests.Session) -> str:
    return "; ".join(f"{name}={value}" for name, value in session.cookies.items())


def test_healthz_reports_both_database_and_channel_layer(hub_server):
    response = requests.get(hub_server.url + "/healthz", timeout=10)
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "channel_layer": "ok"}


def test_healthz_names_the_database_when_it_does_not_answer(start_server):
    server = start_server(DATABASE_URL=f"postgres://nobody@127.0.0.1:{free_port()}/nothing")
    response = requests.get(server.url + "/healthz", timeout=15)
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database"]
    assert body["checks"]["channel_layer"] == "ok"


def test_healthz_names_the_channel_layer_when_redis_does_not_answer(start_server):
    server = start_server(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    response = requests.get(server.url + "/healthz", timeout=15)
    assert response.status_code == 503
    assert response.json()["failing"] == ["channel_layer"]


def test_login_and_socket_over_the_network(hub_server):
    make_person("somchai")
    session = log_in(hub_server, "somchai")

    async def scenario():
        headers = {"Cookie": cookie_header(session), "Origin": hub_server.url}
        async with websockets.connect(hub_server.ws_url, additional_headers=headers) as socket:
            hello = json.loads(await asyncio.wait_for(socket.recv(), 10))
            await socket.send(json.dumps({"type": "ping", "ref": 1}))
            while (pong := json.loads(await asyncio.wait_for(socket.recv(), 10)))["type"] != "pong":
                pass  # presence of the person's own arrival may come first
            return hello, pong

    hello, pong = asyncio.run(scenario())
    assert hello["user"]["username"] == "somchai"
    assert pong == {"type": "pong", "ref": 1}


def test_unknown_page_on_the_real_server_is_a_localised_404(hub_server):
    response = requests.get(hub_server.url + "/nowhere", timeout=10)
    assert response.status_code == 404
    assert "ไม่พบหน้าที่ต้องการ" in response.text


def test_static_files_and_the_sarabun_font_are_served_locally(hub_server):
    css = requests.get(hub_server.url + "/static/css/fonts.css", timeout=10)
    assert css.status_code == 200 and "Sarabun" in css.text
    font = requests.get(hub_server.url + "/static/fonts/sarabun/sarabun-thai-400-normal.woff2", timeout=10)
    assert font.status_code == 200 and font.content[:4] == b"wOF2"


@pytest.mark.services
def test_logout_on_one_process_closes_the_sessions_socket_on_another(start_server, redis_url):
    """Two server processes on one Redis: an event published in A reaches a socket held by B."""
    require(bool(os.environ.get("REDIS_URL")) or redis_url, "Redis is needed for several processes")
    server_a = start_server(REDIS_URL=redis_url)
    server_b = start_server(REDIS_URL=redis_url)
    make_person("somchai")
    session = log_in(server_a, "somchai")

    async def scenario():
        headers = {"Cookie": cookie_header(session), "Origin": server_b.url}
        async with websockets.connect(server_b.ws_url, additional_headers=headers) as socket:
            assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "hello"
            # Log out through process A, in a thread so this loop keeps reading the socket.
            logout = await asyncio.to_thread(
                session.post,
                server_a.url + "/logout/",
                data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
                headers={"Referer": server_a.url + "/"},
                timeout=10,
            )
            assert logout.status_code == 200 and logout.url.endswith("/login/")
            event = json.loads(await asyncio.wait_for(socket.recv(), 10))
            while event["type"] in ("presence", "presence.many"):  # its own arrival may be announced meanwhile
                event = json.loads(await asyncio.wait_for(socket.recv(), 10))
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(socket.recv(), 10)
            return event, closed.value.rcvd.code

    event, code = asyncio.run(scenario())
    assert event == {"type": "session.ended"}
    assert code == 4401


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "SECRET_KEY": "x" * 20 + "production-like-secret-key-with-enough-entropy-0123456789",
        "ALLOWED_HOSTS": "one.ksp.or.th",
        "HTTPS": "true",
        "DEBUG": "false",
        "STATE_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_is_off_unless_asked(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "DEBUG"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "hub.settings", "STATE_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "False", result.stderr
