"""Reads of licensing: which cases a person may see, and a case's history as its page shows it.

Who sees a case: administrators all; staff their own, their team's, (managers) their teams' and
(bureau heads) their bureau's; anyone, experts included, a case whose room they were invited to.
Everything else is "not found".
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from chat import selectors as chat
from directory import selectors as directory
from hub.errors import NotFound
from licensing.models import Case, CaseView, Status

MAX_LIST = 200


def _visible(user: AbstractBaseUser) -> Q | None:
    """The cases `user` may see, as a filter; None: all of them."""
    if user.is_superuser:
        return None
    visible = Q(room_id__in=chat.room_ids_of(user.pk))
    person = directory.person_of(user)
    if person is not None and person.kind == person.Kind.STAFF:
        visible |= Q(assignee_id=user.pk) | Q(team__manager=person) | Q(team__bureau__head=person)
        if person.team_id:
            visible |= Q(team_id=person.team_id)
    return visible


def cases_for(
    user: AbstractBaseUser, *, status: str = "", mine: bool = False, open_only: bool = False, query: str = ""
) -> QuerySet[Case]:
    """The cases `user` may see, newest first; narrowed to a status, to theirs, to open ones, or to
    a case number containing `query`."""
    if not user.is_authenticated:
        return Case.objects.none()
    cases = Case.objects.select_related("team", "assignee__person")
    visible = _visible(user)
    if visible is not None:
        cases = cases.filter(visible)
    if status:
        cases = cases.filter(status=status)
    if mine:
        cases = cases.filter(assignee_id=user.pk)
    if open_only:
        cases = cases.exclude(status__in=[Status.APPROVED, Status.REJECTED, Status.WITHDRAWN])
    if query:
        cases = cases.filter(number__icontains=query.strip()[:40])
    return cases.distinct().order_by("-opened_at", "-pk")


def case_for(user: AbstractBaseUser, case_id) -> Case:
    """The case if `user` may see it; NotFound alike for an unknown case and another's."""
    try:
        case_id = int(case_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < case_id < 2**63 or not user.is_authenticated:
        raise NotFound()
    case = cases_for(user).select_related("room", "team__manager").filter(pk=case_id).first()
    if case is None:
        raise NotFound()
    return case


def case_for_room(user: AbstractBaseUser, room_id: int) -> Case | None:
    """The case a room belongs to, if `user` may see it (the chat page links back to its case)."""
    return cases_for(user).filter(room_id=room_id).first()


def case_by_number(number: str) -> Case | None:
    return Case.objects.filter(number=number).first()


def status_history(case: Case) -> list:
    """Every status the backend reported, in the order it happened (an event arriving late too)."""
    return list(case.status_changes.order_by("occurred_at", "pk"))


def assignment_history(case: Case) -> list:
    return list(case.assignments.select_related("team", "assignee__person", "assigned_by__person").order_by("at", "pk"))


def views_of(case: Case, limit: int = 100) -> list[CaseView]:
    """Who looked at a case's personal data, newest first (the PDPA log)."""
    return list(case.views.select_related("viewer__person").order_by("-at", "-pk")[:limit])


def in_room(user: AbstractBaseUser, case: Case) -> bool:
    return bool(case.room_id) and chat.room_for(user, case.room_id) is not None


def room_members(case: Case) -> list[dict]:
    """Who is in the case's room (the case page lists them)."""
    return chat.members_of(case.room) if case.room_id else []
