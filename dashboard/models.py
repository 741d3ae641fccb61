"""Rollups the dashboard reads instead of the history: activity per person and day, meeting occurrences."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityDay(models.Model):
    """A person's messages on one day (Asia/Bangkok): how many, and in which hours (bit h set: at
    least one message between h:00 and h:59). Kept by dashboard.rollups.fold_messages."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    messages = models.PositiveIntegerField(default=0)
    hours = models.PositiveIntegerField(default=0)
    # The number of bits set in `hours`, kept beside it so that sums happen in the database.
    active_hours = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_activity_row_per_day")]
        permissions = [("view_all_teams", _("Can see every team's dashboard"))]
        verbose_name = _("activity per day")
        verbose_name_plural = _("activity per day")

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}: {self.messages}"


class MeetingSlot(models.Model):
    """One occurrence of a meeting, expanded once by dashboard.rollups.refresh_meetings so that a
    page never asks django-scheduler to expand a quarter's meetings."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="+")
    original_start = models.DateTimeField()
    start = models.DateTimeField(db_index=True)
    end = models.DateTimeField()
    cancelled = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "original_start"], name="one_slot_per_occurrence")]

    def __str__(self) -> str:
        return f"{self.meeting_id}@{self.original_start:%Y-%m-%d %H:%M}"


class Watermark(models.Model):
    """How far a rollup has folded the history in: the last message id, or the last meetings refresh."""

    name = models.CharField(max_length=40, unique=True)
    last_id = models.BigIntegerField(default=0)
    last_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_id} {self.last_at}"


class InvitedSlot(models.Model):
    """One invitee of one occurrence (from MeetingSlot and the meeting's invitation list), so that
    a person's meeting load is a sum over an index instead of a join in Python."""

    person = models.ForeignKey("directory.Person", on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="+")
    original_start = models.DateTimeField()
    start = models.DateTimeField()
    minutes = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "meeting", "original_start"], name="one_invited_slot_per_person_and_occurrence"
            )
        ]
        indexes = [models.Index(fields=["person", "start"])]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.meeting_id}/{self.original_start:%Y-%m-%d %H:%M}"
