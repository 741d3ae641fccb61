"""Video: unguessable room names, join links open from 15 minutes before to the end, for invitees only,
the HS256 token as Jitsi's token plugin checks it, and the client against a real server on loopback."""

import datetime as dt
import re

import jwt as pyjwt
import pytest
from django.test import override_settings

from hub.errors import Invalid, NotFound
from meetings import jitsi, selectors, services
from meetings.jitsi_standin import StandIn
from tests.meetings.conftest import at, draft, next_monday, weekly

pytestmark = pytest.mark.django_db

SECRET = "a-secret-of-at-least-32-bytes-for-hs256"
TOKENS = {"JITSI_APP_ID": "khurusapha", "JITSI_APP_SECRET": SECRET, "JITSI_DOMAIN": "Meet.KSP.test"}


@pytest.fixture
def meeting(org):
    return services.schedule_meeting(
        org["organiser"].user,
        draft(
            at(next_monday(), 10),
            chair_id=org["teammate"].pk,
            recurrence=weekly(0, count=2),
            people={org["colleague"].pk: True, org["expert"].pk: True},
        ),
    )


def test_each_meeting_has_its_own_unguessable_room(org, meeting):
    other = services.schedule_meeting(org["organiser"].user, draft(at(next_monday(), 14)))
    for room in (meeting.video_room, other.video_room):
        assert re.fullmatch(r"[a-z0-9-]+", room)
        assert len(room) == 32 and int(room, 16).bit_length() > 100  # 128 random bits, hex
    assert meeting.video_room != other.video_room


def test_the_link_opens_15_minutes_before_and_closes_at_the_end(org, meeting):
    user, start = org["colleague"].user, at(next_monday(), 10)
    with pytest.raises(Invalid) as refused:
        jitsi.join_link(user, meeting.pk, now=start - dt.timedelta(minutes=16))
    assert "15" in str(refused.value.message)
    link = jitsi.join_link(user, meeting.pk, now=start - dt.timedelta(minutes=15))
    assert link.url == f"https://meet.jit.si/{meeting.video_room}" and link.token == ""
    assert (link.opens_at, link.closes_at) == (start - dt.timedelta(minutes=15), start + dt.timedelta(hours=1))
    assert jitsi.join_link(user, meeting.pk, now=start + dt.timedelta(minutes=59))
    with pytest.raises(Invalid):
        jitsi.join_link(user, meeting.pk, now=start + dt.timedelta(hours=1))
    # The next week's occurrence opens in its turn.
    assert jitsi.join_link(user, meeting.pk, now=start + dt.timedelta(days=7))


def test_no_link_for_a_cancelled_occurrence_or_meeting_or_for_people_not_invited(org, meeting):
    start = at(next_monday(), 10)
    first = selectors.occurrences_of(meeting, start, start + dt.timedelta(hours=1))[0]
    services.cancel_occurrence(org["organiser"].user, meeting.pk, first.key)
    with pytest.raises(Invalid):
        jitsi.join_link(org["colleague"].user, meeting.pk, now=start)
    for person in (org["outsider"], org["other_expert"]):
        with pytest.raises(NotFound):
            jitsi.join_link(person.user, meeting.pk, now=start + dt.timedelta(days=7))
    services.cancel_meeting(org["organiser"].user, meeting.pk)
    with pytest.raises(Invalid):
        jitsi.join_link(org["colleague"].user, meeting.pk, now=start + dt.timedelta(days=7))


@override_settings(**TOKENS)
@pytest.mark.parametrize(
    ("who", "moderator"), [("organiser", True), ("teammate", True), ("colleague", False), ("expert", False)]
)
def test_the_token_carries_every_claim_jitsi_checks(org, meeting, who, moderator):
    person = org[who]
    now = at(next_monday(), 9, 50)
    link = jitsi.join_link(person.user, meeting.pk, now=now)
    assert link.url == f"https://Meet.KSP.test/{meeting.video_room}?jwt={link.token}"

    assert pyjwt.get_unverified_header(link.token) == {"alg": "HS256", "typ": "JWT"}
    claims = pyjwt.decode(
        link.token,
        SECRET,
        algorithms=["HS256"],
        audience="jitsi",
        issuer="khurusapha",
        options={
            "verify_exp": False,
            "verify_nbf": False,
            "verify_iat": False,
        },  # the times are checked below, at `now`
    )
    assert claims["sub"] == "meet.ksp.test"
    assert claims["room"] == meeting.video_room == meeting.video_room.lower()
    assert now.timestamp() - 120 <= claims["nbf"] < now.timestamp()
    assert claims["exp"] == int(at(next_monday(), 11).timestamp())
    assert claims["moderator"] is moderator
    user = claims["context"]["user"]
    assert user == {
        "id": str(person.user.pk),
        "name": person.name_th,
        "email": person.email,
        "avatar": "",
        "moderator": "true" if moderator else "false",
    }
    assert all(isinstance(value, str) for value in user.values())
    with pytest.raises(pyjwt.InvalidSignatureError):
        pyjwt.decode(link.token, "another secret of at least 32 bytes!!", algorithms=["HS256"], audience="jitsi")


@pytest.fixture
def standin():
    server = StandIn(rooms={"abc123": 3}).start()
    yield server
    server.stop()


def test_the_client_asks_a_real_deployment_for_health_and_room_size(standin):
    client = jitsi.Client(standin.url)
    assert client.healthy() is True
    assert client.room_size("ABC123") == 3  # rooms are compared in lower case
    assert client.room_size("nobody-here") == 0
    standin.healthy = False
    assert client.healthy() is False
    assert "/about/health" in standin.requests and "/room-size" in standin.requests


def test_the_client_reports_a_deployment_that_does_not_answer(standin):
    url = standin.url
    standin.stop()
    client = jitsi.Client(url)
    assert client.healthy() is False
    with pytest.raises(jitsi.JitsiUnavailable):
        client.room_size("abc123")
    with pytest.raises(jitsi.JitsiUnavailable):
        jitsi.Client("").room_size("abc123")


def test_the_meeting_page_embeds_the_call_when_it_is_open_and_says_when_it_opens_otherwise(client, org, standin):
    soon = services.schedule_meeting(
        org["organiser"].user,
        services.Draft(
            title="ประชุมด่วน",
            start=dt.datetime.now().astimezone() + dt.timedelta(minutes=5),
            end=dt.datetime.now().astimezone() + dt.timedelta(minutes=35),
            people={org["colleague"].pk: True},
        ),
    )
    later = services.schedule_meeting(
        org["organiser"].user, draft(at(next_monday(), 10), people={org["colleague"].pk: True})
    )
    client.force_login(org["colleague"].user)
    with override_settings(
        JITSI_DOMAIN=standin.domain, JITSI_SCHEME="http", **{k: v for k, v in TOKENS.items() if k != "JITSI_DOMAIN"}
    ):
        html = client.get(f"/meetings/{soon.pk}/").content.decode()
        assert f'data-script="http://{standin.domain}/external_api.js"' in html
        assert f'data-room="{soon.video_room}"' in html and 'data-jwt="ey' in html
        joined = client.get(f"/meetings/{soon.pk}/join/")
        assert joined.status_code == 302 and joined.url.startswith(f"http://{standin.domain}/{soon.video_room}?jwt=")
        html = client.get(f"/meetings/{later.pk}/").content.decode()
        assert 'id="call"' not in html and "ห้องประชุมวิดีโอจะเปิด" in html
        assert client.get(f"/meetings/{later.pk}/join/").status_code == 302  # back to the page, with the reason
    client.force_login(org["outsider"].user)
    assert client.get(f"/meetings/{soon.pk}/join/").status_code == 404
