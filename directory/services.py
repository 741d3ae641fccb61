"""Writes of the directory: profiles, photos, search documents and presence."""

import io
import logging
import secrets
import threading
import time

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from chat.selectors import pairs_sharing_a_room
from directory import presence, selectors
from directory.models import Person
from hub import ratelimit, realtime
from hub.errors import Invalid, RateLimited, TooLarge

log = logging.getLogger(__name__)
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding them
PHOTO_SIZE = 320
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PLACES = ("office", "home", "off")
CHOOSABLE_PRESENCE = ("available", "busy", "away")


# --- Search ---------------------------------------------------------------------------------------


def search_document_for(person: Person) -> str:
    team = person.team
    parts = [
        person.first_name_th,
        person.last_name_th,
        person.first_name_en,
        person.last_name_en,
        f"{person.first_name_th} {person.last_name_th}",
        f"{person.first_name_en} {person.last_name_en}",
        # With the title too: people type "นายสมชาย" or "ดร.ประเสริฐ" as often as the bare name.
        f"{person.title_th}{person.first_name_th} {person.last_name_th}",
        f"{person.title_en} {person.first_name_en} {person.last_name_en}",
        person.nickname,
        person.position_th,
        person.position_en,
        person.skills,
        person.affiliation,
        person.email,
        person.phone_ext,  # people look a colleague up by the extension they see on a caller id
        team.name_th if team else "",
        team.name_en if team else "",
    ]
    return " | ".join(part.lower() for part in parts if part and part.strip())


def refresh_search_documents(people=None) -> int:
    """Rebuild the search text of `people` (all when None); returns how many changed."""
    queryset = people if people is not None else Person.objects.all()
    changed = []
    for person in queryset.select_related("team"):
        document = search_document_for(person)
        if document != person.search_document:
            person.search_document = document
            changed.append(person)
    Person.objects.bulk_update(changed, ["search_document"], batch_size=500)
    return len(changed)


# --- Profile --------------------------------------------------------------------------------------


def update_own_profile(person: Person, changes: dict) -> Person:
    """What a person may change about themself; position, team and manager are HR's (admin)."""
    errors = {}
    start, end = changes.get("out_of_office_from"), changes.get("out_of_office_until")
    if end and not start:
        errors["out_of_office_from"] = _("Give the first day away too.")
    if start and end and end < start:
        errors["out_of_office_until"] = _("The last day cannot be before the first day.")
    delegate = changes.get("out_of_office_delegate")
    if delegate is not None and delegate.pk == person.pk:
        errors["out_of_office_delegate"] = _("Choose someone else to stand in for you.")
    pattern = changes.get("work_pattern") or {}
    if any(day not in WEEKDAYS or place not in PLACES for day, place in pattern.items()):
        errors["work_pattern"] = _("Each weekday is at the office, at home, or off.")
    if errors:
        raise Invalid(_("Please correct the marked fields."), fields=errors)
    allowed = (
        "nickname",
        "mobile",
        "phone_ext",
        "skills",
        "work_pattern",
        "out_of_office_from",
        "out_of_office_until",
        "out_of_office_note",
        "out_of_office_delegate",
    )
    was_away = selectors.is_out_of_office(person)
    for field in allowed:
        if field in changes:
            setattr(person, field, changes[field] if changes[field] is not None else _empty(field))
    person.search_document = search_document_for(person)
    with transaction.atomic():
        person.save()
        if was_away != selectors.is_out_of_office(person) and person.user_id:
            transaction.on_commit(lambda: announce_presence(person.user_id))
    return person


def _empty(field: str):
    return None if field.startswith("out_of_office_") and field != "out_of_office_note" else ""


def set_photo(person: Person, upload) -> Person:
    """Store a square JPEG of the uploaded picture; anything that is not a picture is refused."""
    if upload.size > PHOTO_MAX_BYTES:
        raise TooLarge(
            _("The photo is %(size)s MB; the largest allowed is %(limit)s MB.")
            % {"size": round(upload.size / 1024 / 1024, 1), "limit": PHOTO_MAX_BYTES // 1024 // 1024},
            fields={"photo": _("Too large.")},
        )
    try:
        image = Image.open(upload)
        if image.width * image.height > PHOTO_MAX_PIXELS:
            raise Invalid(_("The picture has too many pixels."), fields={"photo": _("Too many pixels.")})
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise Invalid(
            _("That file is not a picture we can read. Use a JPEG, PNG or WebP photo."),
            fields={"photo": _("Not a picture.")},
        ) from error
    # Re-encoding means whatever was uploaded, only pixels are kept and served.
    square = ImageOps.fit(ImageOps.exif_transpose(image).convert("RGB"), (PHOTO_SIZE, PHOTO_SIZE))
    buffer = io.BytesIO()
    square.save(buffer, "JPEG", quality=85, optimize=True)
    old = person.photo.name if person.photo else None
    person.photo.save(f"{person.pk}-{secrets.token_hex(8)}.jpg", ContentFile(buffer.getvalue()), save=True)
    if old:
        person.photo.storage.delete(old)
    return person


def remove_photo(person: Person) -> Person:
    if person.photo:
        person.photo.delete(save=True)
    return person


# --- Presence -------------------------------------------------------------------------------------


def _best_effort(action):
    """Presence lives in Redis, which may be down: then it is unknown for a while, nothing worse."""

    def run(*args, **kwargs):
        try:
            return action(*args, **kwargs)
        except Exception:  # redis.RedisError and friends
            log.warning("presence not updated (%s)", action.__name__, exc_info=True)
            return None

    run.__name__ = action.__name__
    return run


@_best_effort
def connections_opened(connections: list[tuple[int, str]]) -> None:
    """Sockets opened in this process a moment ago, in one batch (hub.heartbeat): one trip to
    Redis to record them and one query and two trips to announce whose status changed."""
    presence.store().opened(connections)
    _announce_changes({user_id for user_id, _conn_id in connections})


@_best_effort
def connection_alive(user_id: int, conn_id: str, idle: bool | None = None) -> None:
    """Refresh a connection's entry (heartbeat) and, when given, whether its person is idle there."""
    store = presence.store()
    if idle is None:
        idle = next((c.idle for c in store.connections(user_id) if c.conn_id == conn_id), False)
    store.put(user_id, conn_id, idle=idle)
    announce_presence(user_id)


@_best_effort
def connections_alive(connections: list[tuple[int, str]]) -> None:
    """The heartbeat of one server process: its open connections, refreshed in one batch; a
    person whose status changed meanwhile (another process's connection expired) is announced."""
    presence.store().refresh(connections)
    _announce_changes({user_id for user_id, _conn_id in connections})


@_best_effort
def connection_closed(user_id: int, conn_id: str) -> None:
    presence.store().drop(user_id, conn_id)
    # A page change closes one socket and opens another a moment later; a network blip
    # reconnects within seconds. Neither is announced: going offline waits for a grace period.
    if not realtime.after(settings.PRESENCE_OFFLINE_GRACE_SECONDS, _best_effort(announce_presence), user_id):
        announce_presence(user_id)


def choose_presence(user: AbstractBaseUser, status: str | None) -> str:
    """Set the person's own status (available, busy, away) or, with None/"auto", go back to automatic."""
    if not ratelimit.allow(f"presence:{user.pk}", PRESENCE_CHOICES_PER_WINDOW, PRESENCE_WINDOW_SECONDS):
        raise RateLimited(_("You are changing your status very fast. Please wait a few seconds."))
    person = selectors.person_of(user)
    if person is None:
        raise Invalid(_("Only people in the directory have a presence."))
    choice = "" if status in (None, "", "auto") else status
    if choice and choice not in CHOOSABLE_PRESENCE:
        raise Invalid(
            _("Presence is one of available, busy, away or auto."), fields={"status": _("Not a known status.")}
        )
    Person.objects.filter(pk=person.pk).update(presence_choice=choice)
    announce_presence(user.pk)
    return choice or "auto"


PRESENCE_CHOICES_PER_WINDOW, PRESENCE_WINDOW_SECONDS = 10, 10
# A person is announced at most once per this many seconds by one process; what changes in
# between is folded into one announcement of where they stand at the end of it.
PRESENCE_COALESCE_SECONDS = 1.0
_announced_at: dict[int, float] = {}  # user id -> when this process last announced them
_announcing_later: set[int] = set()
_announcing_lock = threading.Lock()


def announce_presence(user_id: int) -> None:
    """Tell everyone who may see this person about a change of their presence, once per change
    and at most once a second."""
    now = time.monotonic()
    with _announcing_lock:
        if user_id in _announcing_later:
            return  # an announcement is coming that will tell where the person stands then
        wait = _announced_at.get(user_id, -PRESENCE_COALESCE_SECONDS) + PRESENCE_COALESCE_SECONDS - now
        if wait > 0 and realtime.after(wait, _best_effort(_announce_later), user_id):
            _announcing_later.add(user_id)
            return
        _announced_at[user_id] = now
    _announce_changes({user_id})


def _announce_later(user_id: int) -> None:
    with _announcing_lock:
        _announcing_later.discard(user_id)
        _announced_at[user_id] = time.monotonic()
    _announce_changes({user_id})


def _announce_changes(user_ids: set[int]) -> None:
    """announce_presence() for many people in one query and two trips to Redis (the heartbeat
    runs it for a whole process, on the database thread that every send waits for)."""
    store = presence.store()
    people = {person.user_id: person for person in Person.objects.filter(user_id__in=user_ids)}
    if not people:
        return
    open_now = store.connections_of(list(people))
    in_meeting = presence.people_in_a_meeting([person.pk for person in people.values()])
    statuses = {
        user_id: selectors.presence_of(person, open_now[user_id], person.pk in in_meeting)
        for user_id, person in people.items()
    }
    previous = store.swap_statuses(statuses)
    changed = {user_id: status for user_id, status in statuses.items() if previous[user_id] != status}
    told = _experts_told(list(changed))
    realtime.publish_presences(
        [
            {"person": people[user_id].pk, "user": user_id, "status": status, "experts": told[user_id]}
            for user_id, status in changed.items()
        ]
    )


def _experts_told(user_ids: list[int]) -> dict[int, list[int]]:
    """For each of these people, the experts who may see their presence: those sharing a meeting or
    case room with them, and themself if an expert (their other tabs). Two queries for a batch."""
    if not user_ids:
        return {}
    pairs = pairs_sharing_a_room(user_ids)
    candidates = {other for _user, other in pairs} | set(user_ids)
    experts = set(
        Person.objects.filter(user_id__in=candidates, kind=Person.Kind.EXPERT).values_list("user_id", flat=True)
    )
    told = {user_id: {user_id} & experts for user_id in user_ids}
    for user_id, other in pairs:
        if other in experts:
            told[user_id].add(other)
    return {user_id: sorted(theirs) for user_id, theirs in told.items()}
