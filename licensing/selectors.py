"""TEMPORARY stand-in for lic-a's licensing/selectors.py (removed before merging lic-a)."""

from django.db.models import Q

from directory import selectors as directory
from hub.errors import NotFound
from licensing.models import Case


def case_for(user, case_id) -> Case:
    try:
        case_id = int(case_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    cases = Case.objects.filter(pk=case_id)
    if not user.is_superuser:
        person = directory.person_of(user)
        if person is None or person.kind != person.Kind.STAFF:
            raise NotFound()
        cases = cases.filter(Q(assignee_id=user.pk) | Q(team__manager=person) | Q(team_id=person.team_id or 0))
    case = cases.first()
    if case is None:
        raise NotFound()
    return case
