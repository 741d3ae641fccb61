"""Full garbage collections (hub.collector): put off while sockets open in a rush, run once they
have stopped coming, and never put off for ever."""

import gc

from hub import collector as collecting
from hub.collector import CHECK_SECONDS, LONGEST_WAIT_SECONDS, RUSH_SECONDS, Collector


def test_a_storm_of_new_sockets_is_collected_after_it_not_during_it():
    collector = Collector()
    ran = []
    for _ in range(5):  # 2,500 sockets come back over five checks
        for _ in range(500):
            collector.opened()
        ran.append(collector.check())
    assert ran == [False] * 5
    quiet = [collector.check() for _ in range(RUSH_SECONDS // CHECK_SECONDS)]
    assert quiet[-1] is True and quiet.count(True) == 1  # once, when the rush is over
    assert collector.check() is False  # and not again until there is reason to


def test_a_few_new_sockets_among_many_wait_for_the_longest_wait():
    collector = Collector()
    for _ in range(4000):
        collector.opened()
    assert [collector.check() for _ in range(RUSH_SECONDS // CHECK_SECONDS + 1)].count(True) == 1
    for _ in range(10):
        collector.opened()
    assert collector.check() is False  # ten new among 4,000 do not call for one
    collector.last_full -= LONGEST_WAIT_SECONDS  # (as if that one was long ago)
    assert collector.check() is True


def test_a_rush_that_never_ends_still_gets_a_collection_after_twice_the_longest_wait():
    collector = Collector()
    for _ in range(RUSH * 2):
        collector.opened()
    assert collector.check() is False
    collector.last_full -= 2 * LONGEST_WAIT_SECONDS
    for _ in range(RUSH * 2):
        collector.opened()
    assert collector.check() is True


def test_a_server_process_leaves_the_oldest_generation_to_the_collector():
    before = gc.get_threshold()
    try:
        collecting.take_over()
        assert gc.get_threshold()[2] == collecting.NEVER and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


RUSH = collecting.RUSH
