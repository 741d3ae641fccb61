"""What every page's layout needs: the left rail and which entry is current."""

from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from hub import scopes

# The rail, in the order staff use it. An app that opens its pages names its URL here; until then
# the entry leads to an honest "not open yet" page.
SECTIONS = [
    {"slug": "home", "label": _("Home"), "icon": "home", "url": "home"},
    {"slug": "chats", "label": _("Chats"), "icon": "chat", "url": "chat:index"},
    {"slug": "meetings", "label": _("Meetings"), "icon": "calendar", "url": "meetings:mine"},
    {"slug": "cases", "label": _("Cases"), "icon": "folder", "url": "licensing:cases"},
    {"slug": "directory", "label": _("Directory"), "icon": "people", "url": "directory:people"},
    # Shown to managers only (dashboard.access).
    {"slug": "dashboard", "label": _("Dashboard"), "icon": "chart", "url": "dashboard:index"},
]


def _href(item: dict) -> str:
    try:
        return reverse(item["url"]) if item["url"] else reverse("section", args=[item["slug"]])
    except NoReverseMatch:
        return reverse("section", args=[item["slug"]])


def _manages(request) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    from dashboard.access import may_see_dashboard

    return may_see_dashboard(user)


def navigation(request):
    match = getattr(request, "resolver_match", None)
    current = ""
    if match is not None:
        current = match.kwargs.get("slug") or match.url_name or ""
        sections = {
            "directory": "directory",
            "chat": "chats",
            "meetings": "meetings",
            "licensing": "cases",
            "dashboard": "dashboard",
        }
        current = sections.get(match.app_name, current)
    rail = [
        {**item, "href": _href(item), "current": item["slug"] == current, "soon": item["url"] is None}
        for item in SECTIONS
        if item["slug"] != "dashboard" or _manages(request)
    ]
    from directory.selectors import presence_labels, presence_of_user

    context = {"rail": rail, "presence_labels": presence_labels()}
    user = getattr(request, "user", None)
    scope = scopes.scope_of(getattr(request, "session", None))
    if scope is not None:
        # A session opened by a link (hub.scopes): only what it may reach, nothing of the rest.
        chats = [
            {"slug": "chats", "label": _("Chat"), "icon": "chat", "href": f"/chats/{room}/"} for room in scope.rooms
        ]
        home = {"slug": "meetings", "label": _("Meeting"), "icon": "calendar", "href": scope.home}
        context.update(scoped=scope, rail=[{**item, "current": False, "soon": False} for item in [home, *chats]])
        return context
    if user is not None and user.is_authenticated:
        from chat.selectors import unread_for_rail

        # Lazy: only the full page's rail reads it, not the fragments htmx asks for while one types.
        context["chat_unread"] = SimpleLazyObject(lambda: unread_for_rail(user))
        person, status = presence_of_user(user.pk)
        if person is not None:
            context.update(
                my_presence=status,
                my_presence_choice=person.presence_choice or "auto",
                presence_choices=[
                    ("auto", _("Automatic")),
                    ("available", _("Available")),
                    ("busy", _("Busy")),
                    ("away", _("Away")),
                ],
            )
    return context
