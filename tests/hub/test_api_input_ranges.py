"""Numbers past any id, and text no database column holds, are refused where they come in: a 422
in the API's error shape, or a 400/404 page, never a server error."""

import pytest

from chat.models import Attachment, Room
from chat.services import create_room, send_message
from hub.params import MAX_ID
from hub.tokens import issue_token
from tests.factories import make_person

pytestmark = pytest.mark.django_db

HUGE = 10**30  # 30 digits: past 2**63, where PostgreSQL and SQLite both raise


@pytest.fixture
def office(client):
    somchai, somsri = make_person("somchai"), make_person("somsri")
    room = create_room(kind=Room.Kind.PRIVATE, name="ทีม", owner=somchai.user, members=[somsri.user])
    send_message(somchai.user, room.pk, "สวัสดี")
    client.raise_request_exception = False  # a server error is an answer to look at here
    return {"room": room, "somchai": somchai, "token": issue_token(somchai.user, "test")}


def _api(client, office, method, path, body=None):
    return getattr(client, method)(
        f"/api/v1{path}",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {office['token']}",
        HTTP_ACCEPT_LANGUAGE="en",
    )


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("get", "/rooms/{room}/messages?thread={huge}", None, "thread"),
        ("get", "/rooms/{room}/messages?before_seq={huge}", None, "before_seq"),
        ("get", "/rooms/{room}/messages?limit=101", None, "limit"),
        ("get", "/rooms/{room}/messages?limit=0", None, "limit"),
        ("get", "/rooms/{room}/messages?limit=" + "9" * 5000, None, "limit"),
        ("get", "/people?cursor={huge}", None, "cursor"),
        ("get", "/people?team={huge}", None, "team"),
        ("get", "/people?bureau={huge}", None, "bureau"),
        ("get", "/people?limit=201", None, "limit"),
        ("get", "/search/messages?q=x&room={huge}", None, "room"),
        ("get", "/search/messages?q=x&author={huge}", None, "author"),
        ("post", "/rooms/{huge}/read", {"seq": 1}, "room_id"),
        ("post", "/rooms/{room}/read", {"seq": -1}, "seq"),
        ("post", "/rooms/direct", {"users": ["{huge}"]}, "users.0"),
        ("post", "/rooms", {"name": "ห้อง", "members": ["{huge}"]}, "members.0"),
        ("post", "/rooms/{room}/messages", {"body": "x", "attachments": ["{huge}"]}, "attachments.0"),
        ("post", "/rooms/{room}/messages", {"body": "x", "thread": "{huge}"}, "thread"),
        ("post", "/rooms/{room}/messages", {"body": "a\x00b"}, "body"),
        ("get", "/search/messages?q=a%00b", None, "q"),
    ],
)
def test_out_of_range_input_is_refused_in_the_error_shape(client, office, method, path, body, field):
    def fill(value):
        if isinstance(value, str):
            return int(str(HUGE)) if value == "{huge}" else value.format(room=office["room"].pk, huge=HUGE)
        if isinstance(value, list):
            return [fill(item) for item in value]
        if isinstance(value, dict):
            return {key: fill(item) for key, item in value.items()}
        return value

    response = _api(client, office, method, fill(path), fill(body))
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and error["message"] == "Some fields are not valid."
    assert field in error["fields"]


def test_the_largest_id_is_still_an_id(client, office):
    # Refused as not found, like any id that names nothing: the edge lets every real id through.
    assert _api(client, office, "get", f"/rooms/{MAX_ID}/messages").status_code == 404
    assert _api(client, office, "get", f"/rooms/{MAX_ID + 1}/messages").status_code == 422
    page = _api(client, office, "get", f"/people?cursor={MAX_ID}").json()
    assert page["results"] == [] and page["next_cursor"] is None


def test_an_attachment_id_past_any_id_is_refused(client, office):
    response = _api(client, office, "post", f"/rooms/{office['room'].pk}/messages", {"attachments": [HUGE]})
    assert response.status_code == 422
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/people/?offset={huge}", 400),
        ("/people/?team={huge}", 400),
        ("/chats/search/?q=x&room={huge}", 400),
        ("/chats/search/?q=x&room=" + "9" * 5000, 400),
        ("/chats/search/?q=a%00b", 400),
        ("/chats/files/{huge}/", 404),
        ("/chats/{huge}/", 404),
        ("/people/{huge}/", 404),
    ],
)
def test_pages_answer_a_number_past_any_id_with_a_page_not_a_server_error(client, office, path, status):
    client.force_login(office["somchai"].user)
    assert client.get(path.format(huge=HUGE)).status_code == status


def test_opening_a_direct_message_with_a_number_past_any_id_is_a_400_page(client, office):
    client.force_login(office["somchai"].user)
    assert client.post("/chats/direct/", {"person": HUGE}).status_code == 400


def test_the_openapi_document_states_what_the_api_accepts(client):
    document = client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    room_in = schemas["RoomIn"]["properties"]
    assert room_in["kind"]["enum"] == ["channel", "private"]
    assert (room_in["name"]["minLength"], room_in["name"]["maxLength"]) == (1, 200)
    assert room_in["members"]["items"] == {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID}
    assert schemas["DirectIn"]["properties"]["users"]["maxItems"] == 9
    assert schemas["SendIn"]["properties"]["body"]["maxLength"] == 10_000
    assert schemas["SendIn"]["properties"]["attachments"]["maxItems"] == 10
    assert schemas["ReactionIn"]["properties"]["emoji"]["maxLength"] == 16
    assert schemas["PresenceIn"]["properties"]["status"]["anyOf"][0]["enum"] == ["available", "busy", "away", "auto"]
    assert room_in["name"]["pattern"] == "^[^\\x00]*$"  # no NUL: PostgreSQL text cannot hold it

    def query(path, name):
        found = next(p for p in document["paths"][path]["get"]["parameters"] if p["name"] == name)
        return found["schema"].get("anyOf", [found["schema"]])[0]

    assert query("/api/v1/rooms/{room_id}/messages", "limit")["maximum"] == 100
    assert query("/api/v1/rooms/{room_id}/messages", "room_id")["maximum"] == MAX_ID
    assert query("/api/v1/rooms/{room_id}/messages", "thread")["maximum"] == MAX_ID
    assert query("/api/v1/people", "limit")["maximum"] == 200
    assert query("/api/v1/people", "cursor")["maximum"] == MAX_ID
    assert query("/api/v1/people", "q")["maxLength"] == 100
    assert query("/api/v1/search/messages", "limit")["maximum"] == 100
