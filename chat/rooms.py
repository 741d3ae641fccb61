"""Writes of chat about rooms: starting them, direct messages, who belongs, archiving.

Part of chat's write side; other apps reach these through chat.services, which re-exports them.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chat import selectors
from chat.models import Membership, Room
from hub import realtime
from hub.errors import Forbidden, Invalid, NotFound

MAX_DIRECT_PEOPLE = 9  # with the one opening it; more make a private group


@transaction.atomic
def create_room(
    *, kind: str, name: str, owner: AbstractBaseUser | None, members: list[AbstractBaseUser]
) -> Room:
    """A new room; without an owner (a case room, made by the system) nobody in it may change it."""
    room = Room.objects.create(kind=kind, name=name, created_by=owner)
    add_members(room, [user for user in (owner, *members) if user is not None], owner=owner)
    return room


def add_members(room: Room, users: list[AbstractBaseUser], owner: AbstractBaseUser | None = None) -> None:
    """Add users to a room; those already in it keep their role. Their open sockets join at once."""
    existing = set(room.memberships.values_list("user_id", flat=True))
    added = [user for user in {user.pk: user for user in users}.values() if user.pk not in existing]
    Membership.objects.bulk_create(
        [
            Membership(
                room=room,
                user=user,
                role=Membership.Role.OWNER if owner and user.pk == owner.pk else Membership.Role.MEMBER,
                last_read_seq=room.last_seq,
            )
            for user in added
        ],
        ignore_conflicts=True,  # someone added by two requests at once (a double-clicked Join) is added once
    )
    for user in added:
        realtime.room_joined(user.pk, room.pk, {"type": "room.joined", "room": selectors.room_out(room, user)})
    if added:
        realtime.publish_to_room(room.pk, {"type": "room.members", "room": room.pk})


def remove_member(room: Room, user: AbstractBaseUser) -> None:
    """Take a user out of a room: their sockets leave its group at once and stop receiving."""
    if Membership.objects.filter(room=room, user=user).delete()[0]:
        realtime.room_left(user.pk, room.pk, {"type": "room.left", "room": room.pk})
        realtime.publish_to_room(room.pk, {"type": "room.members", "room": room.pk})


def start_room(user: AbstractBaseUser, kind: str, name: str, topic: str, member_ids: list[int]) -> Room:
    """A person starts a team channel (public within the staff) or a private group."""
    if kind not in (Room.Kind.CHANNEL, Room.Kind.PRIVATE):
        raise Invalid(_("A room you start is a channel or a private group."), fields={"kind": _("Not allowed.")})
    if not selectors.is_staff_member(user):
        raise Forbidden(_("Only staff can start rooms."))
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise Invalid(_("Give the room a name of at most 200 characters."), fields={"name": _("Required.")})
    members = _visible_users(user, member_ids)
    room = create_room(kind=kind, name=name, owner=user, members=members)
    if topic:
        Room.objects.filter(pk=room.pk).update(topic=topic.strip()[:500])
        room.refresh_from_db()
    return room


def join_channel(user: AbstractBaseUser, room_id: int) -> Room:
    room = selectors.room_for(user, room_id)
    if room is None:
        raise NotFound()
    if room.kind != Room.Kind.CHANNEL:
        raise Forbidden(_("Only team channels can be joined; ask a member to add you."))
    add_members(room, [user])
    return room


def leave_room(user: AbstractBaseUser, room_id: int) -> None:
    """Anyone may leave a room but its last owner (it would have nobody to invite or remove people)
    and the people of a direct message (opening it again finds the same room)."""
    room = selectors.room_for(user, room_id)
    membership = Membership.objects.filter(room=room, user=user).first() if room else None
    if membership is None:
        raise NotFound()
    if room.kind == Room.Kind.DIRECT:
        raise Forbidden(_("A direct message cannot be left."))
    with transaction.atomic():
        # Under the room's row lock: two owners leaving at once must not leave it with none.
        Room.objects.select_for_update().filter(pk=room.pk).first()
        if membership.role == Membership.Role.OWNER and not (
            room.memberships.filter(role=Membership.Role.OWNER).exclude(user=user).exists()
        ):
            raise Invalid(_("You are this room's only owner: it cannot be left."))
        remove_member(room, user)


def invite(user: AbstractBaseUser, room_id: int, member_ids: list[int]) -> Room:
    """An owner adds people they may see to a channel or group; their open tabs show it at once."""
    room = _room_owned_by(user, room_id)
    if not member_ids:
        raise Invalid(_("Choose at least one person to add."), fields={"members": _("Required.")})
    add_members(room, _visible_users(user, member_ids))
    return room


def remove_from_room(user: AbstractBaseUser, room_id: int, member_id: int) -> Room:
    """An owner takes someone out of a channel or group; their open tabs leave it at once."""
    room = _room_owned_by(user, room_id)
    if int(member_id) == user.pk:
        raise Invalid(_("To leave the room yourself, use Leave."))
    member = room.memberships.filter(user_id=member_id).select_related("user").first()
    if member is None:
        raise NotFound(_("That person is not in this room."))
    remove_member(room, member.user)
    return room


def _room_owned_by(user: AbstractBaseUser, room_id: int) -> Room:
    """The room, if `user` owns it and its members may be changed now."""
    room = selectors.room_for(user, room_id)
    if room is None:
        raise NotFound()
    if not Membership.objects.filter(room=room, user=user, role=Membership.Role.OWNER).exists():
        raise Forbidden(_("Only a room owner can change who is in it."))
    if room.kind == Room.Kind.DIRECT:
        raise Forbidden(_("A direct message is for the people it was opened with; start a group instead."))
    if room.kind not in (Room.Kind.CHANNEL, Room.Kind.PRIVATE):
        # Meeting and case rooms: their own app decides who is invited.
        raise Forbidden(_("Who is in this room is decided where it was made (its meeting or case)."))
    if room.archived_at is not None:
        raise Forbidden(_("This room is archived: it can be read, not written to."))
    return room


def open_direct_by_ids(user: AbstractBaseUser, user_ids: list[int]) -> Room:
    return open_direct(user, _visible_users(user, user_ids))


def _visible_users(user: AbstractBaseUser, user_ids: list[int]) -> list[AbstractBaseUser]:
    """The other users with these ids, all of whom `user` may see in the directory."""
    from directory.selectors import visible_people

    wanted = {int(pk) for pk in user_ids} - {user.pk}
    visible = visible_people(user).filter(user_id__in=wanted).values("user_id")
    found = list(get_user_model().objects.filter(pk__in=visible))
    if len(found) != len(wanted):
        raise Invalid(_("Some of those people are unknown to you."), fields={"members": _("Unknown people.")})
    return found


def open_direct(user: AbstractBaseUser, others: list[AbstractBaseUser]) -> Room:
    """The direct-message room of exactly these people: opening it twice gives the same room."""
    if not selectors.is_staff_member(user):
        raise Forbidden(_("Invited experts talk in the rooms they were invited to."))
    people = {user.pk: user, **{other.pk: other for other in others}}
    if len(people) < 2:
        raise Invalid(_("A direct message needs at least one other person."))
    if len(people) > MAX_DIRECT_PEOPLE:
        raise Invalid(_("A direct message is for at most 9 people; make a private group instead."))
    key = "dm:" + ",".join(str(pk) for pk in sorted(people))
    with transaction.atomic():
        room = Room.objects.filter(direct_key=key).first()
        if room is not None:
            return room
        try:
            with transaction.atomic():
                room = Room.objects.create(kind=Room.Kind.DIRECT, direct_key=key, created_by=user)
        except IntegrityError:  # opened by the other side at the same moment
            return Room.objects.get(direct_key=key)
        add_members(room, list(people.values()))
        return room



def archive_room(user: AbstractBaseUser, room_id: int, archived: bool = True) -> Room:
    """An owner makes a room read-only (or writable again); its history stays."""
    room = selectors.room_for(user, room_id)
    if room is None:
        raise NotFound()
    if not Membership.objects.filter(room=room, user=user, role=Membership.Role.OWNER).exists():
        raise Forbidden(_("Only a room owner can archive it."))
    return set_archived(room, archived)


def set_archived(room: Room, archived: bool = True) -> Room:
    """Make a room read-only (or writable again) for the app that owns it (a decided case's room)."""
    with transaction.atomic():
        room.archived_at = timezone.now() if archived else None
        room.save(update_fields=["archived_at"])
        realtime.publish_to_room(
            room.pk, {"type": "room.updated", "room": room.pk, "archived": room.archived_at is not None}
        )
    return room
