"""Reads of chat."""

from django.db.models import QuerySet

from chat.models import Membership, Room


def users_sharing_a_room_with(user_id: int) -> QuerySet:
    """Ids of the users who share at least one room with `user_id` (the user included, if any room)."""
    rooms = Membership.objects.filter(user_id=user_id).values("room_id")
    return Membership.objects.filter(room_id__in=rooms).values("user_id").distinct()


def invitations_of(user_id: int) -> list:
    """The meeting and case rooms a person (an invited expert, typically) belongs to."""
    return list(
        Room.objects.filter(memberships__user_id=user_id, kind__in=[Room.Kind.MEETING, Room.Kind.CASE])
        .order_by("-created_at")
        .only("id", "name", "kind", "created_at")
    )
