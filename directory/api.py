"""/api/v1 endpoints of the directory: people, teams, and one's own presence."""

from datetime import date

from django.http import Http404
from django.urls import reverse
from ninja import Path, Query, Router, Schema

from directory import selectors, services
from directory.models import Person
from hub.params import Id, Offset, page_size, text
from hub.search import MAX_QUERY_CHARS

router = Router(tags=["directory"])


class BureauOut(Schema):
    id: int
    code: str
    name_th: str
    name_en: str


class TeamOut(Schema):
    id: int
    code: str
    name_th: str
    name_en: str
    bureau: BureauOut
    manager: int | None


class OutOfOfficeOut(Schema):
    start: date | None
    until: date | None
    note: str
    delegate: int | None


class PersonOut(Schema):
    id: int
    user: int | None
    kind: str
    name: str
    name_th: str
    name_en: str
    nickname: str
    position_th: str
    position_en: str
    team: TeamOut | None
    manager: int | None
    email: str
    phone_ext: str
    mobile: str
    skills: list[str]
    affiliation: str
    expertise: list[str]
    presence: str
    out_of_office: OutOfOfficeOut | None
    photo_url: str | None
    vcard_url: str


class PeoplePage(Schema):
    count: int
    next_cursor: str | None
    results: list[PersonOut]


class PeopleFilters(Schema):
    q: text(max_length=MAX_QUERY_CHARS) = ""
    bureau: Id | None = None
    team: Id | None = None
    kind: Person.Kind | None = None
    available: bool = False
    limit: page_size(selectors.MAX_PAGE) = 50
    cursor: Offset = 0


class PresenceIn(Schema):
    status: text(choices=[*services.CHOOSABLE_PRESENCE, "auto"]) | None = None


class PresenceOut(Schema):
    status: str


def _team(team) -> dict | None:
    if team is None:
        return None
    bureau = team.bureau
    return {
        "id": team.pk,
        "code": team.code,
        "name_th": team.name_th,
        "name_en": team.name_en,
        "bureau": {"id": bureau.pk, "code": bureau.code, "name_th": bureau.name_th, "name_en": bureau.name_en},
        "manager": team.manager_id,
    }


def person_out(person: Person, status: str, viewer) -> dict:
    away = selectors.is_out_of_office(person)
    return {
        "id": person.pk,
        "user": person.user_id,
        "kind": person.kind,
        "name": person.display_name,
        "name_th": person.name_th,
        "name_en": person.name_en,
        "nickname": person.nickname,
        "position_th": person.position_th,
        "position_en": person.position_en,
        "team": _team(person.team),
        "manager": person.manager_id,
        "email": person.email,
        "phone_ext": person.phone_ext,
        "mobile": person.mobile,
        "skills": [skill.strip() for skill in person.skills.split(",") if skill.strip()],
        "affiliation": person.affiliation,
        "expertise": person.expertise,
        "presence": status,
        "out_of_office": {
            "start": person.out_of_office_from,
            "until": person.out_of_office_until,
            "note": person.out_of_office_note,
            "delegate": getattr(selectors.delegate_for(person, viewer), "pk", None),
        }
        if away
        else None,
        "photo_url": reverse("directory:photo", args=[person.pk]) if person.photo else None,
        "vcard_url": reverse("directory:vcard", args=[person.pk]),
    }


@router.get("/people", response=PeoplePage, summary="Search the people you may see")
def list_people(request, filters: Query[PeopleFilters]):
    page = selectors.search_people(
        request.auth,
        filters.q,
        bureau=filters.bureau,
        team=filters.team,
        kind=filters.kind,
        available=filters.available,
        limit=filters.limit,
        offset=filters.cursor,
    )
    return {
        "count": page.total,
        "next_cursor": str(page.next_offset) if page.next_offset is not None else None,
        "results": [person_out(person, page.statuses[person.pk], request.auth) for person in page.people],
    }


@router.get("/people/{person_id}", response=PersonOut, summary="One person, if you may see them")
def get_person(request, person_id: Path[Id]):
    person = selectors.person_for(request.auth, person_id)
    if person is None:
        raise Http404
    return person_out(person, selectors.presence_for([person])[person.pk], request.auth)


@router.get("/teams", response=list[TeamOut], summary="Teams, with their bureau and manager")
def list_teams(request):
    return [_team(team) for team in selectors.visible_teams(request.auth)]


@router.put("/me/presence", response=PresenceOut, summary="Choose your presence (available, busy, away, auto)")
def set_my_presence(request, payload: PresenceIn):
    return {"status": services.choose_presence(request.auth, payload.status)}
