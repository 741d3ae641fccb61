"""The bell for cases: a `notification` over the socket to the assignee or the team's manager."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from directory.models import Person, Team
from hub import realtime
from licensing.models import Case

ASSIGNED, QUEUED, OVERDUE = "case_assigned", "case_queued", "case_overdue"

_TEXTS = {
    ASSIGNED: lambda: _("Case %(number)s is assigned to you"),
    QUEUED: lambda: _("Case %(number)s waits in your team's queue: nobody is available"),
    OVERDUE: lambda: _("Case %(number)s has had no first response within the team's target"),
}


def case_url(case: Case) -> str:
    return f"/cases/{case.pk}/"


def in_house_language(text):
    """A text stored once for everyone (an assignment's reason, a room notice), in the hub's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text() if callable(text) else text)


def manager_of(team: Team | None) -> Person | None:
    """Who answers for a team's cases: its manager, else the head of its bureau."""
    if team is None:
        return None
    return team.manager or team.bureau.head


def tell(user_id: int | None, kind: str, case: Case) -> None:
    """After commit, like every event (hub.realtime)."""
    if user_id is None:
        return
    texts = {}
    for language in ("th", "en"):
        with translation.override(language):
            texts[language] = _TEXTS[kind]() % {"number": case.number}
    realtime.publish_to_user(
        user_id,
        {
            "type": "notification",
            "kind": kind,
            "case": case.pk,
            "number": case.number,
            "url": case_url(case),
            "text_th": texts["th"],
            "text_en": texts["en"],
        },
    )


def tell_manager(team: Team | None, kind: str, case: Case) -> None:
    manager = manager_of(team)
    tell(manager.user_id if manager else None, kind, case)
