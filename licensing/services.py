"""Writes of licensing: a backend event applied to its case, a look at a case logged (PDPA),
people invited into a case's room.

An event carries the whole case as the backend has it. Whatever arrives first makes the case (and
routes it and opens its room); a later event changes it only if it happened later than the status
the hub holds: an older `case.updated` arriving late goes into the history, in its place, and
changes nothing else.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from directory import selectors as directory
from hub.errors import Forbidden, Invalid
from licensing import case_rooms, committee, routing, selectors
from licensing.events import Event
from licensing.models import CLOSED_STATUSES, Case, CaseView, Status, StatusChange

# What a CaseView says was looked at.
VIEW_PAGE = "page"
VIEW_API = "api"
VIEW_ADMIN = "admin: inbox event"
MAX_INVITED_AT_ONCE = 20


def apply_event(event: Event) -> Case:
    """Apply one event to its case, inside the caller's transaction (licensing.inbox.handle)."""
    case, created = _case_of(event)
    newer = created or event.occurred_at >= case.status_changed_at
    if not created and newer:
        _take_newer(case, event)
    StatusChange.objects.create(case=case, status=event.case.status, occurred_at=event.occurred_at, event_id=event.id)
    with translation.override("th"):  # notices are stored once, in the office's language
        if created:
            _route(case)
            case_rooms.open_case_room(case)
            case_rooms.post_case_notice(case, _opened_text(case))
        elif case.room_id is None:
            case_rooms.open_case_room(case)
        if not (created and event.type in ("case.opened", "case.updated")):  # its status is in the first notice
            _after(case, event, newer)
    return case


def _case_of(event: Event) -> tuple[Case, bool]:
    """The event's case under its row lock (events of one case wait on each other), made if new."""
    data = event.case
    case = Case.objects.select_for_update().filter(number=data.number).first()
    if case is not None:
        return case, False
    try:
        with transaction.atomic():
            case = Case.objects.create(
                number=data.number,
                license_type=data.license_type,
                request_type=data.request_type,
                status=data.status,
                status_changed_at=event.occurred_at,
                applicant_name=data.applicant_name,
                applicant_id_masked=data.applicant_id_masked,
                province=data.province,
                summary=data.summary,
                url=data.url,
                submitted_at=data.submitted_at,
                decided_at=event.occurred_at if data.status in CLOSED_STATUSES else None,
            )
    except IntegrityError:  # made by another event of the same case at the same moment
        return Case.objects.select_for_update().get(number=data.number), False
    return case, True


def _take_newer(case: Case, event: Event) -> None:
    data = event.case
    was_closed = case.is_closed
    case.status, case.status_changed_at = data.status, event.occurred_at
    case.license_type, case.request_type, case.province = data.license_type, data.request_type, data.province
    case.url, case.submitted_at = data.url or case.url, data.submitted_at or case.submitted_at
    if case.erased_at is None:  # erased details never come back
        case.applicant_name, case.applicant_id_masked = data.applicant_name, data.applicant_id_masked
        case.summary = data.summary
    if case.is_closed and not was_closed:
        case.decided_at = event.occurred_at
    elif was_closed and not case.is_closed:
        case.decided_at = None  # reopened by the backend (an appeal, say)
    case.save()


def _route(case: Case) -> None:
    """Choose the case's team and assignee (licensing.routing), and see them on this object."""
    routing.route_case(case)
    case.refresh_from_db(fields=["team", "assignee", "first_response_due"])


def _opened_text(case: Case) -> str:
    text = _("New case from the licensing system: %(license)s, %(request)s, %(province)s. Status: %(status)s.") % {
        "license": case.get_license_type_display(),
        "request": case.get_request_type_display(),
        "province": case.province or "-",
        "status": case.get_status_display(),
    }
    if case.assignee_id:
        person = directory.person_of(case.assignee)
        name = person.display_name if person else case.assignee.get_username()
        text += " " + _("Assigned to %(name)s.") % {"name": name}
    elif case.team_id:
        text += " " + _("Waiting in the queue of %(team)s.") % {"team": case.team.name}
    # A link to the case's page in the hub (a path: chat's Markdown keeps local links).
    return text + f" [{_('Case page')}]({reverse('licensing:case', args=[case.pk])})"


def _after(case: Case, event: Event, newer: bool) -> None:
    """The event's notice in the room, and what a decision does to the room."""
    status = Status(event.case.status)
    if not newer:
        when = timezone.localtime(event.occurred_at).strftime("%d/%m/%Y %H:%M")
        case_rooms.post_case_notice(
            case,
            _("An earlier status arrived late: %(status)s at %(when)s. The current status stays %(current)s.")
            % {"status": status.label, "when": when, "current": case.get_status_display()},
        )
        return
    if event.type == "case.review_requested":
        case_rooms.post_case_notice(case, _("The licensing system asks for a committee review of this case."))
        _propose_review(case, event.id)  # which says whom it proposes, and when
    elif event.type in ("case.decided", "case.withdrawn"):
        text = (
            _("The application was withdrawn.")
            if status == Status.WITHDRAWN
            else _("Decision: %(status)s.") % {"status": status.label}
        )
        case_rooms.post_case_notice(case, text + " " + _("This room is now archived: it can be read, not written to."))
        case_rooms.archive_case_room(case)
    else:  # case.updated, or a case.opened for a case the hub already has
        if status == Status.NEEDS_DOCUMENTS:
            text = _("The licensing system asked the applicant for documents.")
        else:
            text = _("Status: %(status)s.") % {"status": status.label}
        case_rooms.post_case_notice(case, text)
        if not case.is_closed and case.room_id and case.room.archived_at is not None:
            from chat import services as chat_services

            chat_services.set_archived(case.room, False)


def _propose_review(case: Case, event_id: str) -> None:
    """A committee meeting proposed for the case (licensing.committee); the same event proposes once."""
    committee.propose_review(case, event_id)


def log_view(user: AbstractBaseUser, case: Case, what: str) -> None:
    """Every look at a case's personal data is recorded: who, when, what (PDPA)."""
    CaseView.objects.create(case=case, viewer=user if user.is_authenticated else None, what=what[:100])


def view_case(user: AbstractBaseUser, case_id, what: str) -> Case:
    """The case for `user` to look at (NotFound if they may not), the look logged."""
    case = selectors.case_for(user, case_id)
    log_view(user, case, what)
    return case


def invite(user: AbstractBaseUser, case_id, person_ids: list[int]) -> Case:
    """The assignee, the team's manager or an administrator adds people (colleagues, experts) to
    the case's room; that is also what lets them see the case."""
    case = selectors.case_for(user, case_id)
    if not can_invite(user, case):
        raise Forbidden(_("Only the case's assignee, its team's manager or an administrator can invite people."))
    wanted = {int(pk) for pk in person_ids or []}
    if not wanted or len(wanted) > MAX_INVITED_AT_ONCE:
        raise Invalid(_("Choose between 1 and 20 people to invite."), fields={"people": _("Required.")})
    people = list(directory.visible_people(user).filter(pk__in=wanted, user__isnull=False, user__is_active=True))
    if len(people) != len(wanted):
        raise Invalid(_("Some of those people are unknown to you."), fields={"people": _("Unknown people.")})
    with transaction.atomic():
        case_rooms.invite_people(case, [person.user for person in people])
        names = ", ".join(person.name_th for person in people)
        with translation.override("th"):
            case_rooms.post_case_notice(case, _("Invited to this case: %(names)s.") % {"names": names})
    return case


def can_invite(user: AbstractBaseUser, case: Case) -> bool:
    if user.is_superuser or case.assignee_id == user.pk:
        return True
    person = directory.person_of(user)
    return bool(person and case.team_id and case.team.manager_id == person.pk)
