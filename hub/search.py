"""What every search box accepts: the directory's and chat's queries are checked alike."""

from django.utils.translation import gettext as _

from hub.errors import Invalid

MAX_QUERY_CHARS = 100


def clean_query(query: str | None) -> str:
    """The query with its spaces folded; one of more than MAX_QUERY_CHARS is refused clearly."""
    query = " ".join((query or "").split())
    if len(query) > MAX_QUERY_CHARS:
        raise Invalid(
            _("Search for at most %(limit)s characters.") % {"limit": MAX_QUERY_CHARS}, fields={"q": _("Too long.")}
        )
    return query
