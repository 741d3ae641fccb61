"""The capacity benchmark's own parts work against a real deployment: its organisation is seeded,
its simulated people sign in with their sessions, open their sockets and act, and the hub answers
them (the figures themselves are bench/capacity.py's business, not a test's)."""

import time

from bench.capacity import Generator, ask_all, client_addresses, seed, stage_figures


def test_simulated_people_connect_act_and_are_answered(deployment):
    people = seed(deployment, 40)
    assert len(people) == 40 and len({person["team"] for person in people}) == 2
    generator = Generator(deployment, think=1.0)
    try:
        urls = [deployment.url(host) for host in deployment.hosts]
        (added,) = ask_all(
            [generator], [{"op": "add", "people": people, "urls": urls, "sources": client_addresses(deployment)}]
        )
        assert added["connected"] == 40 and added["failed"] == 0, added
        ask_all([generator], [{"op": "reset"}])
        time.sleep(6)
        (report,) = ask_all([generator], [{"op": "report"}])
    finally:
        generator.send({"op": "stop"})
        generator.process.wait(30)
    figures = stage_figures([report], report["seconds"])
    assert figures["errors"] == {}, figures["errors"]
    assert figures["count_by_kind"].get("post", 0) + figures["count_by_kind"].get("reply", 0) > 50
    assert figures["deliveries_per_s"] > 0  # posts reached the other members' sockets
