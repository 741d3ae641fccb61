"""Which experts may sit on a case's committee: expertise that fits, no declared conflict, least load first.

An expert's expertise (`Person.expertise`, a JSON list) holds license-type values, the same words as
`Case.license_type` ("teacher", "school_administrator", ...; directory.models.LICENSE_TYPES): an
expert fits a case when its license type is on the list.
"""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from directory.models import Person
from licensing.models import Case, CommitteeReview, ConflictOfInterest
from meetings import selectors as meetings

# Load counts meetings this far ahead, beside reviews proposed but not yet set as a meeting.
LOAD_WINDOW = dt.timedelta(weeks=4)


def fits(person: Person, case: Case) -> bool:
    return case.license_type in (person.expertise or [])


def _name(value: str) -> str:
    return " ".join((value or "").split()).casefold()


def conflicted(case: Case) -> set[int]:
    """Experts who declared a conflict for this applicant (masked id or name) or this province."""
    match = Q(pk__in=[])
    if case.applicant_id_masked.strip():
        match |= Q(applicant_id_masked=case.applicant_id_masked.strip())
    if case.province.strip():
        match |= Q(province=case.province.strip())
    ids = set(ConflictOfInterest.objects.filter(match).values_list("expert_id", flat=True))
    name = _name(case.applicant_name)
    if name:
        named = ConflictOfInterest.objects.exclude(applicant_name="").values_list("expert_id", "applicant_name")
        ids |= {expert_id for expert_id, declared in named if _name(declared) == name}
    return ids


def load_of(experts: list[Person], now: dt.datetime | None = None) -> dict[int, int]:
    """Committee work each expert already has: reviews proposed to them (no meeting yet) and their
    meetings' occurrences in the coming weeks."""
    now = now or timezone.now()
    proposed = CommitteeReview.objects.filter(state=CommitteeReview.State.PROPOSED, experts__in=experts)
    load = {expert.pk: 0 for expert in experts}
    for expert_id in proposed.values_list("experts", flat=True):
        if expert_id in load:
            load[expert_id] += 1
    for expert in experts:
        load[expert.pk] += len(meetings.occurrences_for(expert, now, now + LOAD_WINDOW, include_cancelled=False))
    return load


def candidates(case: Case) -> list[Person]:
    """Every active expert who fits the case and has no conflict, least loaded first (ties by the
    order they were added to the directory, so the same state always gives the same committee)."""
    skip = conflicted(case)
    experts = [
        person
        for person in Person.objects.filter(kind=Person.Kind.EXPERT, user__is_active=True)
        .exclude(pk__in=skip)
        .select_related("user")
        .order_by("pk")
        if fits(person, case)
    ]
    load = load_of(experts)
    return sorted(experts, key=lambda person: (load[person.pk], person.pk))


def newly_conflicted(case: Case, experts: list[Person]) -> list[Person]:
    """The experts who declared a conflict since they were proposed."""
    skip = conflicted(case)
    return [expert for expert in experts if expert.pk in skip]
