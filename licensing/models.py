"""Licensing: cases handed over by the licensing backend, their routing, targets and committee reviews."""

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class LicenseType(models.TextChoices):
    TEACHER = "teacher", _("teacher")
    SCHOOL_ADMINISTRATOR = "school_administrator", _("school administrator")
    EDUCATIONAL_ADMINISTRATOR = "educational_administrator", _("educational administrator")
    EDUCATIONAL_SUPERVISOR = "educational_supervisor", _("educational supervisor")


class RequestType(models.TextChoices):
    NEW = "new", _("new license")
    RENEWAL = "renewal", _("renewal")
    REPLACEMENT = "replacement", _("replacement")
    TEMPORARY_PERMIT = "temporary_permit", _("temporary teaching permit")
    FOREIGN_TEACHER = "foreign_teacher", _("foreign teacher")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    UNDER_REVIEW = "under_review", _("under review")
    NEEDS_DOCUMENTS = "needs_documents", _("needs documents")
    COMMITTEE_REVIEW = "committee_review", _("committee review")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")


# A case in one of these is finished: its room is archived and the retention clock starts.
CLOSED_STATUSES = (Status.APPROVED, Status.REJECTED, Status.WITHDRAWN)


class InboxEvent(models.Model):
    """A webhook event exactly as it arrived, stored before anything acts on it (DESIGN.md §5)."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting")
        DONE = "done", _("handled")
        FAILED = "failed", _("failed")

    event_id = models.CharField(_("event id"), max_length=100, unique=True)
    type = models.CharField(_("type"), max_length=40)
    case_number = models.CharField(_("case number"), max_length=40, db_index=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    # The raw body as signed, so a retry acts on exactly what the backend sent.
    body = models.TextField(_("body"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]
        verbose_name = _("licensing event")
        verbose_name_plural = _("licensing events (inbox)")

    def __str__(self) -> str:
        return f"{self.event_id} {self.type} {self.case_number}"


class Case(models.Model):
    """A license case that needs discussion. Applicant details are personal data (PDPA): only the
    name and the masked id are kept, and both are erased after the retention period."""

    number = models.CharField(_("case number"), max_length=40, unique=True)
    license_type = models.CharField(_("license type"), max_length=30, choices=LicenseType.choices)
    request_type = models.CharField(_("request type"), max_length=30, choices=RequestType.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    # When the backend says the current status was set: an older event never overwrites a newer one.
    status_changed_at = models.DateTimeField(_("status changed at"))
    applicant_name = models.CharField(_("applicant name"), max_length=200, blank=True)
    applicant_id_masked = models.CharField(_("applicant id (masked)"), max_length=32, blank=True)
    province = models.CharField(_("province"), max_length=100, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    url = models.URLField(_("link in the licensing system"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("arrived in the hub"), auto_now_add=True)

    team = models.ForeignKey(
        "directory.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases_assigned",
    )
    room = models.OneToOneField(
        "chat.Room", verbose_name=_("case room"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # Set when the applicant's details were erased after the retention period.
    erased_at = models.DateTimeField(_("applicant details erased at"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["team", "status"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["decided_at"]),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return self.number

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class StatusChange(models.Model):
    """One step of a case's status history, as the licensing backend reported it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    event_id = models.CharField(_("event id"), max_length=100, blank=True)

    class Meta:
        ordering = ["occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.status} {self.occurred_at:%Y-%m-%d %H:%M}"


class Assignment(models.Model):
    """Who a case was given to, by whom (empty: the router) and why; the case room shows the reason."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    team = models.ForeignKey("directory.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.assignee_id or self.team_id}"


class CaseView(models.Model):
    """Every look at a case's personal data (PDPA): who, when, what."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="views")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    what = models.CharField(_("what"), max_length=100)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("case view")
        verbose_name_plural = _("case views (PDPA log)")

    def __str__(self) -> str:
        return f"{self.viewer_id} {self.what} {self.case_id}"


class RoutingRule(models.Model):
    """Ordered rules that choose a team for a case; an empty criterion matches anything."""

    position = models.PositiveIntegerField(_("order"), default=100)
    license_type = models.CharField(_("license type"), max_length=30, choices=LicenseType.choices, blank=True)
    request_type = models.CharField(_("request type"), max_length=30, choices=RequestType.choices, blank=True)
    province = models.CharField(_("province"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=30, blank=True)
    team = models.ForeignKey("directory.Team", verbose_name=_("team"), on_delete=models.CASCADE, related_name="+")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        criteria = [self.license_type, self.request_type, self.province, self.region]
        return f"{self.position}: {'/'.join(c for c in criteria if c) or '*'} → {self.team_id}"


class TeamCaseSettings(models.Model):
    """A team's part in case work: its first-response target, and whether it is the default team."""

    team = models.OneToOneField(
        "directory.Team", verbose_name=_("team"), on_delete=models.CASCADE, related_name="case_settings"
    )
    first_response_hours = models.DecimalField(
        _("first response target (working hours)"), max_digits=5, decimal_places=2, default=4
    )
    is_default = models.BooleanField(_("default team for cases no rule matches"), default=False)

    class Meta:
        verbose_name = _("team case settings")
        verbose_name_plural = _("team case settings")
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True), name="one_default_team")
        ]

    def __str__(self) -> str:
        return str(self.team)


class Holiday(models.Model):
    """A Thai public holiday: no working hours count on it. Seeded from the `holidays` package."""

    date = models.DateField(_("date"), unique=True)
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")

    def __str__(self) -> str:
        name = self.name_en if translation.get_language() == "en" and self.name_en else self.name_th
        return f"{self.date:%Y-%m-%d} {name}"


class ConflictOfInterest(models.Model):
    """An expert's declared conflict: never proposed for that applicant's cases, or that province's."""

    expert = models.ForeignKey(
        "directory.Person", verbose_name=_("expert"), on_delete=models.CASCADE, related_name="conflicts"
    )
    applicant_id_masked = models.CharField(_("applicant id (masked)"), max_length=32, blank=True)
    applicant_name = models.CharField(_("applicant name"), max_length=200, blank=True)
    province = models.CharField(_("province"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")

    def __str__(self) -> str:
        return f"{self.expert_id}: {self.applicant_id_masked or self.province}"


class CommitteeReview(models.Model):
    """A committee asked to review a case: the proposed meeting, then its resolution."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        # Fewer matching experts without a conflict than the quorum: nothing to propose yet.
        SHORT = "short", _("not enough experts")
        INVITED = "invited", _("invitations sent")
        RESOLVED = "resolved", _("resolved")

    class Resolution(models.TextChoices):
        APPROVE = "approve", _("approve")
        REJECT = "reject", _("reject")
        REQUEST_DOCUMENTS = "request_documents", _("request documents")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    # The event that asked for the review: a repeated event proposes once.
    event_id = models.CharField(max_length=100, unique=True)
    meeting = models.ForeignKey("meetings.Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    experts = models.ManyToManyField("directory.Person", related_name="+", blank=True)
    quorum = models.PositiveSmallIntegerField(_("quorum"), default=3)
    # The first time the assignee and every expert are free (meetings' "find a time"); empty when none.
    proposed_start = models.DateTimeField(_("proposed start"), null=True, blank=True)
    proposed_end = models.DateTimeField(_("proposed end"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PROPOSED)
    resolution = models.CharField(_("resolution"), max_length=20, choices=Resolution.choices, blank=True)
    votes_for = models.PositiveSmallIntegerField(_("votes for"), default=0)
    votes_against = models.PositiveSmallIntegerField(_("votes against"), default=0)
    votes_abstain = models.PositiveSmallIntegerField(_("abstentions"), default=0)
    resolution_note = models.TextField(_("resolution note"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.case_id} {self.state}"


class OutgoingNote(models.Model):
    """A note for the licensing backend (a summary or a recommendation), sent by a Huey task with
    an Idempotency-Key so a retry after a lost answer never adds it twice."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    idempotency_key = models.CharField(max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=30)
    body = models.TextField(_("body"))
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"
