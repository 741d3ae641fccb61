"""manage.py seed_demo [--password PW]: create or refresh the Thai demo organisation, its rooms and
conversations, and print its logins."""

from django.core.management.base import BaseCommand

from chat.demo import seed_conversations
from dashboard.demo import seed_dashboard
from directory.demo import seed_demo
from licensing.committee_demo import seed_committee
from licensing.demo import seed_routing
from meetings.demo import seed_meetings

COLUMNS = ("username", "role", "name")


class Command(BaseCommand):
    help = "Create or refresh the demo bureaus, teams, staff, experts and user accounts (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--password", default="khurusapha-demo", help="Password for every demo account.")

    def handle(self, password, **options):
        logins = seed_demo(password)
        seed_conversations()
        seed_meetings()
        seed_routing()
        seed_committee()
        seed_dashboard()
        widths = [max(len(column), *(len(login[column]) for login in logins)) for column in COLUMNS]
        header = "  ".join(column.ljust(width) for column, width in zip(COLUMNS, widths))
        self.stdout.write(header.rstrip())
        self.stdout.write("  ".join("-" * width for width in widths))
        for login in logins:
            self.stdout.write("  ".join(login[column].ljust(width) for column, width in zip(COLUMNS, widths)).rstrip())
        self.stdout.write("")
        self.stdout.write(f"Password for every account: {password}")
