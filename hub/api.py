"""/api/v1: the django-ninja API root, its authentication and its one error shape (DESIGN.md §4)."""

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import SessionAuth
from ninja.security.http import HttpBearer

from hub import selectors
from hub.errors import HubError
from hub.tokens import user_for_token


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class BrowserSessionAuth(SessionAuth):
    """The browser's session, unless the request also carries a token: a bad token is refused
    rather than quietly ignored, as the socket does too."""

    def authenticate(self, request, key):
        if "Authorization" in request.headers:
            return None
        return super().authenticate(request, key)


api = NinjaAPI(
    title="Khurusapha ONE API",
    version="1",
    description="The hub's API for the browser, the mobile app and bots. Errors: "
    '{"error": {"code": "...", "message": "...", "fields": {...}}}.',
    auth=[BearerAuth(), BrowserSessionAuth()],
    urls_namespace="api",
)

_CODES = {
    400: "invalid",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    422: "invalid",
    429: "rate_limited",
}


def error_response(request, status: int, code: str, message: str, fields: dict | None = None):
    return api.create_response(
        request, {"error": {"code": code, "message": str(message), "fields": fields or {}}}, status=status
    )


@api.exception_handler(HubError)
def on_hub_error(request, exc: HubError):
    return error_response(request, exc.status, exc.code, exc.message, {k: str(v) for k, v in exc.fields.items()})


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    fields = {}
    for error in exc.errors:
        # loc is ("body", "<argument>", "name", ...) or ("query", "name"): the field is what the
        # client named, which may itself be "body" or "query".
        location = [str(part) for part in error.get("loc", ())]
        location = location[2:] if location[:1] == ["body"] else location[1:]
        fields[".".join(location) or "request"] = error.get("msg", "")
    return error_response(request, 422, "invalid", _("Some fields are not valid."), fields)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc):
    return error_response(request, 401, "unauthenticated", _("Please log in, or send a valid API token."))


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error_response(request, 404, "not_found", _("Not found, or you do not have access to it."))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return error_response(request, exc.status_code, _CODES.get(exc.status_code, "error"), str(exc))


class MeOut(Schema):
    id: int
    username: str
    name: str
    name_th: str
    name_en: str
    kind: str
    person: int | None


@api.get("/me", response=MeOut, summary="The signed-in user", tags=["hub"])
def me(request):
    return selectors.user_summary(request.auth)


def _mount_app_routers() -> None:
    # Each app owns its endpoints; the hub only mounts them under /api/v1.
    from chat.api import router as chat_router
    from dashboard.api import router as dashboard_router
    from directory.api import router as directory_router
    from licensing.api import router as licensing_router
    from licensing.committee_api import router as committee_router
    from licensing.routing_api import router as routing_router
    from meetings.api import router as meetings_router

    api.add_router("/", directory_router)
    api.add_router("/", chat_router)
    api.add_router("/", meetings_router)
    api.add_router("/", committee_router)
    api.add_router("/", licensing_router)
    api.add_router("/", routing_router)
    api.add_router("/", dashboard_router)


_mount_app_routers()
