"""Full garbage collections (hub.collector): put off while sockets open in a rush or the process
is busy, run once things are quiet, and never put off for ever. Time is a clock the test moves:
each check comes CHECK_SECONDS after the last."""

import gc

from hub import collector as collecting
from hub.collector import BUSY, CHECK_SECONDS, LONGEST_WAIT_SECONDS, RUSH, RUSH_SECONDS, Collector


class Clocks:
    """The time, and the CPU time the process has used; `load` is the share of a core in use."""

    def __init__(self, load: float = 0.1):
        self.now, self.used, self.load = 1000.0, 0.0, load

    def wall(self) -> float:
        return self.now

    def cpu(self) -> float:
        return self.used

    def advance(self, seconds: float = CHECK_SECONDS) -> None:
        self.now += seconds
        self.used += seconds * self.load


def checks(collector: Collector, clocks: Clocks, count: int, opened_each: int = 0) -> list[bool]:
    ran = []
    for _ in range(count):
        for _ in range(opened_each):
            collector.opened()
        clocks.advance()
        ran.append(collector.check())
    return ran


def test_a_storm_of_new_sockets_is_collected_after_it_not_during_it():
    clocks = Clocks()
    collector = Collector(clocks.wall, clocks.cpu)
    assert checks(collector, clocks, 5, opened_each=500) == [False] * 5  # 2,500 come back over 10 s
    quiet = checks(collector, clocks, RUSH_SECONDS // CHECK_SECONDS + 1)
    assert quiet.count(True) == 1 and quiet[0] is False  # once, when the rush is over
    assert checks(collector, clocks, 3) == [False] * 3  # and not again until there is reason to


def test_while_the_clients_that_came_back_catch_up_it_waits():
    clocks = Clocks(load=0.9)  # every core busy with syncs once the sockets have opened
    collector = Collector(clocks.wall, clocks.cpu)
    assert checks(collector, clocks, 2, opened_each=2000) == [False] * 2
    assert checks(collector, clocks, 10) == [False] * 10  # no socket opens, but the process is busy
    clocks.load = BUSY / 2
    assert True in checks(collector, clocks, RUSH_SECONDS // CHECK_SECONDS + 1)


def test_a_few_new_sockets_among_many_wait_for_the_longest_wait():
    clocks = Clocks()
    collector = Collector(clocks.wall, clocks.cpu)
    checks(collector, clocks, 1, opened_each=4000)
    assert checks(collector, clocks, RUSH_SECONDS // CHECK_SECONDS + 1).count(True) == 1
    assert checks(collector, clocks, 1, opened_each=10) == [False]  # ten new among 4,000: no reason
    clocks.advance(LONGEST_WAIT_SECONDS)
    assert checks(collector, clocks, 1) == [True]


def test_a_rush_that_never_ends_still_gets_a_collection_after_twice_the_longest_wait():
    clocks = Clocks(load=1.0)
    collector = Collector(clocks.wall, clocks.cpu)
    ran = checks(collector, clocks, 2 * LONGEST_WAIT_SECONDS // CHECK_SECONDS + 5, opened_each=RUSH)
    assert ran.count(True) == 1
    assert (ran.index(True) + 1) * CHECK_SECONDS == 2 * LONGEST_WAIT_SECONDS  # not a check sooner


def test_a_server_process_leaves_the_oldest_generation_to_the_collector():
    before = gc.get_threshold()
    try:
        collecting.take_over()
        assert gc.get_threshold()[2] == collecting.NEVER and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
