"""What an id, a seq, a page size or a piece of text may be, checked once where a request comes in."""

from typing import Annotated

from django.core.exceptions import BadRequest
from pydantic import Field

# The largest id or seq a database column holds (PostgreSQL bigint; SQLite INTEGER). A larger
# number reaching a query makes the driver raise, so it is refused before it gets there.
MAX_ID = 2**63 - 1
# PostgreSQL text cannot hold NUL, so no text the API stores or searches for may contain it.
NO_NUL = r"^[^\x00]*$"

_INT64 = {"format": "int64"}  # for clients generated from the OpenAPI document
Id = Annotated[int, Field(ge=1, le=MAX_ID, json_schema_extra=_INT64)]
Seq = Annotated[int, Field(ge=0, le=MAX_ID, json_schema_extra=_INT64)]
Offset = Annotated[int, Field(ge=0, le=MAX_ID, json_schema_extra=_INT64)]


def page_size(maximum: int):
    """A `limit` of 1 to `maximum` items."""
    return Annotated[int, Field(ge=1, le=maximum)]


def text(*, max_length: int | None = None, min_length: int | None = None, choices: list[str] | None = None):
    """Text without NUL, refused here. Its lengths and choices are stated in the OpenAPI document
    for clients built from it, and checked by the service, which says what is wrong in the
    person's language (and the socket gets the same words)."""
    documented = {"maxLength": max_length, "minLength": min_length, "enum": choices}
    return Annotated[
        str, Field(pattern=NO_NUL, json_schema_extra={k: v for k, v in documented.items() if v is not None})
    ]


def query_id(request, name: str) -> int | None:
    """An optional id in a page's query string (?room=7): None when absent, a 400 page when it is
    not an id."""
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    # Twenty digits or more are past MAX_ID; Python would not even parse some 5,000 of them.
    if not (value.isascii() and value.isdigit() and len(value) < 20) or not 0 < int(value) <= MAX_ID:
        raise BadRequest(f"?{name}= is not an id")  # the 400 page says the request was not valid
    return int(value)


def query_text(request, name: str) -> str:
    """Text in a page's query string (?q=...), stripped; a 400 page when it holds a NUL, which no
    browser sends and PostgreSQL cannot compare."""
    value = request.GET.get(name, "").strip()
    if "\x00" in value:
        raise BadRequest(f"?{name}= holds a NUL character")
    return value
