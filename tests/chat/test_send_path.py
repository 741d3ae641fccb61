"""The hot paths of issue #12 keep their promises: the common send is one statement on PostgreSQL
(the portable path everywhere else) with client_id idempotency, gapless seqs and the author's read
pointer; a socket's token comes with its person; catching up costs the same few queries however
many messages were missed, and however many rooms one sync frame names."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat import catchup, selectors
from chat.models import Membership, Message, Room
from chat.services import archive_room, create_room, send_message
from hub.errors import Forbidden, Invalid, NotFound
from hub.tokens import issue_token, token_for
from tests.conftest import require
from tests.factories import make_person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def room_of_two():
    somchai, somsri = make_person("somchai"), make_person("somsri", first_name_th="สมศรี")
    room = create_room(kind=Room.Kind.PRIVATE, name="ทีมทะเบียน", owner=somchai.user, members=[somsri.user])
    return somchai.user, somsri.user, room


def test_a_common_send_is_one_statement_on_postgresql(room_of_two):
    require(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL)")
    somchai, _somsri, room = room_of_two
    send_message(somchai, room.pk, "สวัสดี", client_id="warm-up")  # the person, looked up once per user
    with CaptureQueriesContext(connection) as queries:
        message, created = send_message(somchai, room.pk, "ประชุม **สิบโมง**", client_id="one")
    assert created
    assert len(queries.captured_queries) == 1, [query["sql"] for query in queries.captured_queries]
    assert message.payload["html"] == "<p>ประชุม <strong>สิบโมง</strong></p>"
    assert message.payload["seq"] == 2 and message.payload["author"]["id"] == somchai.pk


def test_sends_keep_seqs_gapless_the_read_pointer_and_client_ids_on_either_path(room_of_two):
    somchai, somsri, room = room_of_two
    first, created = send_message(somchai, room.pk, "หนึ่ง", client_id="a")
    again, created_again = send_message(somchai, room.pk, "หนึ่ง", client_id="a")  # a resend after a lost ack
    with pytest.raises(Invalid):
        send_message(somchai, room.pk, "คนละข้อความ", client_id="a")
    send_message(somsri, room.pk, "สอง", client_id="a")  # another author's client_id
    assert created and not created_again and again.pk == first.pk
    assert list(Message.objects.filter(room=room).order_by("seq").values_list("seq", "body")) == [
        (1, "หนึ่ง"),
        (2, "สอง"),
    ]
    room.refresh_from_db()
    assert room.last_seq == 2
    pointers = dict(Membership.objects.filter(room=room).values_list("user_id", "last_read_seq"))
    assert pointers == {somchai.pk: 1, somsri.pk: 2}


def test_outsiders_and_archived_rooms_are_refused_on_either_path(room_of_two):
    somchai, _somsri, room = room_of_two
    outsider = make_person("outsider").user
    with pytest.raises(NotFound):
        send_message(outsider, room.pk, "แอบส่ง")
    with pytest.raises(NotFound):
        send_message(somchai, 2**62, "ห้องที่ไม่มี")
    archive_room(somchai, room.pk)
    with pytest.raises(Forbidden):
        send_message(somchai, room.pk, "ห้องปิดแล้ว")
    room.refresh_from_db()
    assert room.last_seq == 0 and not Message.objects.exists()


def test_a_token_brings_its_user_and_their_person_in_one_query(room_of_two):
    somchai, _somsri, _room = room_of_two
    token = issue_token(somchai, "bot")
    token_for(token)  # the first use notes when it was last used
    with CaptureQueriesContext(connection) as queries:
        found = token_for(token)
        name = found.user.person.name_th
    assert len(queries.captured_queries) == 1
    assert found.user.pk == somchai.pk and name == somchai.person.name_th
    bare = make_person("bare").user
    bare.person.delete()
    bare.refresh_from_db()
    assert getattr(token_for(issue_token(bare, "bot")).user, "person", None) is None


def test_catching_up_costs_the_same_queries_for_one_missed_message_or_a_hundred_in_fifty_rooms(settings):
    settings.CHAT_SEND_LIMIT = 1000  # one person writes them all here
    somchai = make_person("somchai").user
    somsri = make_person("somsri").user
    rooms = [create_room(kind=Room.Kind.PRIVATE, name=f"ห้อง {n}", owner=somchai, members=[somsri]) for n in range(50)]
    send_message(somsri, rooms[0].pk, "ข้อความแรก")

    def queries_of_catching_up(seqs):
        with CaptureQueriesContext(connection) as queries:
            caught = catchup.catch_up(somchai, seqs, {})
            out = selectors.messages_out(caught.messages, caught.extras)  # as the sync frame answers
        return len(queries.captured_queries), out

    one_room, found = queries_of_catching_up({rooms[0].pk: 0})
    assert len(found) == 1
    for n in range(100):
        send_message(somsri, rooms[0].pk, f"ข้อความ {n}")
    for room in rooms[1:]:
        send_message(somsri, room.pk, "อีกห้อง")
    many, found = queries_of_catching_up({room.pk: 0 for room in rooms})
    assert len(found) == 101 + 49
    assert many == one_room
