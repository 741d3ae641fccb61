"""Capacity: simulated people added in steps until a health limit breaks, on one host and on two hosts."""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.chat import TICKS, percentile  # noqa: E402  (after the path is set)
from tests.multihost.deployment import IP, Deployment, deployed, missing  # noqa: E402

# Mattermost's health limits for its load test's ramp (docs.mattermost.com, "Load testing").
AVERAGE_LIMIT_MS = 100
P99_LIMIT_MS = 2000
ERROR_LIMIT = 0.025 / 100
TOPOLOGIES = {
    # one: PostgreSQL, Redis, nginx, the servers and the consumer on one host, as a small office runs it
    "one": {"application_hosts": ("one",), "data_apart": False},
    # two: two application hosts (nginx, servers, consumer each) and a data host, people spread over both
    "two": {"application_hosts": ("a", "b"), "data_apart": True},
}


def host_cpu_seconds(names: list[str]) -> float:
    """CPU used so far by every process running in these namespaces (the hosts' whole work)."""
    total = 0.0
    for name in names:
        pids = subprocess.run([IP, "netns", "pids", name], capture_output=True, text=True).stdout.split()
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            # Its own and its waited-for children's: nginx's and PostgreSQL's workers come and go.
            total += sum(int(value) for value in fields[11:15]) / TICKS
    return total


class Generator:
    """One bench/_capacity_people process on the client host."""

    def __init__(self, deployment: Deployment, think: float):
        self.process = subprocess.Popen(
            deployment.client.command([sys.executable, "-m", "bench._capacity_people", "--think", str(think)]),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=open(deployment.directory / "people.log", "a"),
            text=True,
            cwd=ROOT,
        )

    def send(self, command: dict) -> None:
        self.process.stdin.write(json.dumps(command, ensure_ascii=False) + "\n")
        self.process.stdin.flush()

    def answer(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"a load generator exited ({self.process.poll()}); see people.log")
        return json.loads(line)

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS


def client_addresses(deployment: Deployment) -> list[str]:
    """Give the client host the rest of its LAN's addresses: people come from many, as from many homes."""
    subnet = deployment.client.address.rsplit(".", 1)[0]
    addresses = [f"{subnet}.{n}" for n in range(100, 255)]
    for address in addresses:
        deployment.client.run([IP, "addr", "add", f"{address}/24", "dev", "eth0"])
    return addresses


def ask_all(generators: list[Generator], commands: list[dict]) -> list[dict]:
    for generator, command in zip(generators, commands, strict=True):
        generator.send(command)
    return [generator.answer() for generator in generators]


def seed(deployment: Deployment, people: int) -> list[dict]:
    out = deployment.directory / "people.json"
    deployment.data.run(
        [sys.executable, "-m", "bench._capacity_seed", "--people", str(people), "--out", str(out)],
        env={**deployment.env, "STATE_DIR": str(deployment.directory / "state-seed")},
        cwd=ROOT,
        timeout=1800,
    )
    specs = json.loads(out.read_text())
    for index, spec in enumerate(specs):
        spec["index"] = index
    return specs


def stage_figures(reports: list[dict], seconds: float) -> dict:
    requests, errors, deliveries, actions, pings = {}, {}, [], 0, []
    for report in reports:
        for kind, values in report["requests"].items():
            (pings if kind == "ping" else requests.setdefault(kind, [])).extend(values)
        for kind, count in report["errors"].items():
            errors[kind] = errors.get(kind, 0) + count
        deliveries += report["deliveries"]
        actions += report["actions"]
    every = [ms for values in requests.values() for ms in values]
    failed = sum(errors.values())
    asked = len(every) + failed
    return {
        "actions_per_s": actions / seconds,
        "requests": asked,
        "average_ms": sum(every) / len(every) if every else float("nan"),
        "p50_ms": percentile(every, 0.5),
        "p99_ms": percentile(every, 0.99),
        "p99_by_kind": {kind: percentile(values, 0.99) for kind, values in sorted(requests.items())},
        "count_by_kind": {kind: len(values) for kind, values in sorted(requests.items())},
        "errors": errors,
        "error_share": failed / asked if asked else 0.0,
        "ping_p99_ms": percentile(pings, 0.99),
        "deliveries_per_s": len(deliveries) / seconds,
        "delivery_p99_ms": percentile(deliveries, 0.99),
    }


def breaks(figures: dict) -> list[str]:
    broken = []
    if not figures["average_ms"] <= AVERAGE_LIMIT_MS:
        broken.append(f"average {figures['average_ms']:.0f} ms > {AVERAGE_LIMIT_MS}")
    if not figures["p99_ms"] <= P99_LIMIT_MS:
        broken.append(f"p99 {figures['p99_ms']:.0f} ms > {P99_LIMIT_MS}")
    if figures["error_share"] > ERROR_LIMIT:
        broken.append(f"errors {figures['error_share']:.3%} > {ERROR_LIMIT:.3%}")
    return broken


def ramp(topology: str, args) -> dict:
    print(f"\n== {topology}: building the hosts ...", flush=True)
    # The production default, not the multi-host tests' 3 s (they want an outage's 503 sooner).
    settings = {"DATABASE_POOL_TIMEOUT_SECONDS": "10"}
    if args.quiet_logs:
        settings["LOG_LEVEL"] = "WARNING"
    with deployed(
        **TOPOLOGIES[topology],
        seed=False,
        web_processes=args.web_processes,
        worker_connections=16384,
        settings=settings,
    ) as deployment:
        started = time.monotonic()
        people = seed(deployment, args.max)
        print(f"   seeded {len(people):,} people in {time.monotonic() - started:.0f} s", flush=True)
        generators = [Generator(deployment, args.think) for _ in range(args.generators)]
        urls = [deployment.url(host) for host in deployment.hosts]
        sources = client_addresses(deployment)
        names = sorted({host.name for host in [*deployment.hosts, deployment.data]})  # the data host once
        rows, held, count = [], 0, 0
        print(
            f"   {'people':>6} {'conn p99':>8} {'act/s':>6} {'avg':>6} {'p50':>6} {'p99':>7} {'errors':>7} "
            f"{'deliv/s':>7} {'deliv p99':>9} {'ping p99':>8} {'hub CPU':>7} {'gen CPU':>7}  p99 by kind (ms)",
            flush=True,
        )
        try:
            while count < min(args.max, len(people)):
                size = args.start if count == 0 else args.step
                new = people[count : count + size]
                count += len(new)
                shares = [new[n :: len(generators)] for n in range(len(generators))]
                added = ask_all(
                    generators, [{"op": "add", "people": share, "urls": urls, "sources": sources} for share in shares]
                )
                connect_ms = [ms for answer in added for ms in answer["connect_ms"]]
                not_connected = sum(answer["failed"] for answer in added)
                time.sleep(args.settle)
                ask_all(generators, [{"op": "reset"}] * len(generators))
                hub_before, gen_before = host_cpu_seconds(names), sum(g.cpu_seconds() for g in generators)
                began = time.monotonic()
                time.sleep(args.stage)
                reports = ask_all(generators, [{"op": "report"}] * len(generators))
                seconds = time.monotonic() - began
                figures = stage_figures(reports, seconds)
                figures.update(
                    people=count,
                    not_connected=not_connected,
                    connect_p99_ms=percentile(connect_ms, 0.99),
                    hub_cores=(host_cpu_seconds(names) - hub_before) / seconds,
                    generator_cores=(sum(g.cpu_seconds() for g in generators) - gen_before) / seconds,
                    load=os.getloadavg()[0],
                )
                # Opening a socket is a request too (Mattermost counts the log-in), made before the window.
                figures["requests"] += len(new)
                for answer in added:
                    for reason, times in answer["why"].items():
                        figures["errors"][f"not connected: {reason}"] = times
                figures["error_share"] = sum(figures["errors"].values()) / figures["requests"]
                broken = breaks(figures)
                figures["broken"] = broken
                rows.append(figures)
                kinds = " ".join(f"{kind} {ms:.0f}" for kind, ms in figures["p99_by_kind"].items())
                print(
                    f"   {count:>6,} {figures['connect_p99_ms']:>6.0f}ms {figures['actions_per_s']:>6.1f} "
                    f"{figures['average_ms']:>4.0f}ms {figures['p50_ms']:>4.0f}ms {figures['p99_ms']:>5.0f}ms "
                    f"{figures['error_share']:>7.3%} {figures['deliveries_per_s']:>7.0f} "
                    f"{figures['delivery_p99_ms']:>7.0f}ms {figures['ping_p99_ms']:>6.0f}ms "
                    f"{figures['hub_cores']:>7.2f} {figures['generator_cores']:>7.2f}  {kinds}"
                    + (f"   BROKEN: {'; '.join(broken)} {figures['errors']}" if broken else ""),
                    flush=True,
                )
                if broken:
                    break
                held = count
        finally:
            for generator in generators:
                try:
                    generator.send({"op": "stop"})
                    generator.process.wait(30)
                except (OSError, subprocess.TimeoutExpired):
                    generator.process.kill()
    print(f"   {topology}: held {held:,} people", flush=True)
    return {"topology": topology, "held": held, "stages": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--topology", default="one,two", help="one, two or both (one,two)")
    parser.add_argument("--start", type=int, default=500, help="people in the first step")
    parser.add_argument("--step", type=int, default=250, help="people added at each further step")
    parser.add_argument("--max", type=int, default=4000, help="people seeded; the ramp stops there")
    parser.add_argument("--stage", type=float, default=60, help="seconds measured at each step")
    parser.add_argument("--settle", type=float, default=10, help="seconds after adding people before measuring")
    parser.add_argument("--think", type=float, default=20, help="mean seconds between one person's actions")
    parser.add_argument("--generators", type=int, default=2, help="load-generator processes")
    parser.add_argument("--web-processes", type=int, default=2, help="server processes per application host")
    parser.add_argument("--quiet-logs", action="store_true", help="servers log warnings only (no line per request)")
    parser.add_argument("--json", help="also write every figure to this file")
    args = parser.parse_args()
    reason = missing()
    if reason:
        sys.exit(f"the capacity benchmark builds hosts of network namespaces: {reason}")
    print(
        f"capacity ramp: {args.start:,} people, then +{args.step:,} each step up to {args.max:,}; one action per "
        f"{args.think:g} s each; {args.stage:g} s measured per step after {args.settle:g} s; limits: average request "
        f"<= {AVERAGE_LIMIT_MS} ms, p99 <= {P99_LIMIT_MS} ms, errors <= {ERROR_LIMIT:.3%}; {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.2f} at the start",
        flush=True,
    )
    results = [ramp(topology, args) for topology in args.topology.split(",")]
    print("\nlargest number of people held:", ", ".join(f"{r['topology']} {r['held']:,}" for r in results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
