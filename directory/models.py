"""The organisation: bureaus, teams and the people (staff and invited experts) who work in them."""

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

# The licenses the Council issues; experts' areas of expertise are tied to them.
LICENSE_TYPES = {
    "teacher": _("Teacher"),
    "school_administrator": _("School administrator"),
    "educational_administrator": _("Educational administrator"),
    "educational_supervisor": _("Educational supervisor"),
}


class Bureau(models.Model):
    """A สำนัก of the Council's secretariat."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    head = models.ForeignKey(
        "Person",
        verbose_name=_("head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bureaus_headed",
    )

    class Meta:
        ordering = ["name_th"]
        verbose_name = _("bureau")
        verbose_name_plural = _("bureaus")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if translation.get_language() == "en" else self.name_th


class Team(models.Model):
    """A team (กลุ่มงาน) inside a bureau, with one manager."""

    bureau = models.ForeignKey(Bureau, verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="teams")
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    manager = models.ForeignKey(
        "Person",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="teams_managed",
    )

    class Meta:
        ordering = ["bureau__name_th", "name_th"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if translation.get_language() == "en" else self.name_th


class Person(models.Model):
    """Anyone in the directory. Every user account links to exactly one person."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("staff")
        EXPERT = "expert", _("external expert")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.STAFF)
    title_th = models.CharField(_("title (Thai)"), max_length=40, blank=True)
    first_name_th = models.CharField(_("first name (Thai)"), max_length=100)
    last_name_th = models.CharField(_("last name (Thai)"), max_length=100)
    title_en = models.CharField(_("title (English)"), max_length=40, blank=True)
    first_name_en = models.CharField(_("first name (English)"), max_length=100, blank=True)
    last_name_en = models.CharField(_("last name (English)"), max_length=100, blank=True)
    nickname = models.CharField(_("nickname"), max_length=50, blank=True)
    position_th = models.CharField(_("position (Thai)"), max_length=200, blank=True)
    position_en = models.CharField(_("position (English)"), max_length=200, blank=True)
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    manager = models.ForeignKey(
        "self", verbose_name=_("manager"), null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    email = models.EmailField(_("e-mail"), unique=True)
    phone_ext = models.CharField(_("phone extension"), max_length=20, blank=True)
    mobile = models.CharField(_("mobile"), max_length=30, blank=True)
    skills = models.CharField(_("skills"), max_length=500, blank=True, help_text=_("Comma-separated."))
    work_pattern = models.JSONField(
        _("work pattern"),
        default=dict,
        blank=True,
        help_text=_('Weekday to place, e.g. {"mon": "office", "tue": "home"}.'),
    )
    photo = models.ImageField(_("photo"), upload_to="photos/", blank=True)
    out_of_office_from = models.DateField(_("out of office from"), null=True, blank=True)
    out_of_office_until = models.DateField(_("out of office until"), null=True, blank=True)
    out_of_office_note = models.CharField(_("out-of-office note"), max_length=200, blank=True)
    out_of_office_delegate = models.ForeignKey(
        "self",
        verbose_name=_("delegate while away"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="delegating_for",
    )
    # The person's own choice of presence; empty means "automatic" (computed from sockets and activity).
    presence_choice = models.CharField(
        _("presence"),
        max_length=10,
        blank=True,
        choices=[("available", _("available")), ("busy", _("busy")), ("away", _("away"))],
    )
    affiliation = models.CharField(_("affiliation"), max_length=200, blank=True)
    expertise = models.JSONField(_("areas of expertise"), default=list, blank=True)
    # Lower-cased names, nickname, position, skills and team, kept by directory.services for
    # substring search (Thai has no spaces between words, so words cannot be indexed).
    search_document = models.TextField(default="", blank=True, editable=False)

    class Meta:
        ordering = ["first_name_th", "last_name_th"]
        indexes = [models.Index(fields=["kind", "team"])]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.display_name

    @property
    def name_th(self) -> str:
        # Thai titles attach to the name without a space: นายสมชาย ใจดี, ดร.สมศรี มีสุข.
        return f"{self.title_th}{self.first_name_th} {self.last_name_th}".strip()

    @property
    def name_en(self) -> str:
        parts = [self.title_en, self.first_name_en, self.last_name_en]
        return " ".join(part for part in parts if part) or self.name_th

    @property
    def display_name(self) -> str:
        return self.name_en if translation.get_language() == "en" else self.name_th

    @property
    def position(self) -> str:
        if translation.get_language() == "en" and self.position_en:
            return self.position_en
        return self.position_th

    @property
    def initials(self) -> str:
        if translation.get_language() == "en" and self.first_name_en:
            return (self.first_name_en[:1] + self.last_name_en[:1]).upper()
        # Skip a leading vowel (เ แ โ ใ ไ): the initial of เกียรติ is ก.
        return self.first_name_th.lstrip("เแโใไ")[:1]

    @property
    def is_expert(self) -> bool:
        return self.kind == self.Kind.EXPERT
