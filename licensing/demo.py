"""Case routing for the demo: rules, each licensing team's first-response target, Thai public holidays."""

from decimal import Decimal

from django.utils import timezone

from directory.models import Team
from licensing import workhours
from licensing.models import RoutingRule, TeamCaseSettings

# (team code, first-response target in working hours, default team)
TARGETS = [("reg-licence", Decimal(4), True), ("reg-renewal", Decimal(8), False), ("reg-service", Decimal(4), False)]

# (position, license type, request type, region, team code); an empty criterion matches anything.
RULES = [
    (10, "", "renewal", "", "reg-renewal"),
    (20, "", "replacement", "", "reg-renewal"),
    (30, "", "temporary_permit", "south", "reg-service"),
    (40, "", "foreign_teacher", "", "reg-licence"),
]


def seed_routing() -> None:
    """Safe to run again, and an admin's edits stay: targets and rules are made only where there
    are none, holidays only for a year that has none."""
    teams = {team.code: team for team in Team.objects.filter(code__in={code for code, *_ in TARGETS})}
    if len(teams) < len(TARGETS):
        return  # the directory's demo seed has not run
    has_default = TeamCaseSettings.objects.filter(is_default=True).exists()
    for code, hours, is_default in TARGETS:
        TeamCaseSettings.objects.get_or_create(
            team=teams[code], defaults={"first_response_hours": hours, "is_default": is_default and not has_default}
        )
    if not RoutingRule.objects.exists():
        RoutingRule.objects.bulk_create(
            RoutingRule(
                position=position, license_type=license_type, request_type=request_type, region=region, team=teams[code]
            )
            for position, license_type, request_type, region, code in RULES
        )
    year = timezone.localdate().year
    workhours.seed_holidays([year, year + 1])
