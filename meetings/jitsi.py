"""Jitsi Meet: join links for invitees (with an HS256 token when the deployment checks tokens) and a
thin `requests` client for the deployment's health and room size (DESIGN.md §6, §8)."""

import datetime as dt
import time
from dataclasses import dataclass
from urllib.parse import quote

import jwt
import requests
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from directory import selectors as directory
from hub.errors import Invalid
from meetings import selectors
from meetings.models import Meeting

OPENS_BEFORE = dt.timedelta(minutes=15)
# Jitsi's token plugin allows no clock skew: a token valid "from now" is refused by a server whose
# clock runs a few seconds behind ours.
NOT_BEFORE_SKEW = dt.timedelta(seconds=60)
TIMEOUT = (3, 5)  # connect, read (seconds)


@dataclass
class JoinLink:
    url: str
    domain: str
    room: str
    token: str  # "" without JITSI_APP_ID/JITSI_APP_SECRET
    opens_at: dt.datetime
    closes_at: dt.datetime
    moderator: bool
    display_name: str
    email: str

    @property
    def script_url(self) -> str:
        return f"{settings.JITSI_SCHEME}://{self.domain}/external_api.js"


def join_link(user: AbstractBaseUser, meeting_id: int, now: dt.datetime | None = None) -> JoinLink:
    """The link to the meeting's call for an invitee, organiser or chair (NotFound for anyone else),
    from 15 minutes before an occurrence starts until it ends."""
    meeting = selectors.meeting_for(user, meeting_id)
    now = now or timezone.now()
    if meeting.cancelled_at is not None:
        raise Invalid(_("This meeting was cancelled."))
    slot = open_occurrence(meeting, now)
    if slot is None:
        raise Invalid(_("The call opens 15 minutes before the meeting starts."), fields={"join": "not_open"})
    person = directory.person_of(user)
    moderator = person is not None and person.pk in {meeting.organiser_id, meeting.chair_id}
    room = meeting.video_room.lower()
    domain = settings.JITSI_DOMAIN
    name = person.display_name if person else user.get_username()
    email = person.email if person else (user.email or "")
    token = ""
    if settings.JITSI_APP_ID and settings.JITSI_APP_SECRET:
        token = token_for(user, name, email, room, moderator, expires=slot.end, now=now)
    url = f"{settings.JITSI_SCHEME}://{domain}/{quote(room)}"
    if token:
        url += f"?jwt={token}"
    return JoinLink(
        url=url,
        domain=domain,
        room=room,
        token=token,
        opens_at=slot.start - OPENS_BEFORE,
        closes_at=slot.end,
        moderator=moderator,
        display_name=name,
        email=email,
    )


def open_occurrence(meeting: Meeting, now: dt.datetime):
    """The occurrence whose call is open now (not cancelled), if any."""
    # The window's end is exclusive: one second more takes in an occurrence starting 15 minutes from now.
    window_end = now + OPENS_BEFORE + dt.timedelta(seconds=1)
    for slot in selectors.occurrences_of(meeting, now - dt.timedelta(hours=13), window_end):
        if not slot.cancelled and slot.start - OPENS_BEFORE <= now < slot.end:
            return slot
    return None


def opens_at(meeting: Meeting, now: dt.datetime) -> dt.datetime | None:
    """When the call of the next occurrence opens (None when none is coming)."""
    if meeting.cancelled_at is not None:
        return None
    for slot in selectors.occurrences_of(meeting, now, now + dt.timedelta(days=400)):
        if not slot.cancelled and slot.end > now:
            return slot.start - OPENS_BEFORE
    return None


def token_for(
    user: AbstractBaseUser, name: str, email: str, room: str, moderator: bool, expires: dt.datetime, now: dt.datetime
) -> str:
    """An HS256 token in the form Jitsi's token plugin checks: header typ JWT; iss (app id), aud,
    sub (the domain), room in lower case, nbf a minute in the past, exp at the meeting's end;
    context.user with string fields only (the plugin throws on others); moderator both at the top
    (read by moderation plugins) and in context.user."""
    avatar = ""
    claims = {
        "iss": settings.JITSI_APP_ID,
        "aud": settings.JITSI_AUDIENCE,
        "sub": settings.JITSI_DOMAIN.lower(),
        "room": room.lower(),
        "iat": int((now - NOT_BEFORE_SKEW).timestamp()),
        "nbf": int((now - NOT_BEFORE_SKEW).timestamp()),
        "exp": int(expires.timestamp()),
        "moderator": moderator,
        "context": {
            "user": {
                "id": str(user.pk),
                "name": str(name),
                "email": str(email),
                "avatar": avatar,
                "moderator": "true" if moderator else "false",
            }
        },
    }
    return jwt.encode(claims, settings.JITSI_APP_SECRET, algorithm="HS256", headers={"typ": "JWT"})


# --- The deployment's HTTP endpoints ---------------------------------------------------------------


class JitsiUnavailable(Exception):
    """The deployment did not answer, or answered with an error."""


class Client:
    """A thin client of the deployment's HTTP endpoints, with timeouts and a couple of retries."""

    def __init__(self, base_url: str | None = None):
        self.base_url = (base_url if base_url is not None else settings.JITSI_API_URL).rstrip("/")
        self.session = requests.Session()
        retry = Retry(total=2, backoff_factor=0.2, status_forcelist=(502, 503, 504), allowed_methods=("GET",))
        self.session.mount("http://", HTTPAdapter(max_retries=retry))
        self.session.mount("https://", HTTPAdapter(max_retries=retry))

    @property
    def configured(self) -> bool:
        return bool(self.base_url)

    def _get(self, path: str, **params) -> requests.Response:
        if not self.configured:
            raise JitsiUnavailable("JITSI_API_URL is not set")
        started = time.monotonic()
        try:
            response = self.session.get(f"{self.base_url}{path}", params=params, timeout=TIMEOUT)
        except requests.RequestException as error:
            raise JitsiUnavailable(f"{path}: {type(error).__name__}") from error
        if response.status_code >= 400 and response.status_code != 404:
            raise JitsiUnavailable(f"{path}: HTTP {response.status_code} after {time.monotonic() - started:.1f}s")
        return response

    def healthy(self) -> bool:
        """The deployment's health check (`/about/health`) answers 200."""
        try:
            return self._get("/about/health").status_code == 200
        except JitsiUnavailable:
            return False

    def room_size(self, room: str) -> int:
        """How many are in the room now (`/room-size`, 0 for a room nobody has opened: 404)."""
        response = self._get("/room-size", room=room.lower(), domain=settings.JITSI_DOMAIN)
        if response.status_code == 404:
            return 0
        try:
            return int(response.json()["participants"])
        except (ValueError, KeyError, TypeError) as error:
            raise JitsiUnavailable("/room-size: unexpected answer") from error
