"""Reads of the hub: who the signed-in person is, and what a new socket is told first."""

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from hub.protocol import PROTOCOL_VERSION


def person_of(user: AbstractBaseUser):
    # The directory owns people; a user without a person (a bare admin) still gets a name.
    return getattr(user, "person", None)


def user_summary(user: AbstractBaseUser) -> dict:
    person = person_of(user)
    return {
        "id": user.pk,
        "username": user.get_username(),
        "name": person.display_name if person else (user.get_full_name() or user.get_username()),
        "name_th": person.name_th if person else "",
        "name_en": person.name_en if person else user.get_full_name(),
        "kind": person.kind if person else "staff",
        "person": person.pk if person else None,
    }


def hello_and_audience(user: AbstractBaseUser) -> tuple[dict, bool]:
    """The first frame of every socket (DESIGN.md §3), and whether the user sees everyone's presence."""
    from chat.selectors import hello_rooms
    from directory.selectors import sees_everyone

    hello = {"type": "hello", "protocol": PROTOCOL_VERSION, "user": user_summary(user), "rooms": hello_rooms(user)}
    return hello, sees_everyone(user)


def home_for(user: AbstractBaseUser) -> dict:
    """What the home page shows a signed-in person."""
    from directory.selectors import teammates_of

    person = person_of(user)
    return {"person": person, "teammates": teammates_of(person), "today": timezone.localdate()}
