"""Hosts made of Linux network namespaces, for tests of the hub spread over several machines.

A `Lan` is a bridge in a namespace of its own; each `Host` is a namespace joined to it by a veth
pair, with an address on the LAN and its own loopback, so two hosts may both listen on
127.0.0.1:8001 as two machines would. Nothing is added to the machine's own network namespace.
Everything is removed by `Lan.remove()`: the processes started on its hosts (by their ids), then
the namespaces.
"""

import os
import random
import shutil
import subprocess
import uuid
from dataclasses import dataclass, field

IP = shutil.which("ip") or "/usr/sbin/ip"


def available() -> str | None:
    """Why hosts cannot be made here, or None when they can."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    if not os.path.exists(IP):
        return "iproute2 (ip) is not installed"
    return None


def _ip(*args: str) -> None:
    subprocess.run([IP, *args], check=True, capture_output=True, text=True)


@dataclass
class Host:
    name: str  # the namespace
    address: str
    processes: list[subprocess.Popen] = field(default_factory=list)

    def command(self, argv: list[str]) -> list[str]:
        """`argv` run inside this host (ip netns exec replaces itself with it: the pid is argv's)."""
        return [IP, "netns", "exec", self.name, *argv]

    def run(self, argv: list[str], **kwargs) -> subprocess.CompletedProcess:
        kwargs.setdefault("check", True)
        kwargs.setdefault("capture_output", True)
        kwargs.setdefault("text", True)
        return subprocess.run(self.command(argv), **kwargs)

    def start(self, argv: list[str], log_path=None, **kwargs) -> subprocess.Popen:
        """A long-running process on this host, stopped by Lan.remove()."""
        output = open(log_path, "a") if log_path else subprocess.DEVNULL  # a host started again appends
        process = subprocess.Popen(self.command(argv), stdout=output, stderr=subprocess.STDOUT, **kwargs)
        self.processes.append(process)
        return process


class Lan:
    """A LAN of hosts: Lan().host("a") -> Host with an address in this LAN's own /24."""

    def __init__(self, prefix: str = "ksp"):
        self.id = f"{prefix}{uuid.uuid4().hex[:6]}"
        self.subnet = f"10.{random.randint(100, 250)}.{random.randint(1, 250)}"  # noqa: S311
        self.switch = f"{self.id}-lan"
        self.hosts: list[Host] = []
        _ip("netns", "add", self.switch)
        self._in_switch("ip", "link", "add", "br0", "type", "bridge")
        self._in_switch("ip", "link", "set", "br0", "up")

    def _in_switch(self, *argv: str) -> None:
        _ip("netns", "exec", self.switch, *argv)

    def host(self, name: str) -> Host:
        number = 10 + len(self.hosts)
        namespace = f"{self.id}-{name}"
        # Interface names are at most 15 characters.
        outside, inside = f"v{self.id[-6:]}{number}", "eth0"
        _ip("netns", "add", namespace)
        _ip("link", "add", outside, "netns", self.switch, "type", "veth", "peer", "name", inside, "netns", namespace)
        self._in_switch("ip", "link", "set", outside, "master", "br0")
        self._in_switch("ip", "link", "set", outside, "up")
        address = f"{self.subnet}.{number}"
        _ip("netns", "exec", namespace, "ip", "addr", "add", f"{address}/24", "dev", inside)
        _ip("netns", "exec", namespace, "ip", "link", "set", inside, "up")
        _ip("netns", "exec", namespace, "ip", "link", "set", "lo", "up")
        host = Host(namespace, address)
        self.hosts.append(host)
        return host

    def remove(self) -> None:
        for host in self.hosts:
            for process in reversed(host.processes):
                if process.poll() is None:
                    process.terminate()
            for process in reversed(host.processes):
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        for host in self.hosts:
            subprocess.run([IP, "netns", "del", host.name], capture_output=True)
        subprocess.run([IP, "netns", "del", self.switch], capture_output=True)
