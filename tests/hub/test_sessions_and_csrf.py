"""What held before the security review and must keep holding: forms and the API refuse a
cross-site request without the CSRF token, and logging in gives the browser a new session."""

import pytest
from django.test import Client

from chat.models import Message, Room
from chat.services import create_room
from tests.factories import PASSWORD, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def somchai():
    return make_person("somchai")


def test_logging_in_replaces_the_session_the_browser_came_with(somchai):
    """Session fixation: a session id planted before login must not be the logged-in one."""
    browser = Client()
    session = browser.session
    session["planted"] = True
    session.save()
    planted = session.session_key
    browser.cookies["sessionid"] = planted

    response = browser.post("/login/", {"username": "somchai", "password": PASSWORD})

    assert response.status_code == 302
    assert browser.cookies["sessionid"].value != planted
    reused = Client()
    reused.cookies["sessionid"] = planted
    assert reused.get("/").status_code == 302  # the planted id is still anonymous: sent to log in


def test_a_form_posted_from_another_site_is_refused(somchai):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(somchai.user)

    response = browser.post("/logout/")

    assert response.status_code == 403
    assert browser.get("/").status_code == 200, "still logged in"


def test_the_api_refuses_a_browser_session_write_without_the_csrf_token(somchai):
    room = create_room(kind=Room.Kind.PRIVATE, name="ทีม", owner=somchai.user, members=[])
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(somchai.user)

    response = browser.post(
        f"/api/v1/rooms/{room.pk}/messages", {"body": "จากเว็บอื่น"}, content_type="application/json"
    )

    assert response.status_code == 403
    assert not Message.objects.exists()
