"""The expert's personal link: it opens a session for one meeting, without a password."""

import secrets

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hub import scopes
from hub.errors import Forbidden, HubError
from meetings import expert_links, services

BROWSER_COOKIE_AGE = 60 * 60 * 24 * 400


def _browser_of(request) -> tuple[str, bool]:
    """The browser's random id from its cookie, or a new one (True: it must be set)."""
    browser = request.COOKIES.get(expert_links.BROWSER_COOKIE, "")
    if 32 <= len(browser) <= 100:
        return browser, False
    return secrets.token_urlsafe(32), True


def _refused(request, problem: HubError):
    context = {"heading": _("This link does not open"), "explanation": problem.message, "code": problem.status}
    return render(request, "hub/refused.html", context, status=problem.status)


@require_http_methods(["GET", "POST"])
def invited(request, token: str):
    """GET asks first (mail scanners open links too, and must not take the link for their own
    browser); POST ties the link to this browser and opens the session."""
    browser, fresh = _browser_of(request)
    try:
        link = expert_links.open_link(token, browser, bind=request.method == "POST")
    except HubError as problem:
        return _refused(request, problem)
    home = f"/meetings/{link.meeting_id}/"
    if request.session.get(expert_links.SESSION_LINK) == link.pk and request.user.pk == link.person.user_id:
        return redirect(home)  # this browser's session of this link: nothing to open again
    if request.method == "GET":
        response = render(request, "meetings/invited.html", {"meeting": link.meeting, "person": link.person})
    else:
        # A session of its own, whoever was signed in here before: it opens this meeting only.
        logout(request)
        login(request, link.person.user, backend="django.contrib.auth.backends.ModelBackend")
        paths, rooms = expert_links.reach_of(link)
        ended = reverse("meetings:link_ended", args=[link.meeting_id])
        scopes.restrict(request.session, paths=paths, rooms=rooms, home=home, ended=ended)
        request.session[expert_links.SESSION_LINK] = link.pk
        request.session.set_expiry(expert_links.expires_at(link.meeting))
        request.session.save()
        if not expert_links.record_session(link, request.session.session_key):
            logout(request)
            return _refused(request, Forbidden(expert_links.withdrawn()))
        response = redirect(home)
    if fresh:
        response.set_cookie(
            expert_links.BROWSER_COOKIE,
            browser,
            max_age=BROWSER_COOKIE_AGE,
            path="/meetings/invited/",
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
    return response


@require_http_methods(["GET"])
def link_ended(request, meeting_id: int):
    """Where an expert's open pages go when their link's session ends under them (withdrawn or
    expired): no log-in (they have no password). The organiser's name and e-mail are shown only to
    the browser that opened one of that meeting's links (its cookie), never to anyone who types the
    address."""
    meeting = expert_links.meeting_of_browser(meeting_id, request.COOKIES.get(expert_links.BROWSER_COOKIE, ""))
    return render(request, "meetings/link_ended.html", {"meeting": meeting})


@login_required
@require_POST
def withdraw_link(request, meeting_id: int, person_id: int):
    """The organiser or the chair stops an expert's links; "new" e-mails a fresh one."""
    send_new = request.POST.get("new") == "1"
    try:
        services.withdraw_expert_link(request.user, meeting_id, person_id, send_new=send_new)
    except HubError as problem:
        messages.error(request, problem.message)
    else:
        if send_new:
            messages.success(request, _("The old link stopped working. A new link is on its way by e-mail."))
        else:
            messages.success(request, _("The expert's link stopped working."))
    return redirect("meetings:meeting", meeting_id=meeting_id)
