"""Delivery inside one server process: each group is joined once per process, not once per socket.

Channels' own way (a layer channel per socket, every event queued, decoded and dispatched per
socket, with a database-connection check on a worker thread for each) cost the hub most of its
CPU and latency under load (docs/performance.md). Here the process holds one layer channel; an
event for a group arrives once, already encoded, and is written to each of the process's sockets
in that group in turn.

The layer is a doorbell that may fail (DESIGN.md §8), so the process also watches it. Before it
hands on anything it hears, it asks the layer whether its subscriptions were lost since it
subscribed (hub.layers: Redis restarted and redis-py subscribed again); if so, events may have
been missed, and every socket of the process is closed with 4012 at once, before a later event
could reach it, so its client reconnects and syncs from the database without a gap. As a
backstop it probes itself through a group of its own, numbered, every few seconds: a probe that
cannot be sent, a gap in the numbers or silence for too long closes the sockets the same way.
A process whose publish failed tells the others, once the layer works again, which groups missed
something; their sockets in those groups close the same way.
"""

import asyncio
import logging
import time
import uuid
import weakref
from typing import Protocol

from channels.layers import get_channel_layer
from django.conf import settings

from hub import metrics, outages
from hub.loops import one_per_loop

log = logging.getLogger(__name__)

# Layer message types of this module; hub.realtime sends EVENT.
EVENT = "hub.event"
PROBE = "hub.probe"
LOST = "hub.lost"
# Every process's fan-out is in this group: notices of lost events reach them all.
PROCESSES_GROUP = "hub.processes"
# Past this many groups a lost-event notice just says "all of them".
MAX_LOST_NAMED = 500
# The close code of a socket that may have missed events: its client reconnects and syncs. 1012
# ("service restart") would say it best, but Daphne can only send 1000 or 3000-4999.
CLOSE_RESYNC = 4012
# Wall clocks of different machines differ a little: a lost-event notice from another process also
# closes the sockets that began listening up to this long after the loss (a needless resync costs
# little, but one right after the reconnect that a Redis restart caused is a second round for
# every client, so a process's own notices, on its own clock, have no margin).
CLOCK_MARGIN_SECONDS = 2.0
# Who sent a lost-event notice.
THIS_PROCESS = uuid.uuid4().hex


class Socket(Protocol):
    """What the fan-out needs of a connected socket (hub.consumers.HubConsumer). Neither call
    may wait: the fan-out writes to hundreds of sockets in turn."""

    def deliver(self, frame: dict) -> None: ...

    def hang_up(self, code: int) -> None: ...

    def hears(self, message: dict) -> bool:
        """Whether this published message (with its "group") is for it; a close applies regardless."""
        ...


class ProcessFanout:
    """The sockets of this process by group, and the process's one subscription to each group."""

    def __init__(self, layer):
        self.layer = layer
        self.sockets: dict[str, set[Socket]] = {}
        self.groups_of: dict[Socket, set[str]] = {}
        self.since: dict[Socket, float] = {}  # when each socket began to listen (wall clock)
        # Groups a socket was told to leave: while it connects, it must not join them after all.
        self.left: dict[Socket, set[str]] = {}
        self.gone: weakref.WeakSet[Socket] = weakref.WeakSet()
        self.channel: str | None = None
        self._subscribing: dict[tuple[str, str], asyncio.Future] = {}  # (channel, group or prefix*)
        self.prefixes: set[str] = set()  # heard whole through one pattern subscription (see join)
        self._starting: asyncio.Future | None = None
        self._tasks: list[asyncio.Task] = []
        self._generation = 0  # a reset starts a new one; the tasks of older ones stop
        self._probe_group = ""
        self._probes_sent = self._probes_heard = 0
        self._last_heard = time.monotonic()
        self._subscriptions_lost = 0  # the layer's count when this generation subscribed

    # --- sockets -------------------------------------------------------------------------------

    async def join(self, socket: Socket, group: str, unless_left: bool = False, through: str | None = None) -> None:
        """From now on, `socket` hears what is published to `group`.

        unless_left: not if the socket was told to leave the group meanwhile (a socket that is
        connecting joins the rooms it read from the database, which may be out of date by now).
        through: a prefix of `group` whose every group this process hears through one pattern
        subscription, where the layer offers them (hub.layers): one person's, one token's or
        one session's group would otherwise cost a subscription of its own for nearly every
        socket that opens (issue #12). A group is never subscribed both ways, or its events
        would arrive twice.
        """
        if not unless_left:
            self.left.get(socket, set()).discard(group)
        if through is not None and not hasattr(self.layer, "group_prefix_add"):
            through = None  # the core and in-memory layers: one subscription per group, as before
        while True:
            await self._start()
            generation, channel = self._generation, self.channel
            if through is not None:
                if through not in self.prefixes:
                    await self._shared((channel, through + "*"), self.layer.group_prefix_add, through, channel)
                    if generation == self._generation:
                        self.prefixes.add(through)
            elif group not in self.sockets:
                # Two sockets joining a new group at once share one group_add.
                await self._shared((channel, group), self.layer.group_add, group, channel)
            if generation == self._generation:
                break  # else the process started afresh meanwhile: join on its new channel
        if socket in self.gone or (unless_left and group in self.left.get(socket, ())):
            return
        self.sockets.setdefault(group, set()).add(socket)
        if socket not in self.groups_of:
            self.groups_of[socket] = set()
            self.since[socket] = time.time()
        self.groups_of[socket].add(group)

    async def _shared(self, key: tuple[str, str], subscribe, *args) -> None:
        """Await one subscription (`subscribe(*args)`), which those who ask for the same one meanwhile share."""
        pending = self._subscribing.get(key)
        if pending is None:
            pending = asyncio.ensure_future(subscribe(*args))
            self._subscribing[key] = pending
            pending.add_done_callback(lambda _done: self._subscribing.pop(key, None))
        await asyncio.shield(pending)

    def _through_prefix(self, group: str) -> bool:
        return any(group.startswith(prefix) for prefix in self.prefixes)

    def leave(self, socket: Socket, group: str) -> None:
        """At once, before anything else is written to the socket: nothing more of `group` reaches it.

        The process stays subscribed until the next refresh finds the group empty, so people
        who reconnect do not churn subscriptions.
        """
        members = self.sockets.get(group)
        if members is not None:
            members.discard(socket)
        self.groups_of.get(socket, set()).discard(group)
        self.left.setdefault(socket, set()).add(group)

    def forget(self, socket: Socket) -> None:
        """The socket closed: it leaves all its groups and joins none again."""
        self.gone.add(socket)
        self.since.pop(socket, None)
        self.left.pop(socket, None)
        for group in self.groups_of.pop(socket, ()):
            members = self.sockets.get(group)
            if members is not None:
                members.discard(socket)

    # --- the process's subscription ----------------------------------------------------------

    async def _start(self) -> None:
        if self.channel is not None:
            return
        if self._starting is None:
            self._starting = asyncio.ensure_future(self._subscribe())
            self._starting.add_done_callback(self._started)
        await asyncio.shield(self._starting)

    def _started(self, done: asyncio.Future) -> None:
        self._starting = None
        if not done.cancelled() and done.exception() is not None:
            metrics.LAYER_ERRORS.labels("subscribe").inc()
            outages.redis.failed("the fan-out's subscription", done.exception())
        if not done.cancelled() and done.exception() is None:
            self.channel, self._probe_group = done.result()
            for task in self._tasks:
                task.add_done_callback(self._task_ended)

    def _task_ended(self, task: asyncio.Task) -> None:
        """The reader and the watcher run as long as their generation; one that dies is a bug,
        and without it events go unheard: say so, and start afresh."""
        if task.cancelled() or task not in self._tasks:
            return
        log.error("the fan-out's %s task ended", task.get_coro().__name__, exc_info=task.exception())
        self._reset("a fan-out task ended")

    async def _subscribe(self) -> tuple[str, str]:
        channel = await self.layer.new_channel(prefix="hub.process.")
        probe_group = f"hub.probe.{uuid.uuid4().hex}"
        await self.layer.group_add(probe_group, channel)
        await self.layer.group_add(PROCESSES_GROUP, channel)
        # Counted only now: subscribing may itself connect again (Redis restarted since the last
        # generation), and no socket has joined this generation before it returns.
        self._subscriptions_lost = _subscriptions_lost(self.layer)
        self._probes_sent = self._probes_heard = 0
        self._last_heard = time.monotonic()
        generation = self._generation
        self._tasks = [
            asyncio.ensure_future(self._read(channel, generation)),
            asyncio.ensure_future(self._watch(channel, generation)),
        ]
        return channel, probe_group

    async def _read(self, channel: str, generation: int) -> None:
        while generation == self._generation:
            try:
                message = await self.layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # Redis down (core layer): the watch closes the sockets
                metrics.LAYER_ERRORS.labels("receive").inc()
                outages.redis.failed("the fan-out's reading", error)
                await asyncio.sleep(1)
                continue
            if self._lost_subscriptions():
                return
            try:
                kind = message.get("type")
                if kind == EVENT:
                    await self._deliver(message)
                elif kind == PROBE:
                    self._heard_probe(message.get("n"))
                elif kind == LOST:
                    metrics.LOST_PUBLISH_NOTICES.labels("heard").inc()
                    self._lost_elsewhere(message.get("groups"), message.get("before"), message.get("process"))
            except Exception:
                log.exception("the fan-out could not handle a %s message", message.get("type"))

    async def _deliver(self, message: dict) -> None:
        """Hand an event to this process's sockets in its group; awaits only to join a group."""
        members = self.sockets.get(message.get("group"))
        if not members:
            return
        frame = {"type": "websocket.send", "text": message["text"]}  # one frame for every socket
        leave, join, close = message.get("leave"), message.get("join"), message.get("close")
        for socket in list(members):  # a copy: closing or leaving changes the set
            if leave:
                self.leave(socket, leave)
            if not socket.hears(message):
                if close:
                    socket.hang_up(close)
                continue
            if join:
                try:
                    await self.join(socket, join)
                except Exception:  # it would not hear the room it was added to: it syncs instead
                    log.warning("could not add a socket to %s", join, exc_info=True)
                    self.forget(socket)
                    socket.hang_up(CLOSE_RESYNC)
                    continue
            try:
                socket.deliver(frame)
                if close:
                    socket.hang_up(close)
            except Exception:  # one broken socket must not keep the event from the others
                log.warning("could not deliver to a socket; forgetting it", exc_info=True)
                self.forget(socket)

    # --- watching the layer --------------------------------------------------------------------

    def _lost_subscriptions(self) -> bool:
        """Were the layer's subscriptions lost since this generation subscribed? Then whatever was
        published meanwhile reached nobody here: every socket closes before it hears anything more."""
        if _subscriptions_lost(self.layer) == self._subscriptions_lost:
            return False
        self._reset("the channel layer lost its subscriptions for a while")
        return True

    def _heard_probe(self, number) -> None:
        if number != self._probes_heard + 1:
            # A probe went missing, so may have events: the subscription was lost for a while.
            log.warning("probe %s heard after %s: events may be lost", number, self._probes_heard)
            self._reset("a probe was lost")
            return
        self._probes_heard = number
        self._last_heard = time.monotonic()

    async def _watch(self, channel: str, generation: int) -> None:
        since_refresh = 0.0
        while True:
            await asyncio.sleep(settings.WS_PROBE_SECONDS)
            if generation != self._generation or self._lost_subscriptions():
                return
            self._probes_sent += 1
            probe = asyncio.ensure_future(
                self.layer.group_send(self._probe_group, {"type": PROBE, "n": self._probes_sent})
            )
            probe.add_done_callback(_consume_error)
            try:
                await asyncio.wait_for(asyncio.shield(probe), _layer_timeout())
            except TimeoutError:
                # Slow is not lost: under load (this loop or Redis busy) a publish may take seconds,
                # and closing every socket then brings all their reconnects on top of the load (the
                # capacity benchmark saw exactly that cascade). The probe goes on; a Redis that hangs
                # is caught below when no probe has been heard for WS_PROBE_DEAD_SECONDS.
                metrics.LAYER_ERRORS.labels("probe_slow").inc()
            except Exception as error:
                metrics.LAYER_ERRORS.labels("probe").inc()
                outages.redis.failed("the fan-out's probe", error)
                self._reset("the channel layer refused a probe")
                return
            else:
                outages.redis.answered("the fan-out's probe")
            # Late is not lost: under load a probe may take seconds. Silence this long is.
            waiting = self._probes_sent > self._probes_heard
            if waiting and time.monotonic() - self._last_heard > settings.WS_PROBE_DEAD_SECONDS:
                self._reset("no probe heard")
                return
            since_refresh += settings.WS_PROBE_SECONDS
            if since_refresh >= settings.WS_HEARTBEAT_SECONDS:
                since_refresh = 0.0
                await self._refresh(channel)

    async def _refresh(self, channel: str) -> None:
        """Stay in every group past the core layer's group_expiry; leave groups nobody here is in."""
        empty = [group for group, members in self.sockets.items() if not members]
        for group in empty:  # all at once: a join meanwhile subscribes again, see below
            del self.sockets[group]
        try:
            for group in empty:
                if group not in self.sockets and not self._through_prefix(group):  # not joined again meanwhile
                    await self.layer.group_discard(group, channel)
            # Groups that were joined again while they were being left are subscribed once more.
            for group in [self._probe_group, PROCESSES_GROUP, *self.sockets]:
                if not self._through_prefix(group):
                    await asyncio.wait_for(self.layer.group_add(group, channel), _layer_timeout())
            for prefix in list(self.prefixes):
                await asyncio.wait_for(self.layer.group_prefix_add(prefix, channel), _layer_timeout())
        except Exception as error:
            metrics.LAYER_ERRORS.labels("refresh").inc()
            outages.redis.failed("the fan-out's group refresh", error)

    def _reset(self, why: str) -> None:
        """Close every socket of the process so its client syncs; start afresh with the next one."""
        sockets = list(self.groups_of)
        metrics.FANOUT_RESETS.inc()
        log.warning("%s: closing %d sockets so their clients sync", why, len(sockets))
        groups = [group for group in self.sockets if not self._through_prefix(group)]
        groups += [self._probe_group, PROCESSES_GROUP]
        prefixes, self.prefixes = self.prefixes, set()
        channel, self.sockets, self.groups_of, self.since, self.channel = self.channel, {}, {}, {}, None
        self.left, self.gone = {}, weakref.WeakSet()
        self._generation += 1
        for task in self._tasks:
            if task is not asyncio.current_task():
                task.cancel()
        self._tasks = []
        for socket in sockets:
            _hang_up(socket)
        if channel is not None:
            _in_background(self._unsubscribe(channel, groups, prefixes))

    async def _unsubscribe(self, channel: str, groups: list[str], prefixes: set[str]) -> None:
        """Best effort: with Redis down, the old subscriptions die with its connections."""
        for group in groups:
            try:
                await asyncio.wait_for(self.layer.group_discard(group, channel), 2)
            except Exception:
                log.debug("could not leave the old group %s", group, exc_info=True)
        for prefix in prefixes:
            try:
                await asyncio.wait_for(self.layer.group_prefix_discard(prefix, channel), 2)
            except Exception:
                log.debug("could not leave the old groups %s*", prefix, exc_info=True)

    def _lost_elsewhere(self, groups, before, process=None) -> None:
        """Events to `groups` published before `before` (a Unix time) were lost: the sockets that
        were listening then close, so their clients sync; those that came later have it all."""
        if not isinstance(before, (int, float)):
            return
        if groups == "*":
            sockets = set(self.groups_of)
        elif isinstance(groups, list):
            sockets = {socket for group in groups for socket in self.sockets.get(group, ())}
        else:
            return
        before += 0 if process == THIS_PROCESS else CLOCK_MARGIN_SECONDS
        sockets = {socket for socket in sockets if self.since.get(socket, before) < before}
        if sockets:
            log.warning("events to %d sockets were lost; closing them so their clients sync", len(sockets))
        for socket in sockets:
            self.forget(socket)
            _hang_up(socket)


_background: set[asyncio.Task] = set()


def _in_background(work) -> None:
    keep(asyncio.ensure_future(work))


def keep(task: asyncio.Task) -> None:
    """Hold a task until it is done: the loop keeps only weak references to tasks."""
    _background.add(task)
    task.add_done_callback(_background.discard)


def _subscriptions_lost(layer) -> int:
    """hub.layers.PubSubLayer counts them; other layers cannot tell (the probes still watch them)."""
    return getattr(layer, "subscriptions_lost", 0)


def _layer_timeout() -> float:
    """How long one call to the layer may take before it counts as failed."""
    return max(settings.WS_PROBE_SECONDS, 2)


def _consume_error(task: asyncio.Future) -> None:
    """A probe left to finish after its timeout: its failure is seen by the next probe, not lost."""
    if not task.cancelled():
        task.exception()


def _hang_up(socket: Socket) -> None:
    try:
        socket.hang_up(CLOSE_RESYNC)
    except Exception:
        log.debug("closing a socket failed", exc_info=True)


_fanouts: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ProcessFanout]" = weakref.WeakKeyDictionary()


def fanout() -> ProcessFanout:
    """The fan-out of the running event loop (one per server process)."""
    return one_per_loop(_fanouts, lambda: ProcessFanout(get_channel_layer()))


# --- lost events -------------------------------------------------------------------------------

# Pub/sub keeps nothing: a notice sent while another process is still re-subscribing after a Redis
# restart would be lost too. So it goes out several times, and only sockets that were listening
# before the failure close, however often they hear it.
ANNOUNCE_AGAIN_AFTER_SECONDS = (1, 2, 4, 8, 16)
_lost: dict[str, float] = {}  # group -> when its newest event was lost
_announcing: asyncio.Task | None = None


def publish_failed(layer, group: str) -> None:
    """An event to `group` could not be published: once the layer works again, every process
    closes its sockets in that group so their clients sync what they missed."""
    global _announcing
    _lost[group] = time.time()
    # (A task left on a loop that has ended, as tests leave them, would never announce anything.)
    if _announcing is None or _announcing.done() or _announcing.get_loop() is not asyncio.get_running_loop():
        _announcing = asyncio.ensure_future(_announce_lost(layer))


async def _announce_lost(layer) -> None:
    while _lost:
        groups, before = sorted(_lost), max(_lost.values()) + 0.001
        named = groups if len(groups) <= MAX_LOST_NAMED else "*"
        notice = {"type": LOST, "groups": named, "before": before, "process": THIS_PROCESS}
        while not await _send_notice(layer, notice):  # until the layer takes it
            await asyncio.sleep(1)
        for delay in ANNOUNCE_AGAIN_AFTER_SECONDS:  # again, for processes still re-subscribing
            await asyncio.sleep(delay)
            await _send_notice(layer, notice)
        for group in groups:
            if _lost.get(group, 0) < before:
                del _lost[group]


async def _send_notice(layer, notice: dict) -> bool:
    try:
        await layer.group_send(PROCESSES_GROUP, notice)
    except Exception:
        log.debug("the layer is still down; telling of lost events later", exc_info=True)
        return False
    metrics.LOST_PUBLISH_NOTICES.labels("sent").inc()
    return True
