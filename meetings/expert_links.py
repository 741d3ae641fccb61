"""Experts' personal invitation links: one meeting, no password, bound to the first browser that
opens them, revocable at once (docs/meetings.md, "Experts without passwords")."""

import datetime as dt
import hashlib
import hmac
import secrets
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.models import Person
from hub import realtime
from hub.errors import Forbidden, NotFound
from meetings.models import Attendee, ExpertLink, ExpertLinkSession, Meeting

# A link works until a day after the end of the meeting's last occurrence.
GRACE = dt.timedelta(days=1)
# The cookie that ties a link to the first browser that opened it (its SHA-256 is on the link).
BROWSER_COOKIE = "ksp_expert_browser"
MAX_TOKEN_LENGTH = 100
# In the session a link opened: which link it was.
SESSION_LINK = "expert_link"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(meeting: Meeting, person: Person) -> str:
    """A new link for an invited expert; the token is returned once and only its digest is kept."""
    token = secrets.token_urlsafe(32)
    ExpertLink.objects.create(meeting=meeting, person=person, digest=digest(token))
    return token


def url_of(token: str) -> str:
    return f"{settings.SITE_URL}/meetings/invited/{token}/"


def expires_at(meeting: Meeting) -> dt.datetime:
    return meeting.ends_at + GRACE


def open_link(token: str, browser: str, bind: bool) -> ExpertLink:
    """The link of this token if it may open its meeting in this browser (`browser`: the random id
    in the browser's cookie); with bind, a link never opened is tied to this browser from now on.
    Refused, with the reason, otherwise."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise NotFound(_not_valid())
    with transaction.atomic():
        link = (
            ExpertLink.objects.select_for_update(of=("self",))
            .select_related("meeting", "person__user")
            .filter(digest=digest(token))
            .first()
        )
        if link is None:
            raise NotFound(_not_valid())
        invited = Attendee.objects.filter(meeting=link.meeting_id, person=link.person_id).exists()
        if link.revoked_at is not None or not invited:
            raise Forbidden(withdrawn())
        if timezone.now() >= expires_at(link.meeting):
            raise Forbidden(_("This invitation link has expired: the meeting is over."))
        user = link.person.user
        if user is None or not user.is_active or not link.person.is_expert:
            raise Forbidden(_("This invitation link cannot be used. Please ask the organiser."))
        if link.browser_digest and not hmac.compare_digest(digest(browser), link.browser_digest):
            raise Forbidden(
                _(
                    "This invitation link was already opened in another browser and works only there. "
                    "Ask the organiser to send you a new link."
                )
            )
        if bind and not link.browser_digest:
            link.browser_digest, link.first_opened_at = digest(browser), timezone.now()
            link.save(update_fields=["browser_digest", "first_opened_at"])
        return link


def reach_of(link: ExpertLink) -> tuple[list[str], list[int]]:
    """The paths and chat rooms a session opened by the link may use (hub.scopes)."""
    meeting_id, room = link.meeting_id, link.meeting.chat_room_id
    # The links themselves stay open: the expert may be invited to another meeting too.
    paths = [f"/meetings/{meeting_id}/", f"/api/v1/meetings/{meeting_id}/", "/meetings/invited/"]
    if room is None:
        return paths, []
    # Files sent in rooms are all under one path: the chat's download checks the room (hub.scopes).
    return [*paths, f"/chats/{room}/", f"/api/v1/rooms/{room}/", "/chats/files/"], [room]


def withdrawn() -> str:
    return _("This invitation link was withdrawn by the organiser. Ask them for a new one if you still need it.")


def _not_valid() -> str:
    return _("This invitation link is not valid. Check that it was copied whole, or ask the organiser for a new one.")


def meeting_of_browser(meeting_id, browser: str) -> Meeting | None:
    """The meeting, with its organiser, if this browser (the random id in its cookie) opened one of
    its experts' links: the person here was invited to it, so the organiser's name and e-mail may
    be shown to them even after the link stopped working. None for anyone else."""
    if not 32 <= len(browser) <= 100 or not str(meeting_id).isdigit():
        return None
    link = (
        ExpertLink.objects.select_related("meeting__organiser")
        .filter(meeting_id=int(meeting_id), browser_digest=digest(browser))
        .first()
    )
    return link.meeting if link is not None else None


def record_session(link: ExpertLink, session_key: str) -> bool:
    """Remember the session the link opened, so withdrawing the link can end it. False when the
    link was withdrawn meanwhile: the caller ends the session. (The link's row is locked, as
    `revoke` locks it, so one of the two always sees the other.)"""
    with transaction.atomic():
        if not list(ExpertLink.objects.select_for_update().filter(pk=link.pk, revoked_at__isnull=True).values("pk")):
            return False
        ExpertLinkSession.objects.get_or_create(session_key=session_key, defaults={"link": link})
        return True


def revoke(meeting: Meeting, person_ids: list[int]) -> int:
    """Stop these people's links to the meeting at once: their sessions end and their open sockets
    close (4401) in every process. Returns how many links were stopped."""
    links = ExpertLink.objects.filter(meeting=meeting, person__in=person_ids, revoked_at__isnull=True)
    ids = list(links.values_list("pk", flat=True))
    if not ids:
        return 0
    ExpertLink.objects.filter(pk__in=ids).update(revoked_at=timezone.now())
    sessions = ExpertLinkSession.objects.filter(link__in=ids)
    keys = list(sessions.values_list("session_key", flat=True))
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in keys:  # through the engine, so a cached session ends too
        store(session_key=key).delete()
    sessions.delete()
    for key in keys:
        realtime.end_session(key)
    return len(ids)


# Session engines whose sessions are rows that one query can check (as hub.access does).
DB_SESSION_ENGINES = ("django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db")


def forget_ended_sessions() -> int:
    """Delete the records of link sessions that are over (expired, or deleted by logging out):
    there is nothing left for withdrawing a link to end. With sessions that are not rows in the
    database, those of links past their expiry (a session ends when its link does). Returns how
    many were deleted."""
    now = timezone.now()
    if settings.SESSION_ENGINE in DB_SESSION_ENGINES:
        from django.contrib.sessions.models import Session

        live = Session.objects.filter(expire_date__gt=now).values("session_key")
        ended = ExpertLinkSession.objects.exclude(session_key__in=live)
    else:
        ended = ExpertLinkSession.objects.filter(link__meeting__ends_at__lte=now - GRACE)
    return ended.delete()[0]
