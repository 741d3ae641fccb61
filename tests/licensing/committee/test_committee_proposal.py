"""Proposing a committee for a case.review_requested: experts whose expertise is the case's license
type, none with a declared conflict, the least loaded first, a quorum, a time everyone is free, and a
clear notice in the case room when there are not enough experts."""

import datetime as dt

import pytest
from django.utils import timezone

from hub.errors import Invalid
from licensing import committee
from licensing.models import CommitteeReview, ConflictOfInterest
from meetings import services as meetings
from tests.licensing.committee.conftest import expert, make_case, room_texts
from tests.meetings.conftest import at, draft, next_monday

pytestmark = pytest.mark.django_db


def names(review: CommitteeReview) -> list[str]:
    return [person.first_name_th for person in review.experts.order_by("pk")]


def test_experts_whose_expertise_is_the_license_type_are_proposed_with_a_quorum_and_a_free_time(
    team, committee_settings, api
):
    for name, areas in [
        ("ครูหนึ่ง", ["teacher"]),
        ("บริหาร", ["school_administrator"]),
        ("ครูสอง", ["educational_supervisor", "teacher"]),
        ("นิเทศ", ["educational_supervisor"]),
        ("ครูสาม", ["teacher"]),
        ("ครูสี่", ["teacher"]),
    ]:
        expert(name, *areas)
    case = make_case(team, license_type="teacher")

    review = committee.propose_review(case, "evt-1")

    assert review.state == CommitteeReview.State.PROPOSED
    assert names(review) == ["ครูหนึ่ง", "ครูสอง", "ครูสาม"]  # size 3, in the directory's order when none is loaded
    assert review.quorum == 2
    # The first working-day time from tomorrow on, within Bangkok working hours, 90 minutes long.
    start = timezone.localtime(review.proposed_start)
    assert start.date() > timezone.localdate() and start.weekday() < 5
    assert dt.time(8, 30) <= start.time() and timezone.localtime(review.proposed_end).time() <= dt.time(16, 30)
    assert review.proposed_end - review.proposed_start == dt.timedelta(minutes=90)
    (notice,) = [text for text in room_texts(api, team["assignee"], case) if "คณะกรรมการ" in text]
    assert "ครูหนึ่ง" in notice and "ครูสาม" in notice and "ครูสี่" not in notice

    # One expert fits a school administrator's case: below the quorum of two.
    administrators = committee.propose_review(make_case(team, license_type="school_administrator"), "evt-2")
    assert names(administrators) == ["บริหาร"] and administrators.state == CommitteeReview.State.SHORT


def test_the_proposed_time_is_one_the_assignee_and_every_expert_are_free(team, committee_settings):
    away_until = timezone.localdate() + dt.timedelta(days=6)
    expert("ครูหนึ่ง", "teacher", out_of_office_from=timezone.localdate(), out_of_office_until=away_until)
    expert("ครูสอง", "teacher")
    back = away_until + dt.timedelta(days=1)
    while back.weekday() >= 5:
        back += dt.timedelta(days=1)
    # The assignee is taken the whole morning of the expert's first day back.
    meetings.schedule_meeting(team["assignee"].user, draft(at(back, 8, 30), minutes=210, title="งานอื่น"))

    review = committee.propose_review(make_case(team), "evt-1")

    assert review.proposed_start == at(back, 12, 0)
    assert review.proposed_end == at(back, 13, 30)


def test_experts_with_a_conflict_for_the_applicant_or_the_province_are_skipped(team, committee_settings, api):
    by_id, by_name, by_province, other_province, *_free = (
        expert(name, "teacher") for name in ("รหัส", "ชื่อ", "จังหวัด", "อื่น", "ว่างหนึ่ง", "ว่างสอง")
    )
    ConflictOfInterest.objects.create(expert=by_id, applicant_id_masked="x-xxxx-xxxxx-45-6")
    ConflictOfInterest.objects.create(expert=by_name, applicant_name="  นางสาวกานดา   มีสุข ")
    ConflictOfInterest.objects.create(expert=by_province, province="ขอนแก่น")
    ConflictOfInterest.objects.create(expert=other_province, province="เชียงใหม่")
    case = make_case(team, applicant_name="นางสาวกานดา มีสุข", applicant_id_masked="x-xxxx-xxxxx-45-6", province="ขอนแก่น")

    review = committee.propose_review(case, "evt-1")

    assert names(review) == ["อื่น", "ว่างหนึ่ง", "ว่างสอง"]
    # Another applicant from elsewhere: only the province conflict of Chiang Mai stays away.
    elsewhere = make_case(
        team, applicant_name="นายวิชัย ใจงาม", applicant_id_masked="x-xxxx-xxxxx-99-1", province="เชียงใหม่"
    )
    CommitteeReview.objects.update(state=CommitteeReview.State.RESOLVED)  # no load from the first review
    assert names(committee.propose_review(elsewhere, "evt-2")) == ["รหัส", "ชื่อ", "จังหวัด"]


def test_load_is_spread_across_experts_over_several_reviews(team, committee_settings):
    experts = [expert(f"ผู้เชี่ยวชาญ{n}", "teacher") for n in range(1, 7)]
    # The first one already sits in a meeting next week: the others come first.
    meetings.schedule_meeting(
        team["manager"].user, draft(at(next_monday(1), 13), title="คณะอนุกรรมการอื่น", people={experts[0].pk: True})
    )

    reviews = [committee.propose_review(make_case(team), f"evt-{n}") for n in range(4)]

    committees = [set(review.experts.values_list("pk", flat=True)) for review in reviews]
    ids = [person.pk for person in experts]
    assert committees[0] == set(ids[1:4])
    assert committees[1] == {ids[4], ids[5], ids[0]}
    # 12 seats over 6 experts: each sits on two committees.
    assert [sum(pk in chosen for chosen in committees) for pk in ids] == [2] * 6


def test_not_enough_experts_is_said_in_the_case_room_and_marked_on_the_review(team, committee_settings, api):
    only = expert("คนเดียว", "teacher")
    conflicted = expert("ติดขัด", "teacher")
    ConflictOfInterest.objects.create(expert=conflicted, province="ขอนแก่น")
    case = make_case(team)

    review = committee.propose_review(case, "evt-1")

    assert review.state == CommitteeReview.State.SHORT
    assert names(review) == ["คนเดียว"] and review.proposed_start is None
    texts = room_texts(api, team["assignee"], case)
    assert any("ผู้ทรงคุณวุฒิ" in text and "1" in text and "2" in text for text in texts), texts
    answer = api(team["assignee"], "get", f"/cases/{case.pk}/committee")
    assert answer.json()["state"] == "short"
    with pytest.raises(Invalid):
        committee.confirm_review(team["assignee"].user, review.pk, timezone.now() + dt.timedelta(days=3))

    # Once another expert is in the directory, the assignee proposes again.
    added = expert("เพิ่มเข้ามา", "teacher")
    assert api(team["colleague"], "post", f"/committee-reviews/{review.pk}/propose-again").status_code == 403
    again = api(team["assignee"], "post", f"/committee-reviews/{review.pk}/propose-again")
    assert again.status_code == 200 and again.json()["state"] == "proposed"
    assert [e["id"] for e in again.json()["experts"]] == [only.pk, added.pk]
    assert again.json()["proposed_start"] is not None


def test_a_repeated_event_proposes_once(team, committee_settings, api):
    for n in range(3):
        expert(f"ครู{n}", "teacher")
    case = make_case(team)

    first = committee.propose_review(case, "evt-1")
    again = committee.propose_review(case, "evt-1")
    # Another request while this one is open: the same review (experts are not booked twice).
    other = committee.propose_review(case, "evt-2")

    assert first.pk == again.pk == other.pk
    assert CommitteeReview.objects.filter(case=case).count() == 1
    assert len([text for text in room_texts(api, team["assignee"], case) if "คณะกรรมการ" in text]) == 1
