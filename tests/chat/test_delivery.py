"""What "loses nothing" means in storage: gapless seqs under concurrent senders, one message per client_id."""

import threading

import pytest
from django.db import connection

from chat.models import Message, Room
from chat.services import create_room, send_message
from tests.factories import make_person

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_senders_get_gapless_seqs_and_duplicate_resends_store_once():
    people = [make_person(f"sender{n}") for n in range(6)]
    room = create_room(
        kind=Room.Kind.PRIVATE, name="ห้องทดสอบ", owner=people[0].user, members=[person.user for person in people]
    )
    errors = []

    def sender(person, n):
        try:
            for i in range(10):
                # Every message is sent twice with the same client_id, as a client resending after a lost ack.
                for _attempt in range(2):
                    send_message(person.user, room.pk, f"{n}-{i}", client_id=f"{n}-{i}")
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender, args=(person, n)) for n, person in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    seqs = sorted(Message.objects.filter(room=room).values_list("seq", flat=True))
    assert seqs == list(range(1, 61))
    room.refresh_from_db()
    assert room.last_seq == 60
