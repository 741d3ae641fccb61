"""`manage.py run_huey` for the bench: the project's consumer, knowing the bench's no-op job too."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
    import django

    django.setup()
    from django.core.management import call_command

    import bench._reminders  # noqa: F401 - registers the no-op job

    call_command("run_huey", *sys.argv[1:])
