"""Experts without passwords: the personal link in their invitation opens one meeting (its page,
answer, documents, chat room and call) in the first browser that opens it, and nothing else;
withdrawn, forged or expired links are refused with the reason, and withdrawing ends the session
and its open sockets at once."""

import asyncio
import datetime as dt
import io
import json
import re

import pytest
import requests
import websockets
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from chat.models import Message, Room
from chat.services import create_room
from directory.models import Person
from meetings import documents, expert_links, services
from meetings.models import Attendee, ExpertLink, ExpertLinkSession, Meeting
from tests.meetings.conftest import at, draft, next_monday

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
LINK = re.compile(r"https://one\.ksp\.test(/meetings/invited/[A-Za-z0-9_-]+/)")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _schedule(org, hour: int, people: dict) -> Meeting:
    return services.schedule_meeting(org["organiser"].user, draft(at(next_monday(), hour), people=people))


@pytest.fixture
def meetings(org):
    """The meeting the link is for, another meeting of the expert's, and another room of theirs."""
    meeting = _schedule(org, 10, {org["colleague"].pk: True, org["expert"].pk: True})
    other = _schedule(org, 14, {org["expert"].pk: True})
    room = create_room(kind=Room.Kind.PRIVATE, name="ห้องอื่น", owner=org["organiser"].user, members=[org["expert"].user])
    return meeting, other, room


def english_client() -> Client:
    """A browser whose person chose English (pages are Thai first whatever the browser asks)."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def open_link(client: Client, path: str):
    """As a person does: the page that asks first, then "Open the meeting"."""
    asked = client.get(path)
    assert asked.status_code == 200, asked.content[:300]
    return client.post(path)


def test_the_experts_invitation_carries_a_personal_link_in_thai_and_english(
    org, smtp, jobs_run_now, django_capture_on_commit_callbacks
):
    inbox, _ = smtp
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _schedule(org, 10, {org["colleague"].pk: True, org["expert"].pk: True})
    (mail,) = inbox.to(org["expert"].email)
    text = mail.get_body(("plain",)).get_content()
    assert "ลิงก์ส่วนตัวของคุณ" in text and "Your personal link (no password needed)" in text
    (path,) = set(LINK.findall(text))
    staff_text = inbox.to(org["colleague"].email)[0].get_body(("plain",)).get_content()
    assert "/meetings/invited/" not in staff_text and f"https://one.ksp.test/meetings/{meeting.pk}/" in staff_text

    client = Client()
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 302  # no session yet: the log-in page
    response = open_link(client, path)
    assert response.status_code == 302 and response["Location"] == f"/meetings/{meeting.pk}/"
    page = client.get(f"/meetings/{meeting.pk}/")
    assert page.status_code == 200 and meeting.title in page.content.decode()


def test_the_link_opens_that_meeting_and_its_room_only(org, meetings):
    meeting, other, other_room = meetings
    documents.add(org["organiser"].user, meeting.pk, SimpleUploadedFile("วาระ.pdf", PDF))
    document = meeting.documents.get()
    client = Client()
    open_link(client, f"/meetings/invited/{expert_links.issue(meeting, org['expert'])}/")

    # What the link is for: the page, the answer, the documents, the chat room over HTTP and the API.
    Person.objects.filter(pk=org["colleague"].pk).update(photo="people/colleague.png")
    page = client.get(f"/meetings/{meeting.pk}/")
    assert page.status_code == 200
    # Photos are under /people/, which the link does not reach: initials instead of broken images.
    assert f"/people/{org['colleague'].pk}/photo/" not in page.content.decode()
    assert client.post(f"/meetings/{meeting.pk}/answer/", {"response": "accepted", "note": ""}).status_code == 302
    assert Attendee.objects.get(meeting=meeting, person=org["expert"]).response == "accepted"
    download = client.get(f"/meetings/{meeting.pk}/documents/{document.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    room_page = client.get(f"/chats/{meeting.chat_room_id}/")
    assert room_page.status_code == 200
    assert "ห้องอื่น" not in room_page.content.decode()  # the expert's other rooms are not listed
    assert "/chats/search/" not in room_page.content.decode() and "/chats/new/" not in room_page.content.decode()
    assert client.get(f"/api/v1/rooms/{meeting.chat_room_id}/messages").status_code == 200

    # Everything else: refused with the reason, as a page or in the API's shape.
    for path in ["/", "/people/", "/meetings/", f"/meetings/{other.pk}/", f"/chats/{other_room.pk}/", "/chats/"]:
        refused = client.get(path)
        assert refused.status_code == 403, path
        assert "ลิงก์นี้เปิดได้เฉพาะการประชุมเดียว" in refused.content.decode(), path
    api = client.get(f"/api/v1/rooms/{other_room.pk}/messages", HTTP_ACCEPT_LANGUAGE="en")
    assert api.status_code == 403 and "one meeting only" in api.json()["error"]["message"]
    assert client.get("/api/v1/rooms").status_code == 403


def test_files_sent_in_the_meeting_room_download_and_files_of_other_rooms_do_not(org, meetings):
    meeting, _other, other_room = meetings
    organiser = Client()
    organiser.force_login(org["organiser"].user)

    def send_file(room_id: int, name: str) -> str:
        data = io.BytesIO(b"hello")
        data.name = name
        file = organiser.post(f"/api/v1/rooms/{room_id}/attachments", {"file": data}).json()
        body = {"body": "", "attachments": [file["id"]]}
        assert (
            organiser.post(f"/api/v1/rooms/{room_id}/messages", body, content_type="application/json").status_code
            == 201
        )
        return file["url"]

    here, elsewhere = send_file(meeting.chat_room_id, "วาระ.txt"), send_file(other_room.pk, "อื่น.txt")
    expert = Client()
    open_link(expert, f"/meetings/invited/{expert_links.issue(meeting, org['expert'])}/")
    assert expert.get(here).status_code == 200
    assert expert.get(elsewhere).status_code == 404  # though the expert is a member of that room


def test_a_second_browser_with_the_same_link_is_refused(org, meetings):
    meeting = meetings[0]
    path = f"/meetings/invited/{expert_links.issue(meeting, org['expert'])}/"
    assert Client().get(path).status_code == 200  # a mail scanner fetching the link does not take it
    first = Client()
    open_link(first, path)
    second = Client()
    refused = second.get(path)
    assert refused.status_code == 403 and "เปิดในเบราว์เซอร์อื่นแล้ว" in refused.content.decode()
    assert second.post(path).status_code == 403
    english = english_client().get(path)
    assert "already opened in another browser" in english.content.decode()
    # The first browser goes on using it, even after it logged out.
    first.post("/logout/")
    assert open_link(first, path)["Location"] == f"/meetings/{meeting.pk}/"


def test_a_browser_with_one_link_open_may_open_the_experts_link_to_another_meeting(org, meetings):
    meeting, other, _room = meetings
    client = Client()
    open_link(client, f"/meetings/invited/{expert_links.issue(meeting, org['expert'])}/")
    assert open_link(client, f"/meetings/invited/{expert_links.issue(other, org['expert'])}/")["Location"] == (
        f"/meetings/{other.pk}/"
    )
    assert client.get(f"/meetings/{other.pk}/").status_code == 200
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 403  # one meeting per session


def test_forged_and_expired_links_are_refused_with_the_reason(org, meetings):
    meeting = meetings[0]
    forged = Client().get("/meetings/invited/" + "A" * 43 + "/")
    assert forged.status_code == 404 and "ลิงก์เชิญนี้ไม่ถูกต้อง" in forged.content.decode()
    forged_en = english_client().get("/meetings/invited/" + "A" * 43 + "/")
    assert "This invitation link is not valid" in forged_en.content.decode()

    path = f"/meetings/invited/{expert_links.issue(meeting, org['expert'])}/"
    Meeting.objects.filter(pk=meeting.pk).update(ends_at=timezone.now() - dt.timedelta(days=1, minutes=1))
    expired = Client().get(path)
    assert expired.status_code == 403 and "ลิงก์เชิญนี้หมดอายุแล้ว" in expired.content.decode()
    expired_en = english_client().post(path)
    assert expired_en.status_code == 403 and "has expired" in expired_en.content.decode()


def test_taking_the_expert_off_the_list_stops_the_link_and_ends_its_session(org, meetings):
    meeting = meetings[0]
    path = f"/meetings/invited/{expert_links.issue(meeting, org['expert'])}/"
    client = Client()
    open_link(client, path)
    services.update_meeting(org["organiser"].user, meeting.pk, draft(at(next_monday(), 10), people={}))
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 302  # the session is gone: log in
    refused = client.get(path)
    assert refused.status_code == 403 and "ถูกผู้จัดประชุมยกเลิกแล้ว" in refused.content.decode()


def test_a_session_the_link_opens_as_it_is_withdrawn_is_not_kept(org, meetings):
    """Opening and withdrawing at the same moment: whichever comes second sees the first."""
    meeting = meetings[0]
    expert_links.issue(meeting, org["expert"])
    link = ExpertLink.objects.get(meeting=meeting, person=org["expert"])
    expert_links.revoke(meeting, [org["expert"].pk])
    assert expert_links.record_session(link, "k" * 32) is False
    assert not ExpertLinkSession.objects.exists()


def test_the_organiser_stops_a_link_and_sends_a_new_one(
    org, meetings, smtp, jobs_run_now, django_capture_on_commit_callbacks
):
    inbox, _ = smtp
    meeting = meetings[0]
    old = f"/meetings/invited/{expert_links.issue(meeting, org['expert'])}/"
    expert = Client()
    open_link(expert, old)
    organiser = Client()
    organiser.force_login(org["organiser"].user)
    page = organiser.get(f"/meetings/{meeting.pk}/").content.decode()
    assert f"/meetings/{meeting.pk}/experts/{org['expert'].pk}/link/" in page
    with django_capture_on_commit_callbacks(execute=True):
        organiser.post(f"/meetings/{meeting.pk}/experts/{org['expert'].pk}/link/", {"new": "1"})
    assert expert.get(f"/meetings/{meeting.pk}/").status_code == 302
    assert Client().get(old).status_code == 403
    (path,) = set(LINK.findall(inbox.to(org["expert"].email)[-1].get_body(("plain",)).get_content()))
    renewed = Client()
    assert open_link(renewed, path)["Location"] == f"/meetings/{meeting.pk}/"

    # Nobody else may stop a link: the colleague is invited but does not organise.
    colleague = Client()
    colleague.force_login(org["colleague"].user)
    colleague.post(f"/meetings/{meeting.pk}/experts/{org['expert'].pk}/link/")
    assert renewed.get(f"/meetings/{meeting.pk}/").status_code == 200


# --- Over a real server: the socket --------------------------------------------------------------


def open_link_over_http(server, path: str) -> requests.Session:
    session = requests.Session()
    asked = session.get(server.url + path, timeout=10)
    assert asked.status_code == 200, asked.text[:300]
    opened = session.post(
        server.url + path,
        data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": server.url + path},
        timeout=10,
    )
    assert opened.status_code == 200 and "/meetings/invited/" not in opened.url, opened.text[:300]
    return session


async def next_of(socket, *types, timeout=10) -> dict:
    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), timeout))
        if frame["type"] in types:
            return frame


async def close_code(socket, timeout=10) -> int:
    try:
        while True:
            await asyncio.wait_for(socket.recv(), timeout)
    except websockets.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else closed.code


@pytest.mark.django_db(transaction=True)
def test_the_socket_of_a_link_uses_its_room_only_and_closes_when_the_link_is_withdrawn(
    org, meetings, start_server, server_env, redis_url
):
    from tests.hub.test_revoked_access import in_another_process
    from tests.hub.test_servers import cookie_header

    meeting, _other, other_room = meetings
    server = start_server(REDIS_URL=redis_url, WS_ACCESS_SWEEP_SECONDS=3600)
    session = open_link_over_http(server, f"/meetings/invited/{expert_links.issue(meeting, org['expert'])}/")
    room = meeting.chat_room_id

    async def scenario():
        headers = {"Cookie": cookie_header(session), "Origin": server.url}
        async with websockets.connect(server.ws_url, additional_headers=headers) as socket:
            hello = await next_of(socket, "hello")
            elsewhere = {"type": "message.send", "room": other_room.pk, "body": "x", "client_id": "a"}
            await socket.send(json.dumps(elsewhere))
            refused = await next_of(socket, "error")
            await socket.send(json.dumps({"type": "sync", "rooms": {str(other_room.pk): 0}, "ref": 1}))
            refused_sync = await next_of(socket, "error")
            await socket.send(json.dumps({"type": "message.send", "room": room, "body": "สวัสดีครับ", "client_id": "b"}))
            ack = await next_of(socket, "ack")
            # Added to another room, then taken out of the meeting's (both told to the person's
            # sockets, in this order): the link's socket hears only the second.
            in_another_process(
                server_env,
                "from chat.models import Room; from chat.services import create_room; "
                "from chat.rooms import remove_member; from django.contrib.auth.models import User; "
                f"expert = User.objects.get(pk={org['expert'].user.pk}); "
                f"create_room(kind='private', name='ห้องใหม่', owner=User.objects.get(pk={org['organiser'].user.pk}), "
                "members=[expert]); "
                f"remove_member(Room.objects.get(pk={room}), expert)",
                REDIS_URL=redis_url,
            )
            told = await next_of(socket, "room.joined", "room.left")
            in_another_process(
                server_env,
                "from meetings import expert_links; from meetings.models import Meeting; "
                f"expert_links.revoke(Meeting.objects.get(pk={meeting.pk}), [{org['expert'].pk}])",
                REDIS_URL=redis_url,
            )
            return hello, refused, refused_sync, ack, told, await close_code(socket)

    hello, refused, refused_sync, ack, told, code = asyncio.run(scenario())
    assert told == {"type": "room.left", "room": room}
    assert [r["id"] for r in hello["rooms"]] == [room]
    assert refused["code"] == "forbidden" and refused["client_id"] == "a"
    assert refused_sync["code"] == "forbidden"
    assert ack["message"]["body"] == "สวัสดีครับ"
    assert code == 4401
    assert list(Message.objects.filter(room=other_room).values_list("body", flat=True)) == []
