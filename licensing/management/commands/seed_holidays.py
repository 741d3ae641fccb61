"""manage.py seed_holidays [YEAR ...] [--replace]: Thai public holidays from the `holidays` package."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from licensing import workhours


class Command(BaseCommand):
    help = (
        "Add Thailand's public holidays for the given years (default: this year and next) to the "
        "calendar that case targets count in. A year that already has holidays is left as an "
        "administrator edited it, unless --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="*", type=int)
        parser.add_argument("--replace", action="store_true", help="Replace the years' holidays with the package's.")

    def handle(self, years, replace, **options):
        this_year = timezone.localdate().year
        years = years or [this_year, this_year + 1]
        if any(not 1950 <= year <= 2200 for year in years):
            raise CommandError("Years are between 1950 and 2200.")
        added = workhours.seed_holidays(years, replace=replace)
        self.stdout.write(f"{added} holidays added for {', '.join(map(str, years))}.")
