"""Who may see which teams' dashboard: a team's manager, a bureau's director, the secretary-general and admins."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from directory.models import Person, Team
from directory.selectors import person_of
from hub.errors import Forbidden, NotFound

SEE_ALL = "dashboard.view_all_teams"


def teams_of(user: AbstractBaseUser) -> QuerySet[Team]:
    """The teams whose dashboard `user` may see (none for everyone else)."""
    teams = Team.objects.select_related("bureau").order_by("bureau__name_th", "name_th")
    if not user.is_authenticated:
        return teams.none()
    if user.is_superuser or user.has_perm(SEE_ALL):
        return teams
    person = person_of(user)
    if person is None or person.kind != Person.Kind.STAFF:
        return teams.none()
    return teams.filter(Q(manager=person) | Q(bureau__head=person)).distinct()


def may_see_dashboard(user: AbstractBaseUser) -> bool:
    return teams_of(user).exists()


@dataclass
class Scope:
    """The teams one dashboard shows, and their staff."""

    teams: list[Team]
    chosen: Team | None  # one team picked out of the viewer's, or None for all of them
    members: list[Person]
    viewer_teams: list[Team] = field(default_factory=list)  # all the teams the viewer may choose from

    @property
    def team_ids(self) -> list[int]:
        return [team.pk for team in self.teams]

    # The ids as subqueries when the scope is teams, so that hundreds of ids are never bound
    # one by one into each query; as lists for one's own numbers.
    @property
    def user_ids(self):
        if self.teams:
            return _staff_of(self.teams).filter(user__isnull=False).values("user_id")
        return [person.user_id for person in self.members if person.user_id]

    @property
    def person_ids(self):
        return _staff_of(self.teams).values("pk") if self.teams else [person.pk for person in self.members]


def _staff_of(teams: list[Team]) -> QuerySet[Person]:
    return Person.objects.filter(team__in=[team.pk for team in teams], kind=Person.Kind.STAFF)


def scope_for(user: AbstractBaseUser, team_id: int | None = None) -> Scope:
    """The viewer's teams (or the one asked for among them). An expert hears that there is no such
    page (404); a staff member who manages nothing is refused (403); a team outside the viewer's
    is not found, as an unknown one."""
    person = person_of(user)
    if person is not None and person.kind == Person.Kind.EXPERT and not user.is_superuser:
        raise NotFound()
    mine = list(teams_of(user))
    if not mine:
        raise Forbidden(_("The dashboard is for managers of teams, bureau directors and the secretary-general."))
    chosen = None
    if team_id is not None:
        chosen = next((team for team in mine if team.pk == team_id), None)
        if chosen is None:
            raise NotFound()
    teams = [chosen] if chosen else mine
    members = list(
        _staff_of(teams).select_related("team").order_by("team__name_th", "first_name_th", "last_name_th", "pk")
    )
    return Scope(teams=teams, chosen=chosen, members=members, viewer_teams=mine)


def own_scope(person: Person) -> Scope:
    """A person's own numbers: just them."""
    return Scope(teams=[], chosen=None, members=[person])
