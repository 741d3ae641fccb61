"""Fixtures of the chat tests."""

import pytest

from chat.models import Room
from chat.services import create_room
from tests.factories import make_person
from tests.hub.test_socket import browser_headers


@pytest.fixture
def pair():
    somchai = make_person("somchai")
    somsri = make_person("somsri", first_name_th="สมศรี", title_th="นางสาว")
    outsider = make_person("outsider", first_name_th="คนนอก")
    room = create_room(kind=Room.Kind.PRIVATE, name="ทีมทะเบียน", owner=somchai.user, members=[somsri.user])
    return {
        "somchai": somchai,
        "somsri": somsri,
        "outsider": outsider,
        "room": room,
        "h1": browser_headers(somchai.user),
        "h2": browser_headers(somsri.user),
        "h3": browser_headers(outsider.user),
    }
