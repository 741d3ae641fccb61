"""Paging a room's history over REST: every page size up to the documented maximum sees every
message exactly once, in order, forwards and backwards, in the room and in a thread."""

import pytest

from chat.models import Room
from chat.selectors import HISTORY_LIMIT
from chat.services import create_room, send_message
from hub.tokens import issue_token
from tests.factories import make_person

pytestmark = pytest.mark.django_db

MESSAGES = 250  # more than the largest page, so that every size pages at least three times


@pytest.fixture
def busy_room(settings):
    settings.CHAT_SEND_LIMIT = 10_000
    somchai, somsri = make_person("somchai"), make_person("somsri")
    room = create_room(kind=Room.Kind.PRIVATE, name="ทีม", owner=somchai.user, members=[somsri.user])
    root, _ = send_message(somchai.user, room.pk, "หัวข้อ")
    for n in range(MESSAGES - 1):
        send_message(somsri.user, room.pk, f"ข้อความ {n}")
    for n in range(MESSAGES):
        send_message(somchai.user, room.pk, f"ตอบ {n}", thread_id=root.pk)
    return {"room": room, "root": root, "token": issue_token(somsri.user, "test")}


def _pages(client, busy_room, size, *, forwards, thread=None):
    """Page through the room as a client following has_more would; the ids seen and the pages' has_more."""
    seen, flags, cursor = [], [], None
    base = f"/api/v1/rooms/{busy_room['room'].pk}/messages?limit={size}" + (f"&thread={thread}" if thread else "")
    if forwards:
        cursor = 0
    while True:
        query = "" if cursor is None else (f"&after_seq={cursor}" if forwards else f"&before_seq={cursor}")
        response = client.get(base + query, HTTP_AUTHORIZATION=f"Bearer {busy_room['token']}")
        assert response.status_code == 200, response.content
        page = response.json()
        assert 0 < len(page["results"]) <= size
        seqs = [message["seq"] for message in page["results"]]
        assert seqs == sorted(seqs)
        seen = seen + seqs if forwards else seqs + seen
        flags.append(page["has_more"])
        if not page["has_more"]:
            return seen, flags
        cursor = seqs[-1] if forwards else seqs[0]
        assert len(flags) <= MESSAGES, "paging does not end"


@pytest.mark.parametrize("forwards", [True, False], ids=["forwards", "backwards"])
def test_every_page_size_sees_every_message_once_in_order(client, busy_room, forwards):
    room_seqs = [m.seq for m in busy_room["room"].messages.filter(thread__isnull=True).order_by("seq")]
    assert len(room_seqs) == MESSAGES
    for size in range(1, HISTORY_LIMIT + 1):
        seen, flags = _pages(client, busy_room, size, forwards=forwards)
        assert seen == room_seqs, f"limit={size}"
        assert flags == [True] * (len(flags) - 1) + [False], f"limit={size}"
        assert len(flags) == -(-MESSAGES // size), f"limit={size}"


@pytest.mark.parametrize("forwards", [True, False], ids=["forwards", "backwards"])
def test_a_thread_pages_alike_up_to_the_largest_page(client, busy_room, forwards):
    root = busy_room["root"]
    reply_seqs = [m.seq for m in busy_room["room"].messages.filter(thread=root).order_by("seq")]
    assert len(reply_seqs) == MESSAGES
    # The same selector as the room's: the smallest and largest sizes (the thread pane asks for 100).
    for size in (1, 2, 3, 49, 50, HISTORY_LIMIT - 1, HISTORY_LIMIT):
        seen, flags = _pages(client, busy_room, size, forwards=forwards, thread=root.pk)
        assert seen == reply_seqs, f"limit={size}"
        assert flags == [True] * (len(flags) - 1) + [False], f"limit={size}"


def test_a_page_of_exactly_what_is_left_says_there_is_no_more(client, busy_room):
    room = busy_room["room"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {busy_room['token']}"}
    last = room.messages.filter(thread__isnull=True).order_by("-seq").values_list("seq", flat=True)[HISTORY_LIMIT - 1]
    page = client.get(f"/api/v1/rooms/{room.pk}/messages?limit={HISTORY_LIMIT}&after_seq={last - 1}", **auth).json()
    assert len(page["results"]) == HISTORY_LIMIT and page["has_more"] is False
