"""A deployment of the hub over network-namespace hosts (tests/multihost/netns.py), as deploy/ sets it up.

    with deployed() as deployment: ...   # a data host (PostgreSQL, Redis, an SMTP mailbox), two
                                         # application hosts (nginx, servers, a Huey consumer), a client
    with deployed(("one",), data_apart=False) as deployment: ...   # everything on one host

Used by the multi-host tests (conftest.py) and by the capacity benchmark (bench/capacity.py).
Needs root, iproute2, nginx, PostgreSQL 15's binaries and redis-server (`missing()` says which).
KEEP_MULTIHOST_LOGS=1 keeps the hosts' logs (servers, consumers, nginx, PostgreSQL, Redis) in
/tmp/ksp-multihost-* after the run.
"""

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from deploy.nginx_site import Site
from tests.multihost.netns import IP, Host, Lan, available
from tests.ops.nginx import NGINX, nginx_conf

ROOT = Path(__file__).resolve().parent.parent.parent

PG_BIN = Path("/usr/lib/postgresql/15/bin")
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
WEB_PROCESSES = 2
MAIL_PORT = 2525
WEBHOOK_SECRET = secrets.token_urlsafe(32)


@dataclass
class Deployment:
    data: Host
    hosts: list[Host]  # the application hosts
    client: Host
    directory: Path
    env: dict
    room_id: int = 0  # the seeded direct room of somchai and wichai
    web_processes: int = WEB_PROCESSES
    worker_connections: int = 512  # nginx's, per host
    redis: subprocess.Popen | None = None
    postgres: subprocess.Popen | None = None
    mail: Path | None = None  # one JSON line per message the data host's SMTP server accepted
    slow_mail: Path | None = None  # while it exists, the SMTP server accepts each recipient slowly
    consumers: dict = field(default_factory=dict)  # host name -> its Huey consumer

    @property
    def a(self) -> Host:
        return self.hosts[0]

    @property
    def b(self) -> Host:
        return self.hosts[1]

    def stop_redis(self) -> None:
        self.redis.terminate()
        self.redis.wait(10)

    def start_redis(self) -> None:
        self.redis = _start_redis(self.data, self.directory)

    def stop_postgres(self) -> None:
        """A fast shutdown, as a restart or a failover does: open connections are cut."""
        pg_ctl = [str(PG_BIN / "pg_ctl"), "-D", str(self.directory / "pg"), "stop", "-m", "fast", "-w"]
        self.data.run(["runuser", "-u", "postgres", "--", *pg_ctl], timeout=60)
        self.postgres.wait(30)

    def start_postgres(self) -> None:
        self.postgres = _start_postgres(self.data, self.directory)

    def kill_host(self, host: Host) -> None:
        """The machine dies: every process in its namespace is killed at once, then its link goes."""
        for pid in subprocess.run([IP, "netns", "pids", host.name], capture_output=True, text=True).stdout.split():
            subprocess.run(["kill", "-KILL", pid], capture_output=True)
        for process in host.processes:
            if process.poll() is None:
                process.wait(10)
        host.processes.clear()
        host.run([IP, "link", "set", "eth0", "down"])

    def revive_host(self, host: Host) -> None:
        """The machine comes back: its link, then its servers, consumer and nginx, until ready."""
        host.run([IP, "link", "set", "eth0", "up"])
        _start_application_host(self, host)
        _wait(lambda: _ready(host), f"host {host.name}", 90)

    def kill_consumer(self, host: Host) -> None:
        consumer = self.consumers[host.name]
        consumer.kill()  # SIGKILL: no clean shutdown, the task it runs is cut off
        consumer.wait(10)

    def start_consumer(self, host: Host) -> None:
        self.consumers[host.name] = _start_consumer(self, host)

    def shell(self, script: str, **env) -> str:
        """Django's shell on the data host, with the hosts' settings: its printed output."""
        result = self.data.run(
            [sys.executable, "manage.py", "shell", "-c", script],
            env={**self.env, "STATE_DIR": str(self.directory / "state-shell"), **env},
            cwd=ROOT,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def mails(self) -> list[dict]:
        return [json.loads(line) for line in self.mail.read_text().splitlines()]

    def url(self, host: Host) -> str:
        return f"http://{host.address}"

    def server_logs(self, host: Host) -> list[Path]:
        return sorted(self.directory.glob(f"{host.name}-server-*.log"))

    def log_marks(self) -> dict[Path, int]:
        """Where each server log ends now: the session's tests share the logs (log_since)."""
        return {log: log.stat().st_size for host in self.hosts for log in self.server_logs(host)}

    def log_since(self, log: Path, marks: dict[Path, int]) -> str:
        with log.open("rb") as file:
            file.seek(marks.get(log, 0))
            return file.read().decode()


def _wait(check, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not come up within {seconds} s")
        time.sleep(0.2)


def _start_data_host(data: Host, directory: Path) -> subprocess.Popen:
    # PostgreSQL refuses to run as root: its files belong to the postgres user.
    pg = directory / "pg"
    sockets = directory / "pg-sockets"
    for path in (pg, sockets):
        path.mkdir()
        shutil.chown(path, "postgres", "postgres")
    as_postgres = ["runuser", "-u", "postgres", "--"]
    data.run(
        [
            *as_postgres,
            str(PG_BIN / "initdb"),
            "-D",
            str(pg),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
        ]
    )
    with open(pg / "pg_hba.conf", "a") as hba:
        hba.write("host all all 0.0.0.0/0 trust\n")
    postgres = _start_postgres(data, directory)
    data.run([str(PG_BIN / "createdb"), "-h", data.address, "-U", "postgres", "khurusapha"])
    return postgres


def _start_postgres(data: Host, directory: Path) -> subprocess.Popen:
    as_postgres = ["runuser", "-u", "postgres", "--"]
    postgres = data.start(
        [
            *as_postgres,
            str(PG_BIN / "postgres"),
            "-D",
            str(directory / "pg"),
            "-h",
            data.address,
            "-p",
            "5432",
            "-k",
            str(directory / "pg-sockets"),
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "max_connections=200",
        ],
        log_path=directory / "postgres.log",
    )
    _wait(
        lambda: data.run([str(PG_BIN / "pg_isready"), "-h", data.address, "-p", "5432"], check=False).returncode == 0,
        "PostgreSQL",
    )
    return postgres


def _start_redis(data: Host, directory: Path) -> subprocess.Popen:
    argv = [REDIS_SERVER, "--bind", data.address, "--port", "6379", "--protected-mode", "no", "--save", ""]
    redis = data.start([*argv, "--appendonly", "no"], log_path=directory / "redis.log")
    _wait(lambda: data.run(["redis-cli", "-h", data.address, "ping"], check=False).stdout.strip() == "PONG", "Redis")
    return redis


def _ready(host: Host) -> bool:
    probe = [sys.executable, "-c", "import requests, sys; requests.get(sys.argv[1], timeout=3).raise_for_status()"]
    return host.run([*probe, f"http://{host.address}/healthz/ready"], check=False, timeout=30).returncode == 0


def _start_consumer(deployment: "Deployment", host: Host) -> subprocess.Popen:
    return host.start(
        [sys.executable, "manage.py", "run_huey", "--workers", "1", "--worker-type", "thread"],
        log_path=deployment.directory / f"{host.name}-jobs.log",
        env={**deployment.env, "STATE_DIR": str(deployment.directory / f"state-{host.name}")},
        cwd=ROOT,
    )


def _start_application_host(deployment: "Deployment", host: Host) -> None:
    """As deploy/ sets up a host: web_processes servers on 127.0.0.1:8001.., a consumer, nginx.
    Logs are appended to, so a host that is started again keeps what it wrote before."""
    directory = deployment.directory
    host_env = {**deployment.env, "STATE_DIR": str(directory / f"state-{host.name}")}
    for n in range(deployment.web_processes):
        host.start(
            [sys.executable, "-m", "hub.serve", "--host", "127.0.0.1", "--port", str(8001 + n)],
            log_path=directory / f"{host.name}-server-{8001 + n}.log",
            env=host_env,
            cwd=ROOT,
        )
    deployment.consumers[host.name] = _start_consumer(deployment, host)
    nginx_dir = directory / f"nginx-{host.name}"
    nginx_dir.mkdir(exist_ok=True)
    site = Site(
        server_name=host.address,
        listen_plain_only=True,
        listen_port=80,
        web_processes=deployment.web_processes,
        web_first_port=8001,
        static_root=str(directory / "static"),
        log_dir=str(nginx_dir),
    )
    conf = nginx_conf(nginx_dir, site, worker_connections=deployment.worker_connections)
    host.start([NGINX, "-c", str(conf), "-p", str(nginx_dir)], log_path=nginx_dir / "out.log")


def _seed(host: Host, env: dict) -> int:
    """Two people in a direct room; returns the room's id."""
    script = (
        "from tests.factories import make_person; from chat.services import open_direct; "
        "a = make_person('somchai'); b = make_person('wichai', first_name_en='Wichai'); "
        "print(open_direct(a.user, [b.user]).pk)"
    )
    result = host.run([sys.executable, "manage.py", "shell", "-c", script], env=env, cwd=ROOT, timeout=120)
    return int(result.stdout.strip().splitlines()[-1])


def missing() -> str | None:
    """What this machine lacks to build hosts, or None."""
    reason = available()
    if reason:
        return reason
    for binary in (NGINX, REDIS_SERVER, str(PG_BIN / "initdb")):
        if not Path(binary).exists():
            return f"{binary} is not installed"
    return None


@contextlib.contextmanager
def deployed(
    application_hosts: tuple[str, ...] = ("a", "b"),
    *,
    data_apart: bool = True,
    seed: bool = True,
    web_processes: int = WEB_PROCESSES,
    worker_connections: int = 512,
    settings: dict | None = None,
):
    """Build the hosts, start everything, wait until every application host is ready; yield the
    Deployment; remove it all afterwards. `data_apart=False` puts PostgreSQL, Redis and the mailbox
    on the first application host; `settings` are added to the servers' environment."""
    directory = Path(tempfile.mkdtemp(prefix="ksp-multihost-"))
    directory.chmod(0o755)  # the postgres user reads its way to its own directory
    lan = Lan(prefix="kspops")
    try:
        data = lan.host("data") if data_apart else None
        hosts = [lan.host(name) for name in application_hosts]
        data = data or hosts[0]
        client = lan.host("client")
        postgres = _start_data_host(data, directory)
        redis = _start_redis(data, directory)
        mail, slow_mail = directory / "mail.jsonl", directory / "slow-mail"
        mailbox = ["-m", "tests.multihost.mailbox", "--host", data.address, "--port", str(MAIL_PORT)]
        data.start(
            [sys.executable, *mailbox, "--out", str(mail), "--slow", str(slow_mail)],
            log_path=directory / "mailbox.log",
            cwd=ROOT,
        )
        (directory / "static").mkdir()
        (directory / "media").mkdir()  # shared by the application hosts, as NFS would be
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("DATABASE_URL", "REDIS_URL", "DEBUG", "JOBS_IN_SERVER", "HUEY_IMMEDIATE")
        }
        env.update(
            DJANGO_SETTINGS_MODULE="hub.settings",
            PYTHONUNBUFFERED="1",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS=",".join(host.address for host in hosts),
            DATABASE_URL=f"postgres://postgres@{data.address}:5432/khurusapha",
            REDIS_URL=f"redis://{data.address}:6379/0",
            CHANNELS_PREFIX=f"ksp{lan.id}",
            BEHIND_PROXY="true",
            STATIC_FROM_APPS="1",
            MEDIA_ROOT=str(directory / "media"),
            LOG_FORMAT="json",
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST=data.address,
            EMAIL_PORT=str(MAIL_PORT),
            SITE_URL=f"http://{hosts[0].address}",
            LICENSING_WEBHOOK_SECRET=WEBHOOK_SECRET,
            DATABASE_POOL_TIMEOUT_SECONDS="3",  # the PostgreSQL outage's requests answer sooner
            **(settings or {}),
        )
        hosts[0].run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            env={**env, "STATE_DIR": str(directory / "state-migrate")},
            cwd=ROOT,
            timeout=600,
        )
        deployment = Deployment(
            data=data,
            hosts=hosts,
            client=client,
            directory=directory,
            env=env,
            redis=redis,
            postgres=postgres,
            mail=mail,
            slow_mail=slow_mail,
            web_processes=web_processes,
            worker_connections=worker_connections,
        )
        if seed:
            deployment.room_id = _seed(hosts[0], {**env, "STATE_DIR": str(directory / "state-migrate")})
        for host in hosts:
            _start_application_host(deployment, host)
        for host in hosts:
            _wait(lambda host=host: _ready(host), f"host {host.name}", 120)
        yield deployment
    finally:
        lan.remove()
        if os.environ.get("KEEP_MULTIHOST_LOGS"):  # to read the hosts' logs after a failure
            print(f"multi-host logs kept in {directory}")  # noqa: T201
        else:
            shutil.rmtree(directory, ignore_errors=True)
