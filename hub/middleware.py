"""Language choice: the person's own choice (cookie) first, otherwise Thai."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ThaiFirstLocaleMiddleware:
    """Thai first, whatever language the browser's operating system happens to advertise.

    Django's LocaleMiddleware would follow Accept-Language, which on most office PCs says en-US.
    API clients (mobile app, bots) may still ask for English with Accept-Language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = self.language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response

    @staticmethod
    def language_for(request) -> str:
        supported = {code for code, _ in settings.LANGUAGES}
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen in supported:
            return chosen
        if request.path.startswith("/api/"):
            accepted = translation.get_language_from_request(request)
            if accepted in supported:
                return accepted
        return settings.LANGUAGE_CODE
