"""Dashboard pages: the managers' dashboard, its CSV and printable report, and one's own numbers."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext

from dashboard import access, exports, figures, people_table, selectors
from directory.selectors import person_of
from hub.errors import Forbidden, NotFound
from hub.params import query_id


def _numbers(request):
    """Parse ?team= and ?days=, check the viewer may see them, and read the numbers."""
    days = request.GET.get("days", "7")
    if days not in {str(n) for n in selectors.WINDOWS}:
        raise BadRequest("?days= is 7, 30 or 90")
    try:
        scope = access.scope_for(request.user, query_id(request, "team"))
    except NotFound:
        raise Http404 from None
    except Forbidden as refused:
        raise PermissionDenied(refused.message) from None
    return scope, scope.viewer_teams, selectors.numbers_for(scope, int(days))


def _scope_name(scope) -> str:
    if scope.chosen is not None:
        return scope.chosen.name
    if len(scope.teams) <= 3:
        return ", ".join(team.name for team in scope.teams)
    return ngettext("%(n)d team", "%(n)d teams", len(scope.teams)) % {"n": len(scope.teams)}


def _context(request, scope, teams, numbers) -> dict:
    return {
        "scope": scope,
        "scope_name": _scope_name(scope),
        "teams": teams,
        "numbers": numbers,
        "windows": selectors.WINDOWS,
        "people": figures.person_rows(numbers),
        "columns": figures.person_columns(),
        "cases": figures.case_summary(numbers),
        "status_labels": figures.status_labels(),
        "meetings": figures.meeting_summary(numbers),
        "charts": figures.charts(numbers),
        "daily": figures.daily_rows(numbers),
        "place_labels": figures.PLACE_LABELS,
        "query": request.GET.urlencode(),
        "generated_at": timezone.now(),
    }


@login_required
def index(request):
    scope, teams, numbers = _numbers(request)
    context = _context(request, scope, teams, numbers)
    context["people_rows_html"] = people_table.rows_html(context["people"])
    return render(request, "dashboard/dashboard.html", context)


@login_required
def report(request):
    """One A4 page to print, with Buddhist-Era dates."""
    scope, _teams, numbers = _numbers(request)
    by_team, rows = figures.report_rows(numbers)
    # Only what the page prints: the screen's tables and charts for 500 people are not laid out.
    context = {
        "scope_name": _scope_name(scope),
        "numbers": numbers,
        "cases": figures.case_summary(numbers),
        "meetings": figures.meeting_summary(numbers),
        "generated_at": timezone.now(),
        "by_team": by_team,
        "report_rows": rows,
    }
    return render(request, "dashboard/report.html", context)


@login_required
def export_csv(request):
    scope, _teams, numbers = _numbers(request)
    response = HttpResponse(exports.csv_text(numbers, _scope_name(scope)), content_type="text/csv; charset=utf-8")
    name = f"dashboard-{numbers.window.first:%Y%m%d}-{numbers.window.last:%Y%m%d}.csv"
    response["Content-Disposition"] = f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def mine(request):
    """The viewer's own numbers over 30 days, for their profile page (nobody else's)."""
    person = person_of(request.user)
    if person is None or person.is_expert:
        raise Http404
    numbers = selectors.numbers_for(access.own_scope(person), 30)
    return render(request, "dashboard/_mine.html", {"row": numbers.people[0], "numbers": numbers})
