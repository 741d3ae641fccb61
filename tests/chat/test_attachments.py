"""Files in chat: sent with a message, downloaded by members only, never rendered as a page."""

import io

import pytest
from PIL import Image

from chat.models import Room
from chat.services import create_room
from tests.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def room_of_two(settings, tmp_path, client):
    settings.MEDIA_ROOT = tmp_path
    somchai, somsri, outsider = make_person("somchai"), make_person("somsri"), make_person("outsider")
    room = create_room(kind=Room.Kind.PRIVATE, name="ไฟล์", owner=somchai.user, members=[somsri.user])
    return {"somchai": somchai, "somsri": somsri, "outsider": outsider, "room": room}


def upload(client, person, room, content: bytes, name: str):
    client.force_login(person.user)
    data = io.BytesIO(content)
    data.name = name
    return client.post(f"/api/v1/rooms/{room.pk}/attachments", {"file": data})


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


def test_an_image_is_sent_with_a_message_and_shown_inline_to_members(client, room_of_two):
    room = room_of_two["room"]
    uploaded = upload(client, room_of_two["somchai"], room, png(), "แผนผัง.png")
    assert uploaded.status_code == 201
    file = uploaded.json()
    assert file["is_image"] and file["content_type"] == "image/png"
    sent = client.post(
        f"/api/v1/rooms/{room.pk}/messages", {"body": "", "attachments": [file["id"]]}, content_type="application/json"
    )
    assert sent.status_code == 201 and sent.json()["attachments"][0]["name"] == "แผนผัง.png"
    client.force_login(room_of_two["somsri"].user)
    shown = client.get(file["url"])
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert not shown["Content-Disposition"].startswith("attachment")
    client.force_login(room_of_two["outsider"].user)
    assert client.get(file["url"]).status_code == 404


def test_html_and_svg_are_only_ever_downloaded_as_plain_bytes(client, room_of_two):
    room = room_of_two["room"]
    for content, name in [
        (b"<html><script>alert(1)</script></html>", "page.html"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.svg"),
        (b"<script>alert(1)</script>", "photo.png"),
    ]:
        file = upload(client, room_of_two["somchai"], room, content, name).json()
        assert not file["is_image"]
        response = client.get(file["url"])
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"


def test_a_pdf_keeps_its_type_but_is_downloaded(client, room_of_two):
    file = upload(client, room_of_two["somchai"], room_of_two["room"], b"%PDF-1.4 ...", "คำร้อง.pdf").json()
    response = client.get(file["url"])
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")


def test_a_file_over_the_limit_is_refused_clearly(client, room_of_two, settings):
    settings.CHAT_ATTACHMENT_MAX_BYTES = 1024
    response = upload(client, room_of_two["somchai"], room_of_two["room"], b"x" * 5000, "big.bin")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_someone_else_cannot_send_or_see_your_unsent_upload(client, room_of_two):
    room = room_of_two["room"]
    file = upload(client, room_of_two["somchai"], room, png(), "ร่าง.png").json()
    client.force_login(room_of_two["somsri"].user)
    assert client.get(file["url"]).status_code == 404
    stolen = client.post(
        f"/api/v1/rooms/{room.pk}/messages",
        {"body": "ของฉัน", "attachments": [file["id"]]},
        content_type="application/json",
    )
    assert stolen.status_code == 400


def test_outsiders_cannot_upload(client, room_of_two):
    assert upload(client, room_of_two["outsider"], room_of_two["room"], png(), "x.png").status_code == 404
