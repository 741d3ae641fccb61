"""A case's room in chat (kind `case`): made once, with the assignee and the team manager in it;
the system's notices about the case; archived when the case is decided or withdrawn.

Called by the event handlers here and by routing (licensing.routing) when a case is reassigned.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from chat import services as chat
from licensing.models import Case


def room_name(case: Case) -> str:
    """Number and kind of request: never the applicant, whose name a room list would spread."""
    with translation.override("th"):
        return f"{case.number} · {case.get_request_type_display()}"


def case_people(case: Case) -> list[AbstractBaseUser]:
    """Who belongs in the room by their part in the case: the assignee and the team's manager."""
    people = []
    if case.assignee_id:
        people.append(case.assignee)
    manager = case.team.manager if case.team_id else None
    if manager is not None and manager.user_id:
        people.append(manager.user)
    return [user for user in people if user.is_active]


def open_case_room(case: Case):
    """The case's room, made the first time (twice called, one room), with its people in it."""
    with transaction.atomic():
        # Under the case's row lock: two events of one case at once make one room.
        room_id = Case.objects.select_for_update().values_list("room_id", flat=True).get(pk=case.pk)
        if room_id is None:
            room = chat.create_room(kind="case", name=room_name(case), owner=None, members=case_people(case))
            Case.objects.filter(pk=case.pk).update(room=room)
            case.room = room
        else:
            case.room_id = room_id
            seat_case_people(case)
    return case.room


def seat_case_people(case: Case) -> None:
    """Make sure the assignee and the team manager are in the room (after a reassignment, say)."""
    if case.room_id:
        chat.add_members(case.room, case_people(case))


def invite_people(case: Case, users: list[AbstractBaseUser]) -> None:
    """Add people (colleagues, experts) to the room: it is also what lets them see the case."""
    if case.room_id is None:
        open_case_room(case)
    chat.add_members(case.room, users)


def post_case_notice(case: Case, text: str):
    """A notice in the case's room, with a link to the case in the licensing system."""
    if case.room_id is None:
        return None
    with translation.override("th"):
        label = _("Open the case in the licensing system")
    return chat.post_notice(case.room_id, text, link=case.url or None, link_label=label)


def archive_case_room(case: Case) -> None:
    """A decided or withdrawn case's room: kept to be read, no longer written to."""
    if case.room_id and case.room.archived_at is None:
        chat.set_archived(case.room, True)
