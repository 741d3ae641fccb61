"""Documents of the agenda: the organiser or chair adds and removes them, invitees download them
(always as downloads), nobody else can, and the wrong kinds or sizes are refused."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hub.errors import Forbidden, Invalid, NotFound, TooLarge
from meetings import documents, services
from meetings.models import MeetingDocument
from tests.meetings.conftest import at, draft, next_monday

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def meeting(org):
    return services.schedule_meeting(
        org["organiser"].user, draft(at(next_monday(), 10), people={org["colleague"].pk: True, org["expert"].pk: True})
    )


def test_the_organiser_adds_a_document_and_invitees_download_it(client, org, meeting):
    client.force_login(org["organiser"].user)
    upload = SimpleUploadedFile("วาระที่ 3 คำขอ.pdf", PDF, content_type="text/html")
    assert client.post(f"/meetings/{meeting.pk}/documents/", {"file": upload}).status_code == 302
    document = MeetingDocument.objects.get()
    assert document.name == "วาระที่ 3 คำขอ.pdf" and document.content_type == "application/pdf"
    assert "วาระที่ 3 คำขอ.pdf" in client.get(f"/meetings/{meeting.pk}/").content.decode()

    client.force_login(org["expert"].user)
    response = client.get(f"/meetings/{meeting.pk}/documents/{document.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "วาระที่ 3 คำขอ.pdf" in html and "อัปโหลด" not in html

    for person in (org["outsider"], org["other_expert"]):
        client.force_login(person.user)
        assert client.get(f"/meetings/{meeting.pk}/documents/{document.pk}/").status_code == 404


def test_wrong_kinds_sizes_and_people_are_refused(org, meeting):
    user = org["organiser"].user
    with pytest.raises(Invalid, match="PDF"):
        documents.add(user, meeting.pk, SimpleUploadedFile("page.html", b"<script>alert(1)</script>"))
    with pytest.raises(TooLarge, match="20"):
        documents.add(user, meeting.pk, SimpleUploadedFile("big.pdf", b"0" * (documents.MAX_BYTES + 1)))
    with pytest.raises(Forbidden):
        documents.add(org["colleague"].user, meeting.pk, SimpleUploadedFile("a.pdf", PDF))
    with pytest.raises(NotFound):
        documents.add(org["outsider"].user, meeting.pk, SimpleUploadedFile("a.pdf", PDF))
    assert not MeetingDocument.objects.exists()

    kept = documents.add(user, meeting.pk, SimpleUploadedFile("../../etc/passwd.pdf", PDF))
    assert kept.name == "passwd.pdf" and ".." not in kept.file.name
    with pytest.raises(Forbidden):
        documents.remove(org["colleague"].user, meeting.pk, kept.pk)
    documents.remove(user, meeting.pk, kept.pk)
    assert not MeetingDocument.objects.exists()
