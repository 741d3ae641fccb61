"""Fixtures shared by every test: services that must be there, real servers, a real browser."""

import os
import shutil
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from django.conf import settings

from hub import serve

IN_CI = os.environ.get("CI", "").lower() == "true"
ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"


def require(condition: bool, reason: str) -> None:
    """Skip when a service is missing on a developer's machine; in CI a missing service is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true: {report.longrepr}"


@pytest.fixture(scope="session")
def django_db_modify_db_settings():
    """A test database of this run's own, so two test runs on one machine do not share one."""
    db = settings.DATABASES["default"]
    suffix = os.getpid()
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db["TEST"] = {**db.get("TEST", {}), "NAME": Path(settings.STATE_DIR) / f"test-{suffix}.sqlite3"}
    else:
        db["TEST"] = {**db.get("TEST", {}), "NAME": f"test_{db['NAME']}_{suffix}"}


@pytest.fixture(autouse=True)
def fresh_ephemeral_state():
    """Nobody is connected and nobody has sent anything when a test starts: presence and rate
    limits live outside the database, so its rollback does not reset them."""
    from directory import presence
    from hub import ratelimit

    presence.store().clear()
    ratelimit.reset()
    yield


# --- Redis ---------------------------------------------------------------------------------------


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    require(_redis_answers(url), f"Redis does not answer at {url}")
    return url


# --- Real servers --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _test_database_url() -> str:
    """The URL of the database pytest-django created, for a server running in another process."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{db['NAME']}"))


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://") + "/ws/"

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="session")
def server_env(django_db_setup, tmp_path_factory) -> dict:
    """Environment for a server subprocess that shares this test run's database and settings."""
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_FROM_APPS": "1",
        "MEDIA_ROOT": str(tmp_path_factory.mktemp("media")),
        "CHANNELS_PREFIX": f"ksptest{uuid.uuid4().hex[:8]}",
        "DJANGO_SETTINGS_MODULE": "hub.settings",
        "PYTHONUNBUFFERED": "1",
    }
    if not os.environ.get("REDIS_URL"):
        env.pop("REDIS_URL", None)
    return env


@pytest.fixture(scope="session")
def server_starter(server_env, tmp_path_factory):
    """Start the real ASGI app in a subprocess, served as `./run serve` serves it (hub.serve;
    SERVER=daphne in the environment for Daphne): start_server(**env) -> Server."""
    started: list[Server] = []

    def start(wait: bool = True, port: int | None = None, **env_overrides) -> Server:
        port = port or free_port()
        log = tmp_path_factory.mktemp("server") / f"server-{port}.log"
        env = {**server_env, **{key: str(value) for key, value in env_overrides.items()}}
        process = subprocess.Popen(
            serve.command("127.0.0.1", port, server=env.get("SERVER")),
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        server = Server(url=f"http://127.0.0.1:{port}", process=process, log=log)
        started.append(server)
        if wait:
            wait_until_serving(server)
        return server

    yield start
    for server in started:
        server.stop()


def wait_until_serving(server: Server, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"The server exited with {server.process.returncode}:\n{server.log.read_text()}")
        try:
            requests.get(server.url + "/healthz", timeout=10)
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.1)
    raise RuntimeError(f"The server did not start within {timeout}s:\n{server.log.read_text()}")


@pytest.fixture
def start_server(server_starter):
    """start_server(**env) -> Server, for one test: stopped when the test ends, before its
    database is flushed (a server still closing sockets would query the tables being truncated,
    and PostgreSQL may then call it a deadlock)."""
    mine: list[Server] = []

    def start(*args, **kwargs) -> Server:
        server = server_starter(*args, **kwargs)
        mine.append(server)
        return server

    yield start
    for server in mine:
        server.stop()


@pytest.fixture(scope="session")
def hub_server(server_starter) -> Server:
    """One server process serving the hub for the whole test session."""
    return server_starter()


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


# --- Browser -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(monkeypatch_module):
    require(Path(CHROMIUM).exists() or shutil.which("chromium") is not None, "Debian's chromium is not installed")
    # Playwright's sync API keeps an event loop running in this thread while the module's tests run
    # (hence module scope: other modules need a thread without one). Django's ORM, used by the test
    # itself between browser steps, would otherwise refuse to run beside it.
    monkeypatch_module.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="th-TH")
    page = context.new_page()
    yield page
    context.close()


def assert_accessible(page) -> None:
    """Run axe-core on the page; fail on any serious or critical WCAG violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    )
    serious = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    details = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in serious
    )
    assert not serious, f"axe found serious accessibility violations on {page.url}:\n{details}"
