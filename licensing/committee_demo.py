"""Committee demo data: the experts' declared conflicts of interest (their expertise tags, license-type
values, come with the directory's demo experts). Run by seed_demo; running it again changes nothing."""

from directory.models import Person
from licensing.models import ConflictOfInterest

# (expert's e-mail, applicant's masked id, applicant's name, province, note)
CONFLICTS = [
    ("somsak.panyawong@cmu.ac.th", "", "", "เชียงใหม่", "สอนและนิเทศในโรงเรียนเครือข่ายของจังหวัด"),
    ("worawit.saksit@chula.ac.th", "x-xxxx-xxxxx-12-3", "", "", "ผู้ยื่นคำขอเป็นนักศึกษาในที่ปรึกษา"),
]


def seed_committee() -> int:
    """The declared conflicts; returns how many there are for experts in the directory."""
    seeded = 0
    for email, masked_id, name, province, note in CONFLICTS:
        expert = Person.objects.filter(email=email, kind=Person.Kind.EXPERT).first()
        if expert is None:
            continue
        ConflictOfInterest.objects.update_or_create(
            expert=expert,
            applicant_id_masked=masked_id,
            applicant_name=name,
            province=province,
            defaults={"note": note},
        )
        seeded += 1
    return seeded
