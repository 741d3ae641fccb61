"""App configuration of the directory."""

from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Directory"

    def ready(self) -> None:
        from directory import frames  # noqa: F401  (registers socket frames and presence listeners)
