"""Documents of a meeting's agenda: the organiser or chair adds and removes them; everyone who sees
the meeting downloads them, always as a download (never rendered by the browser)."""

import secrets
from pathlib import PurePath

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from directory import selectors as directory
from hub.errors import Forbidden, Invalid, NotFound, TooLarge
from meetings import selectors
from meetings.models import MeetingDocument

MAX_BYTES = 20 * 1024 * 1024
MAX_PER_MEETING = 30
# The kinds of papers committees read; anything else (HTML, scripts, programs) is refused.
TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}


def add(user: AbstractBaseUser, meeting_id: int, uploaded) -> MeetingDocument:
    meeting = selectors.meeting_for(user, meeting_id)
    if not selectors.can_edit(user, meeting):
        raise Forbidden(_("Only the organiser or the chair can change this meeting."))
    if uploaded is None:
        raise Invalid(_("Choose a file."), fields={"file": "required"})
    if uploaded.size > MAX_BYTES:
        raise TooLarge(
            _("A document may be %(limit)d MB at most.") % {"limit": MAX_BYTES // 1024 // 1024},
            fields={"file": "too_large"},
        )
    name = PurePath(uploaded.name or "document").name[:200] or "document"
    suffix = PurePath(name).suffix.lower()
    if suffix not in TYPES:
        raise Invalid(
            _("Documents may be PDF, Word, Excel, PowerPoint, OpenDocument, text or pictures."),
            fields={"file": "type"},
        )
    with transaction.atomic():
        if MeetingDocument.objects.select_for_update().filter(meeting=meeting).count() >= MAX_PER_MEETING:
            raise Invalid(
                _("A meeting has at most %(max)d documents.") % {"max": MAX_PER_MEETING}, fields={"file": "many"}
            )
        document = MeetingDocument(
            meeting=meeting,
            name=name,
            size=uploaded.size,
            content_type=TYPES[suffix],
            uploaded_by=directory.person_of(user),
        )
        # A random stored name: the original is kept for the download, never trusted as a path.
        document.file.save(f"{secrets.token_hex(12)}{suffix}", uploaded, save=False)
        document.save()
    return document


def remove(user: AbstractBaseUser, meeting_id: int, document_id: int) -> None:
    meeting = selectors.meeting_for(user, meeting_id)
    if not selectors.can_edit(user, meeting):
        raise Forbidden(_("Only the organiser or the chair can change this meeting."))
    document = MeetingDocument.objects.filter(meeting=meeting, pk=document_id).first()
    if document is None:
        raise NotFound()
    document.file.delete(save=False)
    document.delete()


def for_download(user: AbstractBaseUser, meeting_id: int, document_id: int) -> MeetingDocument:
    meeting = selectors.meeting_for(user, meeting_id)  # NotFound for anyone not invited
    document = MeetingDocument.objects.filter(meeting=meeting, pk=document_id).first()
    if document is None:
        raise NotFound()
    return document


def of_meeting(meeting) -> list[MeetingDocument]:
    return list(MeetingDocument.objects.filter(meeting=meeting).select_related("uploaded_by"))
