"""Pages of committee reviews: the panel on the case page (and on its own page), setting the meeting,
proposing again and recording the resolution. Each action goes back to the page it came from."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hub.errors import NotFound
from hub.form_actions import run_and_report
from licensing import committee
from licensing.committee_forms import ConfirmForm, ResolutionForm
from licensing.selectors import case_for


def panel_context(request, case) -> dict:
    """What licensing/_committee_panel.html shows for a case the user may see."""
    review = committee.latest_review(case)
    context = {"case": case, "review": review, "can_act": committee.may_act(request.user, case)}
    if review is not None:
        context.update(
            experts=list(review.experts.order_by("pk")),
            confirm_form=ConfirmForm.for_review(review),
            resolution_form=ResolutionForm(prefix=f"resolution-{review.pk}"),
            back=request.get_full_path(),
            recommendation=committee.recommendation_of(review) if review.state == review.State.RESOLVED else None,
        )
    return context


@login_required
def panel(request, case_id: int):
    try:
        case = case_for(request.user, case_id)
    except NotFound as problem:
        raise Http404 from problem
    return render(request, "licensing/committee_page.html", panel_context(request, case))


def _back(request, review_id: int):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    try:
        review = committee.review_for(request.user, review_id)
    except NotFound as problem:
        raise Http404 from problem
    return redirect(reverse("committee:panel", args=[review.case_id]))


def _act(request, review_id: int, action, done: str):
    """Run the service call (hub.form_actions), then back to the panel or the page it came from."""
    run_and_report(request, action, done)
    return _back(request, review_id)


def _form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


@login_required
@require_POST
def confirm(request, review_id: int):
    form = ConfirmForm(request.POST, prefix=f"confirm-{review_id}")
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request, review_id)
    start, end = form.times()
    return _act(
        request,
        review_id,
        lambda: committee.confirm_review(request.user, review_id, start, end),
        _("The committee meeting is set; the experts are being invited."),
    )


@login_required
@require_POST
def propose_again(request, review_id: int):
    return _act(
        request,
        review_id,
        lambda: committee.propose_again(request.user, review_id),
        _("The experts and the time were proposed again."),
    )


@login_required
@require_POST
def resolve(request, review_id: int):
    form = ResolutionForm(request.POST, prefix=f"resolution-{review_id}")
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request, review_id)
    data = form.cleaned_data
    return _act(
        request,
        review_id,
        lambda: committee.record_resolution(
            request.user,
            review_id,
            data["resolution"],
            data["votes_for"],
            data["votes_against"],
            data["votes_abstain"],
            data["note"],
        ),
        _("The resolution is recorded and will be sent to the licensing system."),
    )
