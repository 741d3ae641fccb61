"""The demo sends no mail: it keeps it, and only admins read it, with its links to follow."""

import pytest
from django.core.mail import EmailMultiAlternatives

from tests.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def keeping(settings):
    settings.EMAIL_BACKEND = "hub.mail.KeepingBackend"


def test_a_kept_invitation_is_read_by_an_admin_with_its_link_to_follow(client, keeping):
    message = EmailMultiAlternatives(
        "เชิญประชุม / Invitation", "เข้าร่วมได้ที่ http://127.0.0.1:8000/meetings/7/\n<script>x</script>",
        to=["expert@example.org"],
    )
    message.attach("invite.ics", "BEGIN:VCALENDAR", "text/calendar")
    message.send()
    admin = make_person("admin").user
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)

    listing = client.get("/admin/hub/keptmail/")
    kept = listing.context["cl"].result_list[0]
    page = client.get(f"/admin/hub/keptmail/{kept.pk}/change/").content.decode()

    assert "expert@example.org" in listing.content.decode()
    assert '<a href="http://127.0.0.1:8000/meetings/7/"' in page
    assert "<script>x</script>" not in page and "&lt;script&gt;" in page
    assert "invite.ics" in page


def test_people_who_are_not_admins_cannot_read_kept_mail(client, keeping):
    client.force_login(make_person("somchai").user)
    response = client.get("/admin/hub/keptmail/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
