"""App configuration of meetings."""

from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
