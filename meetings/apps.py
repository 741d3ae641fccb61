"""App configuration of meetings."""

from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"

    def ready(self) -> None:
        from meetings.admin import hide_scheduler_models

        hide_scheduler_models()
