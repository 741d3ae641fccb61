"""The case page's assignment forms: reassign with a reason, take from the queue (licensing.routing)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hub.errors import HubError, NotFound
from licensing import notify, routing
from licensing.models import Case


def _act_then_return(request, case_id: int, action, done: str):
    """What the person may not see is a 404; any other refusal is shown with its reason."""
    try:
        action()
    except NotFound as problem:
        raise Http404 from problem
    except HubError as problem:
        messages.error(request, problem.message)
    else:
        messages.success(request, done)
    return redirect(notify.case_url(Case(pk=case_id)) + "#assignment")


@login_required
@require_POST
def reassign(request, case_id: int):
    return _act_then_return(
        request,
        case_id,
        lambda: routing.reassign_case(request.user, case_id, request.POST.get("person"), request.POST.get("reason")),
        _("The case has a new assignee."),
    )


@login_required
@require_POST
def take(request, case_id: int):
    return _act_then_return(
        request, case_id, lambda: routing.take_from_queue(request.user, case_id), _("The case is yours.")
    )
