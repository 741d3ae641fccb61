"""Which language to answer in: the person's own choice first, otherwise Thai."""

from django.conf import settings
from django.utils.translation.trans_real import parse_accept_lang_header


def choose_language(chosen: str | None, accept_language: str | None, api_client: bool) -> str:
    """Thai first, whatever language the browser's operating system advertises (most office PCs
    say en-US). `chosen` is the ksp_language cookie; API clients (mobile app, bots) may also ask
    for a language with Accept-Language.
    """
    supported = {code for code, _name in settings.LANGUAGES}
    if chosen in supported:
        return chosen
    if api_client and accept_language:
        for tag, _quality in parse_accept_lang_header(accept_language):
            primary = tag.split("-")[0].lower()
            if primary in supported:
                return primary
    return settings.LANGUAGE_CODE
