"""manage.py rebuild_dashboard: count the dashboard's rollups again from the whole history."""

from django.core.management.base import BaseCommand

from dashboard import rollups
from dashboard.models import ActivityDay, MeetingSlot


class Command(BaseCommand):
    help = "Rebuild the dashboard's rollups (activity per day, meeting occurrences) from scratch."

    def handle(self, *args, **options):
        rollups.rebuild()
        self.stdout.write(
            f"{ActivityDay.objects.count()} activity rows, {MeetingSlot.objects.count()} meeting occurrences."
        )
