"""/api/v1 endpoint of the dashboard: the same numbers as the page, for a team (or all one's teams) and a window."""

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from dashboard import access, figures, selectors
from hub.errors import Invalid
from hub.params import Id

router = Router(tags=["dashboard"])


class DashboardQuery(Schema):
    team: Id | None = None
    days: int = Field(7, json_schema_extra={"enum": list(selectors.WINDOWS)})


class PersonOut(Schema):
    person_id: int
    user_id: int | None
    name: str
    team: str
    status: str
    place: str
    messages: int
    active_hours: int
    cases_open: int
    cases_decided: int
    meetings_this_week: int
    meeting_hours_this_week: float
    answer_rate: int | None
    attended: int
    attendance_rate: int | None


class DurationOut(Schema):
    count: int
    median: float | None
    p90: float | None


class CasesOut(Schema):
    open_by_status: dict[str, int]
    open: int
    waiting_first_response: int
    unassigned: int
    overdue: int
    answered: int
    answered_late: int
    first_response_hours: DurationOut
    decision_hours: DurationOut


class CommitteeOut(Schema):
    title: str
    start: dt.datetime
    present: int
    needed: int


class MeetingsOut(Schema):
    this_week: int
    invitations: int
    answer_rate: int | None
    accept_rate: int | None
    attendance_rate: int | None
    without_quorum: list[CommitteeOut]


class DayOut(Schema):
    day: dt.date
    messages: int
    active_hours: int
    cases_decided: int
    meetings_attended: int


class TeamOut(Schema):
    id: int
    name_th: str
    name_en: str


class DashboardOut(Schema):
    teams: list[TeamOut]
    first_day: dt.date
    last_day: dt.date
    presence: dict[str, int]
    workplace: dict[str, int]
    people: list[PersonOut]
    cases: CasesOut
    meetings: MeetingsOut
    days: list[DayOut]


@router.get(
    "/dashboard",
    response=DashboardOut,
    summary="A manager's dashboard: presence, cases, meetings and activity of their teams",
    description="Team managers see their teams, bureau directors their bureau's, the secretary-general "
    "and admins every team. Other staff get 403, experts 404, a team outside one's own 404. Counts "
    "only: no message content, nobody outside the viewer's teams. Percentages are whole numbers; "
    "durations are hours.",
)
def dashboard(request, query: Query[DashboardQuery]):
    if query.days not in selectors.WINDOWS:
        raise Invalid(_("The period is 7, 30 or 90 days."), fields={"days": query.days})
    scope = access.scope_for(request.auth, query.team)
    numbers = selectors.numbers_for(scope, query.days)
    return {
        "teams": [{"id": t.pk, "name_th": t.name_th, "name_en": t.name_en} for t in scope.teams],
        "first_day": numbers.window.first,
        "last_day": numbers.window.last,
        "presence": numbers.status_counts,
        "workplace": numbers.place_counts,
        "people": figures.person_rows(numbers),
        "cases": figures.case_summary(numbers),
        "meetings": figures.meeting_summary(numbers),
        "days": figures.daily_rows(numbers),
    }
