"""Case pages: the cases a person may see, and one case (each look logged, PDPA)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from directory import selectors as directory
from hub.errors import HubError, NotFound
from licensing import selectors, services
from licensing.models import Status

PER_PAGE = 25


@login_required
def case_list(request):
    status = request.GET.get("status", "")
    status = status if status in Status.values else ""
    mine = request.GET.get("mine") == "1"
    open_only = request.GET.get("open") == "1"
    query = request.GET.get("q", "").strip()[:40]
    found = selectors.cases_for(request.user, status=status, mine=mine, open_only=open_only, query=query)
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "licensing/cases.html",
        {
            "page": page,
            "statuses": Status.choices,
            "filters": {"status": status, "mine": mine, "open": open_only, "q": query},
        },
    )


@login_required
def case_page(request, case_id: int):
    try:
        case = services.view_case(request.user, case_id, services.VIEW_PAGE)
    except NotFound as problem:
        raise Http404 from problem
    can_invite = services.can_invite(request.user, case)
    return render(
        request,
        "licensing/case.html",
        {
            "case": case,
            "history": selectors.status_history(case),
            "in_room": selectors.in_room(request.user, case),
            "members": selectors.room_members(case),
            "can_invite": can_invite,
            "invitable": _invitable(request.user, case) if can_invite else [],
        },
    )


def _invitable(user, case) -> list:
    """Whom the invite form offers: people the inviter may see, not yet in the room."""
    in_room = {member["id"] for member in selectors.room_members(case)}
    people = directory.visible_people(user).filter(user__isnull=False, user__is_active=True)
    return [person for person in people.order_by("kind", "first_name_th")[:500] if person.user_id not in in_room]


@login_required
@require_POST
def invite(request, case_id: int):
    try:
        services.invite(request.user, case_id, request.POST.getlist("people"))
    except NotFound as problem:
        raise Http404 from problem
    except (HubError, ValueError) as problem:
        messages.error(request, getattr(problem, "message", _("Choose people from the list.")))
    else:
        messages.success(request, _("Invited. They can now see this case and its room."))
    return redirect("licensing:case", case_id)
