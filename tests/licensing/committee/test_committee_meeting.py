"""Setting the committee meeting: only the assignee or the team's manager; the meeting is made by the
meetings app with the experts invited (e-mails over real SMTP, with their personal links), the
quorum counted among the experts, and no national id in what is e-mailed."""

import datetime as dt

import pytest

from hub.errors import Invalid
from licensing import committee
from licensing.models import CommitteeReview, ConflictOfInterest
from meetings import selectors as meetings
from tests.licensing.committee.conftest import expert, make_case, room_texts
from tests.meetings.conftest import at, next_monday

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposed(team, committee_settings):
    experts = [expert(name, "teacher") for name in ("ประเวศ", "วิจารณ์", "สุมน")]
    case = make_case(team, summary="ผู้ยื่นคำขอ เลขประจำตัวประชาชน 1-1037-00123-45-6 จบการศึกษาจากต่างประเทศ")
    return committee.propose_review(case, "evt-1"), experts


def start() -> dt.datetime:
    return at(next_monday(2), 13, 30)


def test_someone_else_cannot_confirm_colleagues_are_refused_and_others_do_not_find_it(team, proposed, api):
    review, _experts = proposed
    body = {"start": start().isoformat()}

    colleague = api(team["colleague"], "post", f"/committee-reviews/{review.pk}/confirm", body)
    outsider = api(team["outsider"], "post", f"/committee-reviews/{review.pk}/confirm", body)
    an_expert = api(_experts[0], "post", f"/committee-reviews/{review.pk}/confirm", body)

    assert colleague.status_code == 403 and colleague.json()["error"]["code"] == "forbidden"
    assert outsider.status_code == 404 and an_expert.status_code == 404
    assert CommitteeReview.objects.get(pk=review.pk).state == CommitteeReview.State.PROPOSED
    # The colleague (same team) sees the review, without the actions.
    seen = api(team["colleague"], "get", f"/cases/{review.case_id}/committee")
    assert seen.status_code == 200 and seen.json()["can_act"] is False
    assert api(team["outsider"], "get", f"/cases/{review.case_id}/committee").status_code == 404


def test_the_assignee_confirms_and_the_experts_are_invited_with_a_quorum(
    team, proposed, api, smtp, jobs_run_now, django_capture_on_commit_callbacks
):
    review, experts = proposed
    inbox, _server = smtp

    with django_capture_on_commit_callbacks(execute=True):
        answer = api(
            team["assignee"], "post", f"/committee-reviews/{review.pk}/confirm", {"start": start().isoformat()}
        )

    assert answer.status_code == 200, answer.content
    out = answer.json()
    assert out["state"] == "invited" and out["meeting_url"].endswith(f"/meetings/{out['meeting']}/")
    meeting = meetings.meeting_for(team["assignee"].user, out["meeting"])
    assert review.case.number in meeting.title
    assert meeting.quorum == 2 and meeting.quorum_of == "experts"
    assert meeting.event.start == start() and meeting.event.end == start() + dt.timedelta(minutes=90)
    invited = {a.person_id for a in meetings.attendees_of(meeting)}
    assert invited == {e.pk for e in experts} | {team["assignee"].pk}
    # No national id in the agenda, not even the masked one, and the case room is named.
    assert "1-1037-00123-45-6" not in meeting.agenda and "x-xxxx-xxxxx-45-6" not in meeting.agenda
    assert "จบการศึกษาจากต่างประเทศ" in meeting.agenda and f"/chats/{review.case.room_id}/" in meeting.agenda

    for person in experts:
        (message,) = inbox.to(person.email)
        text = message.get_body(("plain",)).get_content()
        assert review.case.number in str(message["Subject"])
        assert "https://one.ksp.test/meetings/invited/" in text
        assert "1037" not in text and "45-6" not in text
    texts = room_texts(api, team["assignee"], review.case)
    assert any(f"/meetings/{meeting.pk}/" in text for text in texts)

    again = api(team["assignee"], "post", f"/committee-reviews/{review.pk}/confirm", {"start": start().isoformat()})
    assert again.status_code == 400
    assert len(inbox.messages) == 3


def test_the_team_manager_may_confirm_and_a_conflict_declared_since_stops_it(team, proposed):
    review, experts = proposed
    ConflictOfInterest.objects.create(expert=experts[1], province="ขอนแก่น")
    with pytest.raises(Invalid) as refused:
        committee.confirm_review(team["manager"].user, review.pk, start())
    assert experts[1].display_name in str(refused.value.message)

    review = committee.propose_again(team["manager"].user, review.pk)
    assert review.state == CommitteeReview.State.PROPOSED and review.experts.count() == 2
    review = committee.confirm_review(team["manager"].user, review.pk, start().replace(tzinfo=None))
    assert review.state == CommitteeReview.State.INVITED and review.meeting.organiser == team["manager"]


def test_a_time_in_the_past_is_refused_with_the_meetings_reason(team, proposed, api):
    review, _experts = proposed
    answer = api(team["assignee"], "post", f"/committee-reviews/{review.pk}/confirm", {"start": "2020-01-06T10:00:00"})
    assert answer.status_code == 400
    assert "ผ่านไปแล้ว" in answer.json()["error"]["message"]
    assert CommitteeReview.objects.get(pk=review.pk).meeting is None
