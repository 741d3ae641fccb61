"""Pages of the hub itself: home, health, and the error pages."""

import asyncio
import sys

from channels.layers import get_channel_layer
from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import gettext as _

from hub import ops_probes, selectors
from hub.api import error_response
from hub.context_processors import SECTIONS

HEALTH_TIMEOUT_SECONDS = 3


@login_required
def home(request):
    return render(request, "hub/home.html", selectors.home_for(request.user))


@login_required
def section(request, slug: str):
    # Rail sections whose app has not opened yet: an honest page, not a broken link.
    entry = next((item for item in SECTIONS if item["slug"] == slug), None)
    if entry is None:
        raise Http404
    if entry["url"]:  # opened since: an old bookmark goes to the section itself
        return redirect(entry["url"])
    return render(request, "hub/section.html", {"section": entry})


async def healthz(request):
    """200 when the database and the channel layer both answer; 503 naming the one that does not."""
    checks = {"database": await ops_probes.database(HEALTH_TIMEOUT_SECONDS)}
    try:
        layer = get_channel_layer()
        await asyncio.wait_for(layer.group_send("healthz", {"type": "health.probe"}), HEALTH_TIMEOUT_SECONDS)
        checks["channel_layer"] = "ok"
    except Exception as error:
        checks["channel_layer"] = f"error: {type(error).__name__}"
    failing = [name for name, state in checks.items() if state != "ok"]
    body = {"status": "ok" if not failing else "unavailable", "checks": checks, "failing": failing}
    return JsonResponse(body, status=503 if failing else 200)


def _wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def bad_request(request, exception=None):
    if _wants_json(request):
        return error_response(request, 400, "invalid", _("The request is not valid."))
    return render(request, "400.html", status=400)


def page_not_found(request, exception=None):
    if _wants_json(request):
        return error_response(request, 404, "not_found", _("Not found, or you do not have access to it."))
    return render(request, "404.html", status=404)


def server_error(request):
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        return _database_unavailable(request)
    if _wants_json(request):
        return error_response(request, 500, "server_error", _("Something went wrong on the server."))
    # No request context: whatever broke (often the database) must not break the error page too.
    return HttpResponseServerError(loader.render_to_string("500.html"))


def _database_unavailable(request):
    """The database is down or restarting (a failover, an upgrade): a clean 503 that says so, which
    nginx passes on as it is; each request tries the pool again, so the hub recovers by itself."""
    message = _("The hub cannot reach its database just now. Please try again in a minute.")
    if _wants_json(request):
        response = error_response(request, 503, "unavailable", message)
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = "30"
    return response


def permission_denied(request, exception=None):
    if _wants_json(request):
        return error_response(request, 403, "forbidden", _("You do not have permission to do that."))
    return render(request, "403.html", status=403)


def csrf_failure(request, reason=""):
    if _wants_json(request):
        return error_response(request, 403, "forbidden", _("The form expired. Reload the page and try again."))
    return render(request, "403_csrf.html", status=403)
