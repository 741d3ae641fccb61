"""Writes of chat: rooms and their members. Other apps create their rooms through here."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from chat.models import Membership, Room


@transaction.atomic
def create_room(*, kind: str, name: str, owner: AbstractBaseUser, members: list[AbstractBaseUser]) -> Room:
    room = Room.objects.create(kind=kind, name=name, created_by=owner)
    add_members(room, [owner, *members], owner=owner)
    return room


def add_members(room: Room, users: list[AbstractBaseUser], owner: AbstractBaseUser | None = None) -> None:
    """Add users to a room; those already in it keep their role."""
    existing = set(room.memberships.values_list("user_id", flat=True))
    Membership.objects.bulk_create(
        [
            Membership(
                room=room,
                user=user,
                role=Membership.Role.OWNER if owner and user.pk == owner.pk else Membership.Role.MEMBER,
            )
            for user in {user.pk: user for user in users}.values()
            if user.pk not in existing
        ]
    )
