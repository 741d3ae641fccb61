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
