"""The database threads' lanes (hub.dbwork): the work of people already connected runs first, then
sockets already accepted getting going (hello, sync), then new sockets; no lane stalls for good."""

import asyncio
import threading

from hub.dbwork import CATCH_UP, IN_A_ROW, LIVE, OPENING, DatabaseThreads


def order_of_calls(queued: list[tuple[str, object]]) -> list[str]:
    """Run `queued` [(name, lane)] on one database thread that is busy while they are queued, as
    it is when a reconnect storm arrives; returns the names in the order they ran."""
    ran: list[str] = []
    busy, release = threading.Event(), threading.Event()

    def hold():
        busy.set()
        release.wait(5)

    async def scenario():
        threads = DatabaseThreads(1)
        holding = asyncio.ensure_future(threads.run(hold, (), CATCH_UP))
        await asyncio.get_running_loop().run_in_executor(None, busy.wait, 5)
        calls = [asyncio.ensure_future(threads.run(ran.append, (name,), lane)) for name, lane in queued]
        await asyncio.sleep(0)  # every call is queued behind the one running
        release.set()
        await asyncio.gather(holding, *calls)

    asyncio.run(scenario())
    return ran


def test_a_send_waits_for_the_call_running_not_for_the_reconnects_queued_before_it():
    queued = [(f"sync {n}", CATCH_UP) for n in range(5)] + [("send", LIVE), ("read", LIVE)]
    assert order_of_calls(queued) == ["send", "read", "sync 0", "sync 1", "sync 2", "sync 3", "sync 4"]


def test_a_socket_already_started_is_finished_before_new_ones_are_started():
    queued = [("token a", OPENING), ("token b", OPENING), ("hello c", CATCH_UP), ("sync c", CATCH_UP)]
    assert order_of_calls(queued) == ["hello c", "sync c", "token a", "token b"]


def test_catching_up_takes_its_turn_under_a_steady_live_load():
    queued = [("hello", CATCH_UP)] + [(f"send {n}", LIVE) for n in range(IN_A_ROW + 3)]
    ran = order_of_calls(queued)
    assert ran.index("hello") == IN_A_ROW
    assert [name for name in ran if name != "hello"] == [f"send {n}" for n in range(IN_A_ROW + 3)]


def test_a_new_socket_takes_its_turn_under_a_steady_load_of_others():
    queued = [("token", OPENING)] + [(f"sync {n}", CATCH_UP) for n in range(IN_A_ROW)] + [("send", LIVE)]
    ran = order_of_calls(queued)
    assert ran[0] == "send" and ran.index("token") == IN_A_ROW


def test_each_lane_keeps_its_own_order():
    queued = [("hello a", CATCH_UP), ("send a", LIVE), ("token b", OPENING), ("hello b", CATCH_UP), ("send b", LIVE)]
    assert order_of_calls(queued) == ["send a", "send b", "hello a", "hello b", "token b"]


def test_a_failing_call_reaches_its_caller_and_the_thread_goes_on():
    def fail():
        raise ValueError("no such room")

    async def scenario():
        threads = DatabaseThreads(1)
        failed = await asyncio.gather(threads.run(fail, (), LIVE), return_exceptions=True)
        return failed, await threads.run(len, ("after",), CATCH_UP)

    failed, after = asyncio.run(scenario())
    assert isinstance(failed[0], ValueError) and str(failed[0]) == "no such room"
    assert after == 5
