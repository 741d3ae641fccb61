"""The demo's dashboard: the secretary-general may see every team, and the rollups are counted once."""

from django.contrib.auth.models import Permission

from dashboard import rollups
from directory.models import Person


def seed_dashboard() -> None:
    """The person at the top of the demo's org chart (the manager of the bureau directors) sees
    every team's dashboard; then the rollups are counted from the seeded history."""
    permission = Permission.objects.get(codename="view_all_teams", content_type__app_label="dashboard")
    top = Person.objects.filter(
        kind=Person.Kind.STAFF, manager__isnull=True, user__isnull=False, reports__bureaus_headed__isnull=False
    ).distinct()
    for person in top:
        person.user.user_permissions.add(permission)
    rollups.rebuild()
