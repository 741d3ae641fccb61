"""The errors services raise; the API and the socket turn each into the same code (DESIGN.md §3, §4)."""

from django.utils.translation import gettext_lazy as _


class HubError(Exception):
    code = "invalid"
    status = 400
    default_message = _("The request is not valid.")

    def __init__(self, message=None, *, fields: dict | None = None):
        self.message = message or self.default_message
        self.fields = fields or {}
        super().__init__(str(self.message))


class Invalid(HubError):
    code = "invalid"
    status = 400


class Unauthenticated(HubError):
    code = "unauthenticated"
    status = 401
    default_message = _("Please log in, or send a valid API token.")


class Forbidden(HubError):
    code = "forbidden"
    status = 403
    default_message = _("You do not have permission to do that.")


class NotFound(HubError):
    code = "not_found"
    status = 404
    default_message = _("Not found, or you do not have access to it.")


class TooLarge(HubError):
    code = "too_large"
    status = 413
    default_message = _("That is too large.")


class RateLimited(HubError):
    code = "rate_limited"
    status = 429
    default_message = _("Too many requests. Please wait a moment and try again.")
