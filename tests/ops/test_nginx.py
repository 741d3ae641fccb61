"""The nginx site of deploy/: nginx accepts it, and a real nginx in front of two real server
processes passes WebSockets through, tells the hub who the client is, and keeps /metrics and
uploaded files to itself."""

import asyncio
import datetime
import http.client
import json
import subprocess
import time
from pathlib import Path

import pytest
import requests
import websockets
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from chat.services import open_direct
from deploy.nginx_site import Site, render
from tests.conftest import ROOT, free_port, require
from tests.factories import make_person
from tests.hub.test_servers import cookie_header, log_in
from tests.ops.nginx import NGINX, nginx_conf

pytestmark = pytest.mark.django_db(transaction=True)

# A second loopback address: a client that is not nginx's own address.
CLIENT_ADDRESS = "127.0.0.2"


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "one.example.org")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert, private = directory / "cert.pem", directory / "key.pem"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert, private


def nginx_test(conf: Path) -> subprocess.CompletedProcess:
    return subprocess.run([NGINX, "-t", "-c", str(conf), "-p", str(conf.parent)], capture_output=True, text=True)


@pytest.fixture
def nginx_available():
    require(Path(NGINX).exists(), "nginx is not installed")


def test_the_generated_site_with_tls_passes_nginx_t(tmp_path, nginx_available):
    cert, key = self_signed(tmp_path)
    site = Site(
        server_name="one.example.org",
        web_processes=6,
        tls_certificate=str(cert),
        tls_certificate_key=str(key),
        listen_port=free_port(),
        static_root=str(tmp_path / "static"),
        metrics_allowed_networks="10.0.9.0/24, 2001:db8::/64",
        log_dir=str(tmp_path),
    )
    result = nginx_test(nginx_conf(tmp_path, site))
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
    text = render(site)
    assert text.count("server 127.0.0.1:") == 6 and "server 127.0.0.1:8006 " in text
    assert "allow 2001:db8::/64;" in text


def test_a_broken_site_fails_nginx_t(tmp_path, nginx_available):
    """The check above can fail: nginx refuses a site whose certificate is missing."""
    site = Site(tls_certificate=str(tmp_path / "missing.pem"), tls_certificate_key=str(tmp_path / "missing.key"))
    site.log_dir = str(tmp_path)
    assert nginx_test(nginx_conf(tmp_path, site)).returncode != 0


def test_the_example_in_deploy_is_what_the_generator_writes():
    assert (ROOT / "deploy" / "khurusapha.nginx.conf").read_text() == render(Site())


def test_the_site_reads_its_settings_from_the_hosts_env_file(tmp_path):
    from deploy.nginx_site import read_env_file

    env = tmp_path / "env"
    env.write_text((ROOT / "deploy" / "env.example").read_text())
    site = Site.from_env(read_env_file(str(env)))
    assert site.server_name == "one.ksp.or.th" and site.web_processes == 4 and site.web_first_port == 8001
    assert site.tls_certificate.startswith("/etc/letsencrypt/")


def consecutive_free_ports(count: int) -> int:
    for _ in range(50):
        first = free_port()
        if all(_free(first + n) for n in range(count)):
            return first
    raise RuntimeError("no consecutive free ports")


def _free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def test_real_nginx_in_front_of_two_processes(start_server, own_redis, tmp_path, monkeypatch, nginx_available):
    monkeypatch.setenv("BEHIND_PROXY", "true")  # hub.serve passes --proxy-headers to Uvicorn
    first = consecutive_free_ports(2)
    env = {
        "BEHIND_PROXY": "true",
        "REDIS_URL": own_redis.url,
        "LOG_FORMAT": "json",
        "METRICS_ALLOWED_NETWORKS": "127.0.0.1/32",
    }
    servers = [start_server(port=first + n, **env) for n in range(2)]
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "probe.css").write_text("body{}")
    port = free_port()
    site = Site(
        listen_plain_only=True,
        listen_port=port,
        web_processes=2,
        web_first_port=first,
        static_root=str(static),
        log_dir=str(tmp_path),
        server_name="127.0.0.1",
    )
    conf = nginx_conf(tmp_path, site)
    nginx = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(tmp_path)], stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 10
        while True:
            try:
                if requests.get(url + "/healthz/live", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "error.log").read_text()
            time.sleep(0.1)
        check_through_nginx(url, servers)
    finally:
        nginx.terminate()
        nginx.wait(10)


def check_through_nginx(url: str, servers) -> None:
    # Static files come from nginx itself; uploads never come from disk.
    assert requests.get(url + "/static/css/probe.css", timeout=5).text == "body{}"
    assert requests.get(url + "/media/photos/anyone.jpg", timeout=5).status_code == 404

    # The hub sees the client's address, not nginx's (X-Forwarded-For, trusted from nginx only).
    connection = http.client.HTTPConnection("127.0.0.1", int(url.rsplit(":", 1)[1]), source_address=(CLIENT_ADDRESS, 0))
    connection.request("GET", "/healthz/live")
    response = connection.getresponse()
    assert response.status == 200
    request_id = response.getheader("X-Request-ID")
    connection.close()
    line = wait_for_line(servers, lambda line: line.get("request_id") == request_id and line.get("event") == "request")
    assert line["client"] == CLIENT_ADDRESS
    assert len(request_id) == 32  # nginx's own $request_id, passed on

    # /metrics: nginx lets only its allowed addresses through, and the hub checks again.
    connection = http.client.HTTPConnection("127.0.0.1", int(url.rsplit(":", 1)[1]), source_address=(CLIENT_ADDRESS, 0))
    connection.request("GET", "/metrics")
    assert connection.getresponse().status == 403
    connection.close()
    assert "ksp_ws_open_sockets" in requests.get(url + "/metrics", timeout=5).text

    # Two people chatting, each socket through nginx, on either process: the message crosses over.
    somchai, wichai = make_person("somchai"), make_person("wichai")
    room = open_direct(somchai.user, [wichai.user])
    sessions = {name: log_in(servers[0], name) for name in ("somchai", "wichai")}

    async def chat():
        def headers(name):
            return {"Cookie": cookie_header(sessions[name]), "Origin": url}

        ws_url = url.replace("http://", "ws://") + "/ws/"
        async with (
            websockets.connect(ws_url, additional_headers=headers("somchai"), local_addr=(CLIENT_ADDRESS, 0)) as a,
            websockets.connect(ws_url, additional_headers=headers("wichai")) as b,
        ):
            for socket in (a, b):
                assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "hello"
            frame = {"type": "message.send", "room": room.pk, "body": "สวัสดีครับ", "client_id": "n1"}
            await a.send(json.dumps(frame))
            while (event := json.loads(await asyncio.wait_for(b.recv(), 10)))["type"] != "message.new":
                pass
            return event

    event = asyncio.run(chat())
    assert event["message"]["body"] == "สวัสดีครับ" and event["message"]["author"]["id"] == somchai.user.pk
    sockets = wait_for_line(
        servers, lambda line: line.get("event") == "socket" and line.get("user") == somchai.user.pk, every=True
    )
    assert sockets[0]["client"] == CLIENT_ADDRESS and sockets[0]["accepted"] is True
    # Each socket's line is written when the server has handled its close: wait for the other's too.
    wait_for_line(servers, lambda line: line.get("event") == "socket" and line.get("user") == wichai.user.pk)
    # least_conn spread the two sockets over both processes.
    opened = [[x for x in lines(server) if x.get("event") == "socket" and x.get("accepted")] for server in servers]
    assert all(opened), opened


def lines(server) -> list[dict]:
    found = []
    for text in server.log.read_text().splitlines():
        try:
            found.append(json.loads(text))
        except ValueError:
            continue
    return found


def wait_for_line(servers, wanted, every: bool = False):
    deadline = time.monotonic() + 5
    while True:
        found = [line for server in servers for line in lines(server) if wanted(line)]
        if found:
            return found if every else found[0]
        assert time.monotonic() < deadline, "no such log line"
        time.sleep(0.05)
