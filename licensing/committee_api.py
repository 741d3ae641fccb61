"""/api/v1 endpoints of committee reviews: read a case's review, set its meeting, record the resolution;
the same rules as the case page (licensing.committee)."""

import datetime as dt

from django.conf import settings
from ninja import Router, Schema

from hub.errors import NotFound
from licensing import committee
from licensing.models import CommitteeReview
from licensing.selectors import case_for

router = Router(tags=["licensing"])


class ExpertOut(Schema):
    id: int
    name: str


class ReviewOut(Schema):
    id: int
    case: int
    state: str
    experts: list[ExpertOut]
    quorum: int
    proposed_start: dt.datetime | None
    proposed_end: dt.datetime | None
    meeting: int | None
    meeting_url: str | None
    resolution: str
    votes_for: int
    votes_against: int
    votes_abstain: int
    resolution_note: str
    resolved_at: dt.datetime | None
    can_act: bool


class ConfirmIn(Schema):
    start: dt.datetime  # ISO 8601; without an offset it is Bangkok time
    end: dt.datetime | None = None  # default: COMMITTEE_MEETING_MINUTES after the start
    room: int | None = None


class ResolutionIn(Schema):
    resolution: str  # approve, reject, request_documents
    votes_for: int
    votes_against: int = 0
    votes_abstain: int = 0
    note: str = ""


def review_out(user, review: CommitteeReview) -> dict:
    return {
        "id": review.pk,
        "case": review.case_id,
        "state": review.state,
        "experts": [{"id": p.pk, "name": p.display_name} for p in review.experts.order_by("pk")],
        "quorum": review.quorum,
        "proposed_start": review.proposed_start,
        "proposed_end": review.proposed_end,
        "meeting": review.meeting_id,
        "meeting_url": f"{settings.SITE_URL}/meetings/{review.meeting_id}/" if review.meeting_id else None,
        "resolution": review.resolution,
        "votes_for": review.votes_for,
        "votes_against": review.votes_against,
        "votes_abstain": review.votes_abstain,
        "resolution_note": review.resolution_note,
        "resolved_at": review.resolved_at,
        "can_act": committee.may_act(user, review.case),
    }


@router.get("/cases/{case_id}/committee", response=ReviewOut)
def case_review(request, case_id: int):
    """The case's latest committee review; 404 when it has none or the case is not yours to see."""
    review = committee.latest_review(case_for(request.auth, case_id))
    if review is None:
        raise NotFound()
    return review_out(request.auth, review)


@router.post("/committee-reviews/{review_id}/confirm", response=ReviewOut)
def confirm(request, review_id: int, payload: ConfirmIn):
    """Set the meeting at this time: the experts are invited (e-mails with their personal links)."""
    review = committee.confirm_review(request.auth, review_id, payload.start, payload.end, payload.room)
    return review_out(request.auth, review)


@router.post("/committee-reviews/{review_id}/propose-again", response=ReviewOut)
def propose_again(request, review_id: int):
    review = committee.propose_again(request.auth, review_id)
    return review_out(request.auth, review)


@router.post("/committee-reviews/{review_id}/resolution", response=ReviewOut)
def resolution(request, review_id: int, payload: ResolutionIn):
    """Record the committee's resolution; it goes to the licensing backend once, as a recommendation."""
    review = committee.record_resolution(
        request.auth,
        review_id,
        payload.resolution,
        payload.votes_for,
        payload.votes_against,
        payload.votes_abstain,
        payload.note,
    )
    return review_out(request.auth, review)
