"""App configuration of meetings."""

from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"

    def ready(self) -> None:
        from directory.presence import register_in_meeting_source
        from meetings.admin import hide_scheduler_models
        from meetings.attendance import people_in_a_call

        hide_scheduler_models()
        # The directory's in_meeting presence: people in a call now (meetings.attendance).
        register_in_meeting_source(people_in_a_call)
