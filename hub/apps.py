"""App configuration of the hub."""

from django.apps import AppConfig


class HubConfig(AppConfig):
    name = "hub"
    verbose_name = "Khurusapha ONE hub"

    def ready(self) -> None:
        from hub import frames, signals  # noqa: F401  (registers socket frames and signal receivers)
