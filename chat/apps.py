"""App configuration of chat."""

from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = "Chat"

    def ready(self) -> None:
        from chat import frames  # noqa: F401  (registers the chat socket frames)
