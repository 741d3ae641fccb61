"""/api/v1 endpoints of a case's assignment: read it, reassign with a reason, take from the queue.
Mounted by hub.api; the same rules as the page (licensing.routing, licensing.assignments)."""

import datetime as dt

from ninja import Router, Schema

from licensing import assignments, routing
from licensing.selectors import case_for

router = Router(tags=["cases"])


class Ref(Schema):
    id: int
    name: str


class StepOut(Schema):
    at: dt.datetime
    team: str
    assignee: str  # empty: the team's queue
    assigned_by: str
    reason: str


class AssignmentOut(Schema):
    case: int
    number: str
    team: Ref | None
    assignee: Ref | None  # a person (directory id); null: waiting in the team's queue
    first_response_due: dt.datetime | None
    first_response_at: dt.datetime | None
    escalated_at: dt.datetime | None  # set once, when the case went past its target unanswered
    target: str  # on_time, due, overdue, escalated
    target_label: str
    may_reassign: bool
    may_take: bool
    history: list[StepOut]


class ReassignIn(Schema):
    person: int  # a staff member's directory id
    reason: str


@router.get("/cases/{case_id}/assignment", response=AssignmentOut, summary="Who has the case, and its history")
def assignment(request, case_id: int):
    return assignments.summary_out(request.auth, case_for(request.auth, case_id))


@router.post("/cases/{case_id}/reassign", response=AssignmentOut, summary="Give the case to someone, with a reason")
def reassign(request, case_id: int, payload: ReassignIn):
    # The case as it now stands, even if handing it on means the giver no longer sees it.
    done = routing.reassign_case(request.auth, case_id, payload.person, payload.reason)
    return assignments.summary_out(request.auth, done.case)


@router.post("/cases/{case_id}/take", response=AssignmentOut, summary="Take a case waiting in your team's queue")
def take(request, case_id: int):
    return assignments.summary_out(request.auth, routing.take_from_queue(request.auth, case_id).case)
