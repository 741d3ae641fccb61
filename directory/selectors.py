"""Reads of the directory: who may see whom, search, presence, the org chart."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When, Window
from django.db.models.functions import Lower, StrIndex
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.selectors import users_sharing_a_room_with
from directory import presence
from directory.models import Person, Team
from hub.search import clean_query

# Thai vowel and tone marks written above or below a consonant (Unicode category Mn).
THAI_MARKS = set("\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e")
MAX_PAGE = 200

# Presence statuses, in the words the protocol uses.
AVAILABLE, BUSY, IN_MEETING, AWAY, OFFLINE, OUT_OF_OFFICE = (
    "available",
    "busy",
    "in_meeting",
    "away",
    "offline",
    "out_of_office",
)
STATUSES = (AVAILABLE, BUSY, IN_MEETING, AWAY, OFFLINE, OUT_OF_OFFICE)


def person_of(user: AbstractBaseUser) -> Person | None:
    return getattr(user, "person", None) if user.is_authenticated else None


def sees_everyone(user: AbstractBaseUser) -> bool:
    """Staff (and administrators) see all staff and experts; experts see only their rooms' people."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    person = person_of(user)
    return person is not None and person.kind == Person.Kind.STAFF


def visible_people(user: AbstractBaseUser) -> QuerySet[Person]:
    people = Person.objects.select_related("team", "team__bureau", "user")
    if sees_everyone(user):
        return people
    if not user.is_authenticated:
        return people.none()
    return people.filter(Q(user_id__in=users_sharing_a_room_with(user.pk)) | Q(user_id=user.pk))


def person_for(user: AbstractBaseUser, person_id: int) -> Person | None:
    """The person with this id if `user` may see them; None alike for unknown and hidden."""
    return visible_people(user).filter(pk=person_id).first()


def visible_teams(user: AbstractBaseUser) -> QuerySet[Team]:
    teams = Team.objects.select_related("bureau", "manager")
    return teams if sees_everyone(user) else teams.filter(members__in=visible_people(user)).distinct()


def is_out_of_office(person: Person, today=None) -> bool:
    today = today or timezone.localdate()
    start, end = person.out_of_office_from, person.out_of_office_until
    return start is not None and start <= today and (end is None or today <= end)


def presence_of(person: Person, connections: list[presence.Connection], in_meeting: bool = False) -> str:
    if is_out_of_office(person):
        return OUT_OF_OFFICE
    if in_meeting:  # in a call now (presence.people_in_a_meeting): a fact, whatever the sockets say
        return IN_MEETING
    if not connections:
        return OFFLINE
    if person.presence_choice:
        return person.presence_choice
    if all(connection.idle for connection in connections):
        return AWAY
    return AVAILABLE


def delegate_for(person: Person, user: AbstractBaseUser) -> Person | None:
    """Who stands in for an away person, if the viewer may see them."""
    if not is_out_of_office(person) or person.out_of_office_delegate_id is None:
        return None
    return person_for(user, person.out_of_office_delegate_id)


def presence_for(people) -> dict[int, str]:
    """Person id → presence status, for a page or API list of people."""
    people = list(people)
    store = presence.store()
    online = store.online_user_ids()
    # One trip for everyone online on the page, not one each (the chat page lists up to 500).
    connections = store.connections_of([person.user_id for person in people if person.user_id in online])
    in_meeting = presence.people_in_a_meeting([person.pk for person in people])
    return {
        person.pk: presence_of(person, connections.get(person.user_id, []), person.pk in in_meeting)
        for person in people
    }


def presence_of_user(user_id: int) -> tuple[Person, str] | tuple[None, None]:
    person = Person.objects.filter(user_id=user_id).first()
    if person is None:
        return None, None
    in_meeting = person.pk in presence.people_in_a_meeting([person.pk])
    return person, presence_of(person, presence.store().connections(user_id), in_meeting)


@dataclass
class SearchPage:
    people: list[Person]
    statuses: dict[int, str]
    total: int
    next_offset: int | None


def search_people(
    user: AbstractBaseUser,
    query: str = "",
    *,
    bureau: int | None = None,
    team: int | None = None,
    kind: str | None = None,
    available: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> SearchPage:
    """People `user` may see matching every word of `query` anywhere in their names, nickname,
    position, skills or team (Thai words have no spaces, so "สมช" finds สมชาย). Exact name matches
    first, then names starting with the query, then the rest, each by Thai name.
    """
    query = clean_query(query).lower()
    limit = max(1, min(limit, MAX_PAGE))
    # Rank and page over ids alone, then load the page's rows: sorting thousands of full rows
    # (with team, bureau and user joined) costs more than the search itself.
    matches = visible_people(user).select_related(None)
    for term in query.split():
        matches = matches.filter(_contains(term))
    if bureau:
        matches = matches.filter(team__bureau_id=bureau)
    if team:
        matches = matches.filter(team_id=team)
    if kind:
        matches = matches.filter(kind=kind)
    if available:
        matches = matches.filter(user_id__in=presence.store().online_user_ids())
    ordered = matches.order_by("first_name_th", "last_name_th", "pk")
    if query:
        exact, prefix = Q(), Q()
        for field in ("first_name_th", "last_name_th", "nickname"):
            exact |= Q(**{field: query})
            prefix |= Q(**{f"{field}__startswith": query})
        for field in ("first_name_en", "last_name_en"):
            exact |= Q(**{f"{field}_lower": query})
            prefix |= Q(**{f"{field}_lower__startswith": query})
        ordered = matches.annotate(
            first_name_en_lower=Lower("first_name_en"),
            last_name_en_lower=Lower("last_name_en"),
            rank=Case(
                When(exact, then=Value(0)), When(prefix, then=Value(1)), default=Value(2), output_field=IntegerField()
            ),
        ).order_by("rank", "first_name_th", "last_name_th", "pk")
    if available:
        # Online is not yet available (busy, in a meeting, away): decided per person, after the query.
        candidates = _load(list(ordered.values_list("pk", flat=True)))
        statuses = presence_for(candidates)
        matching = [person for person in candidates if statuses[person.pk] == AVAILABLE]
        total, page = len(matching), matching[offset : offset + limit]
    else:
        # One pass: the ranked page's ids, each row also carrying the count of all matches.
        rows = list(ordered.annotate(total=Window(Count("pk"))).values_list("pk", "total")[offset : offset + limit])
        total = rows[0][1] if rows else (matches.count() if offset else 0)
        page = _load([pk for pk, _total in rows])
        statuses = presence_for(page)
    next_offset = offset + limit if offset + limit < total else None
    return SearchPage(page, {person.pk: statuses[person.pk] for person in page}, total, next_offset)


def _contains(term: str):
    """The search text holds `term`. LIKE lets PostgreSQL's trigram index narrow the rows when the
    term has trigrams worth the name; a three-letter Thai term with a vowel or tone mark (ต้น) or
    anything shorter matches so many candidates that the index's rechecks cost more than a plain
    position test of every row (measured in bench/directory_search.py). Same rows either way,
    on SQLite too.
    """
    if len(term) >= 4 or (len(term) == 3 and not set(term) & THAI_MARKS):
        return Q(search_document__contains=term)
    return GreaterThan(StrIndex("search_document", Value(term)), 0)


def _load(ids: list[int]) -> list[Person]:
    """The people with these ids, with their team, bureau and user, in the order given."""
    found = Person.objects.select_related("team", "team__bureau", "user").in_bulk(ids)
    return [found[pk] for pk in ids]


def org_chart_for(person: Person, user: AbstractBaseUser) -> dict:
    """The chain of managers above `person` (top first) and the people reporting to them."""
    visible = visible_people(user)
    chain, seen, current = [], {person.pk}, person
    while current.manager_id and current.manager_id not in seen:
        manager = visible.filter(pk=current.manager_id).first()
        if manager is None:
            break
        chain.append(manager)
        seen.add(manager.pk)
        current = manager
    chain.reverse()
    reports = list(visible.filter(manager=person).order_by("first_name_th"))
    return {"chain": chain, "reports": reports}


def teammates_of(person: Person | None) -> list[Person]:
    """The other members of a person's team, managers first."""
    if person is None or person.team_id is None:
        return []
    members = Person.objects.filter(team_id=person.team_id).exclude(pk=person.pk).select_related("team")
    manager_id = person.team.manager_id
    ordered = sorted(members[:500], key=lambda member: (member.pk != manager_id, member.first_name_th))
    return ordered[:30]  # the home page shows a team, not a bureau of hundreds


def manages_above(person: Person, candidate_manager: Person | None) -> bool:
    """Whether making `candidate_manager` the manager of `person` would close a loop."""
    seen = set()
    current = candidate_manager
    while current is not None and current.pk not in seen:
        if current.pk == person.pk:
            return True
        seen.add(current.pk)
        current = current.manager
    return False


def visible_users(viewer: AbstractBaseUser, users: QuerySet) -> QuerySet:
    """Of these user accounts, those whose person `viewer` may see (staff: everyone)."""
    if sees_everyone(viewer):
        return users
    return users.filter(person__in=visible_people(viewer))


def teams_by_code(codes: set[str], viewer: AbstractBaseUser) -> dict[str, tuple[int, str, list[int]]]:
    """Team code → (id, name, member user ids) of the teams `viewer` may see, for @team mentions."""
    found = {}
    for team in visible_teams(viewer).filter(code__in=codes).prefetch_related("members"):
        found[team.code] = (team.pk, team.name, [m.user_id for m in team.members.all() if m.user_id])
    return found


def presence_labels() -> dict[str, str]:
    """The words for each presence status, in the active language (pages and their scripts)."""
    return {
        AVAILABLE: _("Available"),
        BUSY: _("Busy"),
        IN_MEETING: _("In a meeting"),
        AWAY: _("Away"),
        OFFLINE: _("Offline"),
        OUT_OF_OFFICE: _("Out of office"),
    }
