"""The demo's committee data: experts carry license-type expertise, two have declared conflicts, and
a proposal for a Chiang Mai teacher's case leaves out the expert from Chiang Mai."""

import pytest
from django.test import override_settings
from django.utils import timezone

from directory.demo import seed_demo
from directory.models import Person
from licensing import committee
from licensing.committee_demo import seed_committee
from licensing.models import Case, ConflictOfInterest, LicenseType

pytestmark = pytest.mark.django_db


def test_demo_experts_have_expertise_and_conflicts_and_proposals_respect_them():
    seed_demo("khurusapha-demo")
    assert seed_committee() == 2 and seed_committee() == 2  # running it again changes nothing
    assert ConflictOfInterest.objects.count() == 2
    experts = Person.objects.filter(kind=Person.Kind.EXPERT)
    assert all(set(e.expertise) <= set(LicenseType.values) and e.expertise for e in experts)
    chiang_mai = Person.objects.get(email="somsak.panyawong@cmu.ac.th")
    case = Case.objects.create(
        number="KSP-69-900001",
        license_type="teacher",
        request_type="new",
        status="committee_review",
        status_changed_at=timezone.now(),
        province="เชียงใหม่",
    )
    with override_settings(COMMITTEE_SIZE=5, COMMITTEE_QUORUM=3):
        review = committee.propose_review(case, "evt-demo")
    chosen = set(review.experts.all())
    assert chiang_mai not in chosen and len(chosen) == 4  # five teacher experts, one conflicted
    assert all("teacher" in e.expertise for e in chosen) and review.state == "proposed"
