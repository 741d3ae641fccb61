"""/api/v1 endpoints of licensing: the backend's signed events in, and the cases a person may see
(the same rules as the pages: licensing.selectors; each look at a case is logged)."""

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status

from licensing import selectors, services, webhook

router = Router(tags=["licensing"])


class EventAnswer(Schema):
    id: str
    status: str  # stored, duplicate
    handled: bool | None = None
    masked: list[str] = []


@router.post(
    "/licensing/events",
    auth=None,
    response={200: EventAnswer, 202: EventAnswer},
    summary="The licensing backend's events, signed (X-KSP-Signature); see docs/licensing-integration.md",
    description=(
        "202: stored (and handled, or kept to be retried); 200: this event id was already received; "
        "400: malformed, saying what; 401: bad, missing or stale signature; 413: larger than 64 KiB."
    ),
)
def licensing_event(request: HttpRequest):
    webhook.check_size(request.headers.get("Content-Length"))
    status, answer = webhook.receive(request.headers.get("X-KSP-Signature", ""), request.body)
    return Status(status, answer)


class PersonRef(Schema):
    id: int
    name: str


class TeamRef(Schema):
    id: int
    name: str


class CaseSummary(Schema):
    id: int
    number: str
    license_type: str
    request_type: str
    status: str
    province: str
    team: TeamRef | None
    assignee: PersonRef | None
    room: int | None
    opened_at: dt.datetime
    first_response_due: dt.datetime | None
    first_response_at: dt.datetime | None
    escalated_at: dt.datetime | None  # past the first-response target unanswered: the manager was told
    decided_at: dt.datetime | None


class StatusStep(Schema):
    status: str
    occurred_at: dt.datetime


class AssignmentStep(Schema):
    team: TeamRef | None
    assignee: PersonRef | None
    assigned_by: PersonRef | None
    reason: str
    at: dt.datetime


class CaseDetail(CaseSummary):
    applicant_name: str
    applicant_id_masked: str
    summary: str
    url: str
    submitted_at: dt.datetime | None
    erased_at: dt.datetime | None
    status_history: list[StatusStep]
    assignments: list[AssignmentStep]


class CaseFilter(Schema):
    status: str = ""
    mine: bool = False
    open: bool = False
    number: str = ""
    limit: int = 50
    offset: int = 0


class InviteIn(Schema):
    people: list[int]


def _person(user) -> dict | None:
    if user is None:
        return None
    person = getattr(user, "person", None)
    return {"id": person.pk if person else user.pk, "name": person.display_name if person else user.get_username()}


def _team(team) -> dict | None:
    return {"id": team.pk, "name": team.name} if team else None


def _summary(case) -> dict:
    return {
        "id": case.pk,
        "number": case.number,
        "license_type": case.license_type,
        "request_type": case.request_type,
        "status": case.status,
        "province": case.province,
        "team": _team(case.team),
        "assignee": _person(case.assignee),
        "room": case.room_id,
        "opened_at": case.opened_at,
        "first_response_due": case.first_response_due,
        "first_response_at": case.first_response_at,
        "escalated_at": case.escalated_at,
        "decided_at": case.decided_at,
    }


def _detail(case) -> dict:
    return _summary(case) | {
        "applicant_name": case.applicant_name,
        "applicant_id_masked": case.applicant_id_masked,
        "summary": case.summary,
        "url": case.url,
        "submitted_at": case.submitted_at,
        "erased_at": case.erased_at,
        "status_history": [{"status": s.status, "occurred_at": s.occurred_at} for s in selectors.status_history(case)],
        "assignments": [
            {
                "team": _team(a.team),
                "assignee": _person(a.assignee),
                "assigned_by": _person(a.assigned_by),
                "reason": a.reason,
                "at": a.at,
            }
            for a in selectors.assignment_history(case)
        ],
    }


@router.get("/cases", response=list[CaseSummary], summary="The cases you may see, newest first (no applicant details)")
def cases(request, filters: Query[CaseFilter]):
    limit, offset = max(1, min(filters.limit, selectors.MAX_LIST)), max(0, filters.offset)
    found = selectors.cases_for(
        request.auth, status=filters.status, mine=filters.mine, open_only=filters.open, query=filters.number
    )
    return [_summary(case) for case in found[offset : offset + limit]]


@router.get("/cases/{case_id}", response=CaseDetail, summary="A case with its applicant, histories and room (logged)")
def case(request, case_id: int):
    return _detail(services.view_case(request.auth, case_id, services.VIEW_API))


@router.post("/cases/{case_id}/invite", response=CaseSummary, summary="Invite people to the case's room")
def invite(request, case_id: int, payload: InviteIn):
    return _summary(services.invite(request.auth, case_id, payload.people))
