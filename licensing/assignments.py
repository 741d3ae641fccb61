"""Reads of a case's assignment, as its page and the API show them: who has it, its history with the
reasons, its first-response target, and what the viewer may do about it."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext as _

from directory import selectors as directory
from directory.models import Person
from licensing import routing, targets
from licensing.models import Assignment, Case


@dataclass
class Step:
    at: object
    team: str
    assignee: str  # empty: the team's queue
    assigned_by: str  # empty: the router
    reason: str


@dataclass
class Panel:
    case: Case
    team: str
    assignee: Person | None
    history: list[Step]
    target_state: str
    target_label: str
    may_reassign: bool
    may_take: bool
    candidates: list[tuple[str, list[Person]]] = field(default_factory=list)  # (team name, people)


def _name(user) -> str:
    if user is None:
        return ""
    person = getattr(user, "person", None)
    return person.display_name if person else user.get_username()


def history_of(case: Case) -> list[Step]:
    steps = Assignment.objects.filter(case=case).select_related("team", "assignee__person", "assigned_by__person")
    return [
        Step(
            at=step.at,
            team=step.team.name if step.team else "",
            assignee=_name(step.assignee),
            assigned_by=_name(step.assigned_by),
            reason=step.reason,
        )
        for step in steps.order_by("at", "pk")
    ]


def may_take(user: AbstractBaseUser, case: Case) -> bool:
    person = directory.person_of(user)
    return (
        not case.is_closed
        and case.assignee_id is None
        and case.team_id is not None
        and person is not None
        and person.kind == Person.Kind.STAFF
        and person.team_id == case.team_id
    )


def candidates_for(case: Case) -> list[tuple[str, list[Person]]]:
    """Staff of the teams that take cases, by team, but not the one who has it now."""
    people = (
        Person.objects.filter(
            team_id__in=routing.teams_taking_cases(case), kind=Person.Kind.STAFF, user__is_active=True
        )
        .exclude(user_id=case.assignee_id or 0)
        .select_related("team")
        .order_by("team__name_th", "first_name_th", "last_name_th")
    )
    teams: dict[int, tuple[str, list[Person]]] = {}
    for person in people:
        teams.setdefault(person.team_id, (person.team.name, []))[1].append(person)
    return list(teams.values())


def panel_for(user: AbstractBaseUser, case: Case) -> Panel:
    """For a case `user` may see (licensing.selectors.case_for)."""
    case = Case.objects.select_related("team__bureau", "assignee__person").get(pk=case.pk)
    state = targets.state_of(case, timezone.now())
    reassign = not case.is_closed and routing.may_reassign(user, case)
    return Panel(
        case=case,
        team=case.team.name if case.team else "",
        assignee=getattr(case.assignee, "person", None) if case.assignee else None,
        history=history_of(case),
        target_state=state,
        target_label=str(targets.STATE_LABELS[state]()),
        may_reassign=reassign,
        may_take=may_take(user, case),
        candidates=candidates_for(case) if reassign else [],
    )


def summary_out(user: AbstractBaseUser, case: Case) -> dict:
    """The API's view of a case's assignment."""
    panel = panel_for(user, case)
    case = panel.case
    return {
        "case": case.pk,
        "number": case.number,
        "team": {"id": case.team_id, "name": panel.team} if case.team_id else None,
        "assignee": {"id": panel.assignee.pk, "name": panel.assignee.display_name} if panel.assignee else None,
        "first_response_due": case.first_response_due,
        "first_response_at": case.first_response_at,
        "escalated_at": case.escalated_at,
        "target": panel.target_state,
        "target_label": panel.target_label,
        "may_reassign": panel.may_reassign,
        "may_take": panel.may_take,
        "history": [
            {
                "at": step.at,
                "team": step.team,
                "assignee": step.assignee,
                "assigned_by": step.assigned_by or _("routed automatically"),
                "reason": step.reason,
            }
            for step in panel.history
        ],
    }
