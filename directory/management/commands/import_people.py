"""manage.py import_people FILE [--dry-run]: check an HR export of people and, unless told not to, import it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from directory.importing import MAX_FILE_BYTES, import_people


class Command(BaseCommand):
    help = "Import people from an HR export (.csv or .xlsx). All or nothing; running it again duplicates no one."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .csv or .xlsx file exported from HR.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; save nothing.")

    def handle(self, file, dry_run, **options):
        path = Path(file)
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)  # import_people refuses anything longer
        except OSError as error:
            message = _("Cannot read %(file)s: %(reason)s") % {"file": file, "reason": error.strerror}
            raise CommandError(message) from error
        report = import_people(data, path.name, dry_run=dry_run)
        for error in report.errors:
            self.stdout.write(str(error))
        if not report.ok:
            message = _("%(count)s problem(s) in %(file)s; nothing was imported.")
            raise CommandError(message % {"count": len(report.errors), "file": file})
        counts = {"created": report.created, "updated": report.updated, "unchanged": report.unchanged}
        if dry_run:
            self.stdout.write(
                _(
                    "Dry run, nothing saved: would create %(created)s, update %(updated)s, "
                    "leave %(unchanged)s unchanged."
                )
                % counts
            )
        else:
            self.stdout.write(_("Created %(created)s, updated %(updated)s, unchanged %(unchanged)s.") % counts)
