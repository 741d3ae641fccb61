"""manage.py compile_catalogues: compile the .po message catalogues to .mo without GNU gettext."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile every .po catalogue under LOCALE_PATHS into its .mo (pure Python; no msgfmt needed)."

    def handle(self, **options):
        for locale_path in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_path).glob("*/LC_MESSAGES/*.po")):
                catalogue = polib.pofile(str(po_path))
                mo_path = po_path.with_suffix(".mo")
                catalogue.save_as_mofile(str(mo_path))
                if options["verbosity"] > 1:
                    self.stdout.write(f"{mo_path}: {catalogue.percent_translated()}% translated")
