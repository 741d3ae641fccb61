"""Who works a case: the team from the ordered rules, inside it the available member with the fewest
open cases (a stand-in for one out of office), else the team's queue; reassigning by hand, with a reason."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from directory import selectors as directory
from directory.models import Person, Team
from hub.errors import Forbidden, Invalid
from licensing import case_rooms, notify, provinces, targets, workhours
from licensing.models import CLOSED_STATUSES, Assignment, Case, RoutingRule, TeamCaseSettings
from licensing.selectors import case_for

MAX_REASON = Assignment._meta.get_field("reason").max_length
# Presence that counts as "online now" for routing (directory.selectors' words).
OFFLINE_STATUSES = {directory.OFFLINE, directory.OUT_OF_OFFICE}


# --- The team ------------------------------------------------------------------------------------


def rule_matches(rule: RoutingRule, case: Case) -> bool:
    """Every criterion the rule sets must hold; an empty one matches anything."""
    if rule.license_type and rule.license_type != case.license_type:
        return False
    if rule.request_type and rule.request_type != case.request_type:
        return False
    if rule.province and provinces.normalise(rule.province) != provinces.normalise(case.province):
        return False
    return not rule.region or rule.region == provinces.region_of(case.province)


def team_for(case: Case) -> Team | None:
    """The team of the first active rule (by order) that matches, else the default team."""
    for rule in RoutingRule.objects.filter(active=True).select_related("team").order_by("position", "pk"):
        if rule_matches(rule, case):
            return rule.team
    default = TeamCaseSettings.objects.filter(is_default=True).select_related("team").first()
    return default.team if default else None


# --- The person ----------------------------------------------------------------------------------


def open_case_counts(user_ids) -> dict[int, int]:
    """User id → how many open cases they hold, in one query."""
    rows = (
        Case.objects.filter(assignee_id__in=list(user_ids))
        .exclude(status__in=CLOSED_STATUSES)
        .values("assignee_id")
        .annotate(n=Count("pk"))
    )
    return {row["assignee_id"]: row["n"] for row in rows}


@dataclass(frozen=True)
class Choice:
    person: Person | None  # None: nobody is available, the case waits in the team's queue
    standing_in_for: Person | None = None


def _can_work(person: Person | None) -> bool:
    return (
        person is not None and person.kind == Person.Kind.STAFF and person.user_id is not None and person.user.is_active
    )


def choose_member(team: Team, now: dt.datetime | None = None) -> Choice:
    """The available member with the fewest open cases. Available: online now, or within their own
    working hours; never out of office. One out of office hands their turn to their stand-in (if
    that one is available). The manager oversees the queue and is not routed to."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    members = [
        person
        for person in Person.objects.filter(team=team, kind=Person.Kind.STAFF)
        .exclude(pk=team.manager_id or 0)
        .select_related("user", "out_of_office_delegate__user")
        if _can_work(person)
    ]
    stand_ins = {
        person.pk: person.out_of_office_delegate
        for person in members
        if workhours.is_out_of_office_on(person, today) and _can_work(person.out_of_office_delegate)
    }
    people = {person.pk: person for person in [*members, *stand_ins.values()]}
    statuses = directory.presence_for(people.values())
    calendar = workhours.Calendar()

    def available(person: Person) -> bool:
        if workhours.is_out_of_office_on(person, today):
            return False
        return statuses.get(person.pk) not in OFFLINE_STATUSES or workhours.is_working_time(person, now, calendar)

    candidates: dict[int, Choice] = {}
    for person in members:
        stand_in = stand_ins.get(person.pk)
        if available(person):
            candidates[person.pk] = Choice(person)
        elif stand_in is not None and available(stand_in):
            candidates.setdefault(stand_in.pk, Choice(stand_in, standing_in_for=person))
    if not candidates:
        return Choice(None)
    counts = open_case_counts(choice.person.user_id for choice in candidates.values())
    return min(candidates.values(), key=lambda choice: (counts.get(choice.person.user_id, 0), choice.person.pk))


# --- Routing a new case --------------------------------------------------------------------------


def route_case(case: Case, now: dt.datetime | None = None) -> Assignment:
    """Give a new case its team, its assignee (or the team's queue, telling the manager) and its
    first-response target. A case routed before keeps its assignment: an event handled twice
    routes once."""
    now = now or timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        earlier = case.assignments.order_by("-at", "-pk").first()
        if earlier is not None:
            return earlier
        team = team_for(case)
        if team is not None:
            # One routing at a time per team: two cases at once do not both go to the least busy.
            team = (
                Team.objects.select_for_update(of=("self",)).select_related("manager", "bureau__head").get(pk=team.pk)
            )
        choice = choose_member(team, now) if team is not None else Choice(None)
        assignee = choice.person.user if choice.person else None
        case.team, case.assignee = team, assignee
        if case.first_response_due is None and team is not None:
            case.first_response_due = targets.due_for(team, case.opened_at or now)
        case.save(update_fields=["team", "assignee", "first_response_due"])
        assignment = Assignment.objects.create(case=case, team=team, assignee=assignee, reason=_router_reason(choice))
        if assignee is not None:
            notify.tell(assignee.pk, notify.ASSIGNED, case)
        elif team is not None:
            notify.tell_manager(team, notify.QUEUED, case)
        case_rooms.seat_case_people(case)
    return assignment


def _router_reason(choice: Choice) -> str:
    if choice.person is None:
        return notify.in_house_language(lambda: _("Nobody in the team is available: the case waits in its queue."))
    if choice.standing_in_for is not None:
        away = choice.standing_in_for
        return notify.in_house_language(
            lambda: _("Standing in for %(name)s, who is out of office.") % {"name": away.display_name}
        )
    return ""


# --- By hand -------------------------------------------------------------------------------------


def may_reassign(user: AbstractBaseUser, case: Case) -> bool:
    """The team's manager, the head of its bureau, an administrator, or the case's assignee."""
    if user.is_superuser or (case.assignee_id is not None and case.assignee_id == user.pk):
        return True
    person = directory.person_of(user)
    if person is None or person.kind != Person.Kind.STAFF or case.team_id is None:
        return False
    team = case.team
    return person.pk in {team.manager_id, team.bureau.head_id}


def teams_taking_cases(case: Case) -> set[int]:
    """Teams a case may be handed to: the case's own, every team with case settings, and every team
    an active rule names."""
    teams = set(TeamCaseSettings.objects.values_list("team_id", flat=True))
    teams |= set(RoutingRule.objects.filter(active=True).values_list("team_id", flat=True))
    if case.team_id:
        teams.add(case.team_id)
    return teams


def _clean_reason(reason) -> str:
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise Invalid(_("Say why the case changes hands."), fields={"reason": _("A reason is required.")})
    if len(reason) > MAX_REASON:
        raise Invalid(
            _("A reason is at most %(limit)s characters.") % {"limit": MAX_REASON},
            fields={"reason": _("Too long.")},
        )
    return reason


def _case_to_change(user: AbstractBaseUser, case_id) -> Case:
    """The case, if `user` may see it (else NotFound, as for an unknown one), locked for the change."""
    case = case_for(user, case_id)
    case = Case.objects.select_for_update(of=("self",)).select_related("team__bureau", "assignee").get(pk=case.pk)
    if case.is_closed:
        raise Invalid(_("This case is closed: it no longer changes hands."))
    return case


def reassign_case(user: AbstractBaseUser, case_id, person_id, reason) -> Assignment:
    """The manager (or the assignee) hands the case to a staff member of a team that takes cases."""
    reason = _clean_reason(reason)
    with transaction.atomic():
        case = _case_to_change(user, case_id)
        if not may_reassign(user, case):
            raise Forbidden(_("Only the team's manager or the case's assignee may reassign it."))
        person = _staff_member(person_id)
        if person.team_id not in teams_taking_cases(case):
            raise Invalid(
                _("%(name)s's team does not take cases.") % {"name": person.display_name},
                fields={"person": _("Choose someone in a team that takes cases.")},
            )
        if person.user_id == case.assignee_id:
            raise Invalid(
                _("The case is already %(name)s's.") % {"name": person.display_name},
                fields={"person": _("Choose someone else.")},
            )
        return _hand_over(case, person, user, reason)


def take_from_queue(user: AbstractBaseUser, case_id) -> Assignment:
    """A member of the case's team takes a case waiting in the queue; the first to take it has it."""
    with transaction.atomic():
        case = _case_to_change(user, case_id)
        person = directory.person_of(user)
        if person is None or person.kind != Person.Kind.STAFF or case.team_id is None or person.team_id != case.team_id:
            raise Forbidden(_("Only a member of the case's team may take it from the queue."))
        if case.assignee_id is not None:
            raise Invalid(_("Someone has already taken this case."))
        reason = notify.in_house_language(lambda: _("Taken from the team's queue."))
        return _hand_over(case, person, user, reason)


def _staff_member(person_id) -> Person:
    try:
        person_id = int(person_id)
    except (TypeError, ValueError):
        person_id = 0
    person = (
        Person.objects.filter(pk=person_id, kind=Person.Kind.STAFF, user__is_active=True)
        .select_related("user", "team")
        .first()
        if 0 < person_id < 2**63
        else None
    )
    if person is None:
        raise Invalid(_("Choose a staff member."), fields={"person": _("Not a staff member.")})
    return person


def _hand_over(case: Case, person: Person, by: AbstractBaseUser, reason: str) -> Assignment:
    """Inside the caller's transaction, under the case's lock."""
    case.team_id, case.assignee = person.team_id, person.user
    case.save(update_fields=["team", "assignee"])
    assignment = Assignment.objects.create(
        case=case, team_id=person.team_id, assignee=person.user, assigned_by=by, reason=reason
    )
    if by.pk != person.user_id:
        notify.tell(person.user_id, notify.ASSIGNED, case)
    case = Case.objects.select_related("team__manager__user", "assignee", "room").get(pk=case.pk)
    case_rooms.seat_case_people(case)
    giver = directory.person_of(by)
    case_rooms.post_case_notice(
        case,
        notify.in_house_language(
            lambda: (
                _("%(by)s gave the case to %(name)s: %(reason)s")
                % {
                    "by": giver.display_name if giver else by.get_username(),
                    "name": person.display_name,
                    "reason": reason,
                }
            )
        ),
    )
    return assignment
