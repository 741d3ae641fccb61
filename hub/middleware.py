"""HTTP middleware of the hub: language choice, and the API's one error shape for 405s."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from hub.i18n import choose_language


class ThaiFirstLocaleMiddleware:
    """Activates the language of hub.i18n.choose_language for each request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = choose_language(
            request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME),
            request.headers.get("Accept-Language"),
            api_client=request.path.startswith("/api/"),
        )
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class ApiMethodNotAllowedMiddleware:
    """django-ninja answers a wrong method with a bare 405; the API promises its error shape."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.path.startswith("/api/")
            and response.get("Content-Type", "").split(";")[0] != "application/json"
        ):
            from hub.api import error_response

            allowed = response.get("Allow", "")
            message = _("This address does not accept %(method)s.") % {"method": request.method}
            response = error_response(request, 405, "method_not_allowed", message)
            if allowed:
                response["Allow"] = allowed
        return response


class ScopedSessionMiddleware:
    """A scoped session (hub.scopes) reaches only the paths it was opened for; the rest is refused
    with 403 and a reason, as a page or, under /api/, the API's error shape."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from hub import scopes

        scope = scopes.scope_of(getattr(request, "session", None))
        if scope is None or scopes.allows_path(scope, request.path):
            return self.get_response(request)
        message = _("This link opens one meeting only: its page, its documents and its chat room.")
        if request.path.startswith("/api/"):
            from hub.api import error_response

            return error_response(request, 403, "forbidden", message)
        from django.shortcuts import render

        context = {"heading": _("Not part of this link"), "explanation": message, "back": scope.home}
        return render(request, "hub/refused.html", context, status=403)
