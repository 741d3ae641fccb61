"""The multi-host fixture: one data host (PostgreSQL, Redis), two application hosts (nginx in front
of two server processes and a Huey consumer, as deploy/ sets a host up) and a client host, each a
network namespace on one LAN (tests/multihost/deployment.py builds them).

    def test_x(deployment): deployment.client.run([...]); deployment.a.address; ...

One deployment serves the whole session (it takes a while to build on a small machine); a test
that breaks a host or a service brings it back before it ends, whether it passed or not.

Needs root, iproute2, nginx, PostgreSQL 15's binaries and redis-server; under CI=true a missing
one fails the test instead of skipping it. KEEP_MULTIHOST_LOGS=1 keeps the hosts' logs (servers, consumers,
nginx, PostgreSQL, Redis) in /tmp/ksp-multihost-* after the run.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, require
from tests.multihost.deployment import Deployment, deployed, missing


@pytest.fixture(scope="session")
def deployment():
    reason = missing()
    require(reason is None, reason or "")
    with deployed() as made:
        yield made


class Clients:
    """tests/multihost/agent.py on the client host: clients("send", name="somchai", body="…") -> its answer."""

    def __init__(self, deployment: Deployment, log: Path):
        self.process = subprocess.Popen(
            deployment.client.command([sys.executable, "-m", "tests.multihost.agent"]),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=open(log, "a"),
            text=True,
            cwd=ROOT,
            env=deployment.env,
        )

    def __call__(self, op: str, **command) -> dict:
        self.process.stdin.write(json.dumps({"op": op, **command}, ensure_ascii=False) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, f"the client host's agent exited ({self.process.poll()})"
        answer = json.loads(line)
        assert "problem" not in answer, answer["problem"]
        return answer

    def close(self) -> None:
        self.process.stdin.close()
        self.process.terminate()
        self.process.wait(15)


@pytest.fixture
def clients(deployment):
    agent = Clients(deployment, deployment.directory / "agent.log")
    yield agent
    agent.close()
