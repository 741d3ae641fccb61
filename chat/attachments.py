"""Files sent in rooms: checked on the way in, and served so that none is ever rendered as a page."""

import mimetypes
import secrets
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from chat import limits, selectors
from chat.models import Attachment
from hub.errors import Invalid, NotFound, TooLarge

MAX_FILES_PER_MESSAGE = 10
# Raster formats a browser shows inline; anything else (SVG included) is only ever downloaded.
INLINE_IMAGES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
# Types a browser would run or render as a document: served as plain bytes instead.
ACTIVE_TYPES = {
    "text/html",
    "application/xhtml+xml",
    "image/svg+xml",
    "text/xml",
    "application/xml",
    "text/javascript",
    "application/javascript",
    "application/x-javascript",
}


def max_bytes() -> int:
    return getattr(settings, "CHAT_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)


def upload(user: AbstractBaseUser, room_id: int, uploaded) -> Attachment:
    room = selectors.room_for(user, room_id)
    if room is None:
        raise NotFound()
    selectors.ensure_can_post(user, room)
    limits.act(user)
    if uploaded.size > max_bytes():
        raise TooLarge(
            _("The file is %(size)s MB; the largest allowed is %(limit)s MB.")
            % {"size": round(uploaded.size / 1024 / 1024, 1), "limit": max_bytes() // 1024 // 1024},
            fields={"file": _("Too large.")},
        )
    name = PurePath(uploaded.name or "file").name[:200] or "file"
    content_type, is_image = _kind_of(uploaded, name)
    stored = Attachment(
        room=room, uploader=user, name=name, content_type=content_type, size=uploaded.size, is_image=is_image
    )
    # A random stored name: the original one is kept for the download, never trusted as a path.
    stored.file.save(f"{secrets.token_hex(12)}{PurePath(name).suffix[:10].lower()}", uploaded, save=False)
    stored.save()
    return stored


def _kind_of(uploaded, name: str) -> tuple[str, bool]:
    try:
        with Image.open(uploaded) as image:
            image.verify()
            if image.format in INLINE_IMAGES:
                return INLINE_IMAGES[image.format], True
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        pass
    finally:
        uploaded.seek(0)
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    # Not a picture Pillow could read: an "image" name promises nothing.
    if guessed in ACTIVE_TYPES or guessed.startswith(("text/", "image/")):
        return "application/octet-stream", False
    return guessed, False


def attach(user: AbstractBaseUser, room_id: int, ids: list) -> list[Attachment]:
    """The person's own unsent uploads to this room, to go with their message."""
    if not isinstance(ids, list) or not all(isinstance(pk, int) and not isinstance(pk, bool) for pk in ids):
        raise Invalid(_("“attachments” must be a list of ids."), fields={"attachments": _("Not a list of ids.")})
    if len(ids) > MAX_FILES_PER_MESSAGE:
        raise Invalid(_("At most 10 files per message."), fields={"attachments": _("Too many.")})
    found = list(Attachment.objects.filter(pk__in=ids, uploader=user, room_id=room_id, message__isnull=True))
    if len(found) != len(set(ids)):
        raise Invalid(_("Some of those files are not yours to send here."), fields={"attachments": _("Unknown.")})
    return found


def for_download(user: AbstractBaseUser, attachment_id: int) -> Attachment:
    attachment = Attachment.objects.select_related("room", "message").filter(pk=attachment_id).first()
    if attachment is None or selectors.room_for(user, attachment.room_id) is None:
        raise NotFound()
    if attachment.message is not None and attachment.message.deleted_at is not None:
        raise NotFound()
    if attachment.message_id is None and attachment.uploader_id != user.pk:
        raise NotFound()  # an upload not yet sent is its uploader's alone
    return attachment
