"""What a reconnecting client missed in its rooms: the messages after the last seq it has, and the
changes (edits, deletions, reactions, pins) to the messages it has, after the version it has."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q

from chat import syncing
from chat.models import Membership, Message, Room

SYNC_LIMIT = 500  # messages and changes in one answer; the client asks again from where it got


@dataclass
class CatchUp:
    messages: list[Message]  # new to the client, in room and seq order
    changed: list[Message]  # changed since the client's versions, in room and version order
    versions: dict[int, int] = field(default_factory=dict)  # room -> the version the client is now at
    truncated: bool = False
    # The reactions and files of the messages above, where they came with them (chat.syncing);
    # for chat.selectors.messages_out, which otherwise looks them up.
    extras: dict = field(default_factory=dict)


def catch_up(user: AbstractBaseUser, seqs: dict[int, int], versions: dict[int, int]) -> CatchUp:
    """For the user's rooms among those asked about; rooms they are not in are ignored, as if empty.

    The room versions first (only when versions are asked, on PostgreSQL), then one query for new
    messages and one for changes. A room's version is read before its changes, so the version
    reported never runs ahead of what was sent (a change made meanwhile may come twice: applying
    it again does no harm). On PostgreSQL each query brings its messages' authors, reactions and
    files with it (chat.syncing); elsewhere the ORM does the same in more queries.
    """
    fast = syncing.usable()
    if fast:
        current = syncing.current_versions(user, {*seqs, *versions}) if versions else {}
        new, extras = syncing.new_messages(user, seqs, SYNC_LIMIT + 1) if seqs else ([], {})
    else:
        current = dict(
            Membership.objects.filter(user=user, room_id__in={*seqs, *versions}).values_list(
                "room_id", "room__version"
            )
        )
        new, extras = _new_messages(current, seqs), {}
    if len(new) > SYNC_LIMIT:  # the changes wait for the next round
        return CatchUp(new[:SYNC_LIMIT], [], {}, truncated=True, extras=extras)

    behind = {room_id: version for room_id, version in versions.items() if current.get(room_id, 0) > version}
    room = SYNC_LIMIT - len(new)
    if not behind:
        changed = []
    elif fast:
        changed, more = syncing.changed_messages(behind, seqs, room + 1)
        extras.update(more)
    else:
        changed = _changed_messages(behind, seqs, room + 1)
    reached = {room_id: current[room_id] for room_id in versions if room_id in current}
    if len(changed) <= room:
        return CatchUp(new, changed, reached, extras=extras)
    changed = changed[:room]
    # Rooms before the one cut short are complete; that one is complete up to its last change
    # sent (a version belongs to one message only); those after it were not reached.
    cut = changed[-1].room_id
    for room_id in behind:
        if room_id == cut:
            reached[room_id] = changed[-1].version
        elif room_id > cut:
            reached[room_id] = versions[room_id]
    return CatchUp(new, changed, reached, truncated=True, extras=extras)


def _new_messages(current: dict[int, int], seqs: dict[int, int]) -> list[Message]:
    wanted = Q(pk__in=[])
    for room_id, seq in seqs.items():
        if room_id in current:
            wanted |= Q(room_id=room_id, seq__gt=seq)
    return list(
        Message.objects.filter(wanted).select_related("author__person").order_by("room_id", "seq")[: SYNC_LIMIT + 1]
    )


def _changed_messages(behind: dict[int, int], seqs: dict[int, int], limit: int) -> list[Message]:
    changes = Q(pk__in=[])
    for room_id, version in behind.items():
        # Messages after the client's seq came whole above; only those it has can have changed.
        upto = Q(seq__lte=seqs[room_id]) if room_id in seqs else Q()
        changes |= Q(room_id=room_id, version__gt=version) & upto
    return list(Message.objects.filter(changes).select_related("author__person").order_by("room_id", "version")[:limit])


@dataclass
class Changes:
    messages: list[Message]
    version: int  # the room's version once these are applied
    has_more: bool


def changes_in(room: Room, after_version: int, limit: int) -> Changes:
    """The room's messages changed after `after_version`, oldest change first (the REST form of
    sync's changes, for a client paging after sync.truncated or polling without a socket)."""
    version = Room.objects.values_list("version", flat=True).get(pk=room.pk)  # first: never ahead
    found = list(
        Message.objects.filter(room=room, version__gt=after_version)
        .select_related("author__person")
        .order_by("version")[: limit + 1]
    )
    if len(found) > limit:
        return Changes(found[:limit], found[limit - 1].version, True)
    return Changes(found, max(version, after_version), False)
