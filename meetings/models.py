"""Meetings: each one tied to a django-scheduler Event that carries its times and recurrence."""

import secrets

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

DEFAULT_TIMEZONE = "Asia/Bangkok"


def new_video_room() -> str:
    """128 random bits in the letters Jitsi compares room names in (lower case, digits)."""
    return secrets.token_hex(16)


class MeetingRoom(models.Model):
    """A physical meeting room that hybrid meetings book; one meeting in it at a time."""

    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    location_th = models.CharField(_("location (Thai)"), max_length=200, blank=True)
    location_en = models.CharField(_("location (English)"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("seats"), default=10)

    class Meta:
        ordering = ["name_th"]
        verbose_name = _("meeting room")
        verbose_name_plural = _("meeting rooms")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if translation.get_language() == "en" else self.name_th

    @property
    def location(self) -> str:
        if translation.get_language() == "en" and self.location_en:
            return self.location_en
        return self.location_th


class Meeting(models.Model):
    """What the Council calls a meeting; its start, end and rule live on `event` (schedule.Event)."""

    class QuorumOf(models.TextChoices):
        ATTENDEES = "attendees", _("required attendees")
        EXPERTS = "experts", _("experts")

    # One calendar per meeting, so django-scheduler never mixes meetings; PROTECT because a meeting
    # without its event would have no times.
    event = models.OneToOneField("schedule.Event", on_delete=models.PROTECT, related_name="meeting")
    title = models.CharField(_("title"), max_length=200)
    agenda = models.TextField(_("agenda"), blank=True)
    organiser = models.ForeignKey(
        "directory.Person", verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="meetings_organised"
    )
    chair = models.ForeignKey(
        "directory.Person",
        verbose_name=_("chair"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings_chaired",
    )
    # An IANA name (never a fixed offset: django-scheduler cannot expand in one, DESIGN.md §8).
    timezone = models.CharField(_("time zone"), max_length=64, default=DEFAULT_TIMEZONE)
    room = models.ForeignKey(
        MeetingRoom, verbose_name=_("room"), null=True, blank=True, on_delete=models.PROTECT, related_name="meetings"
    )
    quorum = models.PositiveSmallIntegerField(_("quorum"), null=True, blank=True)
    quorum_of = models.CharField(_("quorum counts"), max_length=10, choices=QuorumOf.choices, default="attendees")
    chat_room = models.ForeignKey(
        "chat.Room", verbose_name=_("chat room"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The earliest start and latest end of any occurrence, kept by meetings.services so a window's
    # meetings are found with one indexed query before django-scheduler expands them.
    starts_at = models.DateTimeField(db_index=True, editable=False)
    ends_at = models.DateTimeField(db_index=True, editable=False)
    video_room = models.CharField(max_length=64, unique=True, default=new_video_room, editable=False)
    # Kept after the meeting for everyone who attended it; written by the organiser or the chair.
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_by = models.ForeignKey(
        "directory.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    minutes_updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Counts changes that attendees' calendars must pick up (iCalendar SEQUENCE).
    sequence = models.PositiveIntegerField(default=0, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return self.title

    @property
    def is_recurring(self) -> bool:
        return self.event.rule_id is not None


class Attendee(models.Model):
    """A person invited to a meeting (directly or with their team) and their answer."""

    class Response(models.TextChoices):
        PENDING = "pending", _("not answered")
        ACCEPTED = "accepted", _("accepted")
        TENTATIVE = "tentative", _("tentative")
        DECLINED = "declined", _("declined")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    person = models.ForeignKey("directory.Person", on_delete=models.CASCADE, related_name="meeting_invitations")
    required = models.BooleanField(_("required"), default=True)
    # The team through which the person was invited, if any (shown as "with ทีม…").
    via_team = models.ForeignKey("directory.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    response = models.CharField(_("answer"), max_length=10, choices=Response.choices, default=Response.PENDING)
    note = models.CharField(_("note"), max_length=500, blank=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="one_invitation_per_person")]
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")

    def __str__(self) -> str:
        return f"{self.person} @ {self.meeting}"


def new_feed_secret() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A person's private calendar subscription (webcal:): whoever has the secret URL reads the feed,
    so the person can replace it, and the old URL stops at once."""

    person = models.OneToOneField("directory.Person", on_delete=models.CASCADE, related_name="calendar_feed")
    secret = models.CharField(max_length=64, unique=True, default=new_feed_secret, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.person} (calendar feed)"


class InvitationSent(models.Model):
    """One e-mail per person, meeting and change (sequence): claimed in the transaction that sends
    it, so two consumers, a retry or a restart never send it twice."""

    class Method(models.TextChoices):
        REQUEST = "REQUEST", "REQUEST"
        CANCEL = "CANCEL", "CANCEL"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("directory.Person", on_delete=models.CASCADE, related_name="+")
    sequence = models.PositiveIntegerField()
    method = models.CharField(max_length=10, choices=Method.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person", "sequence"], name="one_invitation_mail_per_change")
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.meeting_id}/{self.sequence} → {self.person_id}"


class ReminderSetting(models.Model):
    """How long before a meeting a person wants its reminder (0: none); 10 minutes without one."""

    person = models.OneToOneField("directory.Person", on_delete=models.CASCADE, related_name="meeting_reminder")
    minutes = models.PositiveSmallIntegerField(_("remind me before a meeting (minutes)"), default=10)

    def __str__(self) -> str:
        return f"{self.person}: {self.minutes} min"


class ReminderSent(models.Model):
    """One reminder per person and occurrence, claimed in the transaction that sends it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("directory.Person", on_delete=models.CASCADE, related_name="+")
    original_start = models.DateTimeField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person", "original_start"], name="one_reminder_per_occurrence")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}@{self.original_start:%Y-%m-%d %H:%M} → {self.person_id}"


class Attendance(models.Model):
    """Who was in an occurrence's call: from the meeting page's IFrame API events (joined, left)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey("directory.Person", on_delete=models.CASCADE, related_name="+")
    original_start = models.DateTimeField()
    first_joined_at = models.DateTimeField()
    last_left_at = models.DateTimeField(null=True, blank=True)
    in_call = models.BooleanField(default=True)
    # The occurrence's end: past it nobody counts as in the call (a closed laptop sends no "left").
    ends_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person", "original_start"], name="one_attendance_per_occurrence"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.meeting_id}@{self.original_start:%Y-%m-%d %H:%M}"


class ViewerTimeZone(models.Model):
    """The zone a person reads times in (experts abroad); without one, Asia/Bangkok."""

    person = models.OneToOneField("directory.Person", on_delete=models.CASCADE, related_name="time_zone_choice")
    timezone = models.CharField(_("time zone"), max_length=64)

    def __str__(self) -> str:
        return f"{self.person}: {self.timezone}"


class MeetingDocument(models.Model):
    """A document of the agenda: papers for the committee, read by everyone who sees the meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to="meeting-documents/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(
        "directory.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("agenda document")
        verbose_name_plural = _("agenda documents")

    def __str__(self) -> str:
        return self.name


class ExpertLink(models.Model):
    """A personal link in an expert's invitation: opens a session for that one meeting, without a
    password. Only the SHA-256 of its token is kept; it ends with the meeting (plus a day of
    grace), when revoked, or when the expert is taken off the list."""

    # The meeting and the person, not the Attendee row: a link outlives its invitation being withdrawn,
    # so that opening it then says so instead of "not valid".
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("directory.Person", on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    # The SHA-256 of the secret kept in the cookie of the first browser that opened the link.
    browser_digest = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    first_opened_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"link of {self.person_id} to {self.meeting_id}"


class ExpertLinkSession(models.Model):
    """A browser session an expert link opened: ended (row and sockets) when the link is revoked."""

    link = models.ForeignKey(ExpertLink, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"session of {self.link_id}"
