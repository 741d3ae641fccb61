"""Each person reads times in their own zone (experts abroad), Asia/Bangkok otherwise."""

import zoneinfo

from django.utils import timezone

SESSION_KEY = "ksp_timezone"


class PersonalTimeZoneMiddleware:
    """Activates the signed-in person's chosen zone for the request. The choice is kept in the
    session (one query per session, not per request); choosing again updates it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = zone_of_request(request)
        if name:
            timezone.activate(zoneinfo.ZoneInfo(name))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def zone_of_request(request) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(request, "session"):
        return ""
    if request.session.session_key is None:  # an API token, not a browser: times carry their offsets
        return ""
    if SESSION_KEY not in request.session:
        from meetings.models import ViewerTimeZone

        choice = ViewerTimeZone.objects.filter(person__user=user).values_list("timezone", flat=True).first()
        request.session[SESSION_KEY] = choice or ""
    return request.session[SESSION_KEY]
