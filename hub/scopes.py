"""Sessions scoped to a few pages: an app that opens a session without a password (an expert's
invitation link) names the paths and chat rooms it may reach; everything else is refused."""

from dataclasses import dataclass

SESSION_KEY = "hub_scope"

# What every scoped session may still reach: its pages' styles and scripts, logging out, the language.
ALWAYS = ("/static/", "/logout/", "/language/")


@dataclass(frozen=True)
class Scope:
    paths: tuple[str, ...]  # path prefixes, each ending in "/"
    rooms: frozenset[int]  # the chat rooms its pages and sockets may use
    home: str  # where a refused page sends the person back to
    # Where the pages send the person when the session ends under them (their socket closes with
    # 4401): a page that needs no log-in, since such a person has no password; "" for the log-in page.
    ended: str = ""


def restrict(session, *, paths: list[str], rooms: list[int], home: str, ended: str = "") -> None:
    session[SESSION_KEY] = {"paths": list(paths), "rooms": list(rooms), "home": home, "ended": ended}


def scope_of(session) -> Scope | None:
    raw = session.get(SESSION_KEY) if session is not None else None
    if not isinstance(raw, dict):
        return None
    return Scope(
        paths=tuple(raw.get("paths", ())),
        rooms=frozenset(raw.get("rooms", ())),
        home=raw.get("home", "/"),
        ended=raw.get("ended", ""),
    )


def allows_path(scope: Scope, path: str) -> bool:
    return path.startswith(ALWAYS) or any(path.startswith(prefix) for prefix in scope.paths)


def rooms_allowed(request) -> frozenset[int] | None:
    """The chat rooms a request's session may use; None when it is not scoped (all of its rooms)."""
    scope = scope_of(getattr(request, "session", None))
    return None if scope is None else scope.rooms
