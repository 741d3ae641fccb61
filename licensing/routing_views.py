"""The case page's assignment forms: reassign with a reason, take from the queue (licensing.routing)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hub.form_actions import run_and_report
from licensing import notify, routing
from licensing.models import Case


def _act_then_return(request, case_id: int, action, done: str):
    run_and_report(request, action, done)
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
