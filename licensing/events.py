"""The licensing backend's events as the contract describes them (DESIGN.md §5, docs/licensing-integration.md):
read and checked here, so a malformed one is refused with what is wrong, before it is stored.

A value that looks like a full 13-digit national id is never kept: it is masked wherever it
appears in the event (PDPA), and the answer says where.
"""

import datetime as dt
import json
import re
from dataclasses import dataclass

from django.utils.dateparse import parse_datetime

from licensing.models import LicenseType, RequestType, Status

TYPES = ("case.opened", "case.updated", "case.review_requested", "case.decided", "case.withdrawn")
CASE_NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9\-]{2,38}$")
EVENT_ID = re.compile(r"^[A-Za-z0-9_\-.:]{1,100}$")
# Thirteen digits, run together or grouped as on the card (1-2345-67890-12-3), not inside a longer number.
FULL_ID = re.compile(r"(?<![\dxX])\d[\s\-]?\d{4}[\s\-]?\d{5}[\s\-]?\d{2}[\s\-]?\d(?!\d)")
MASKED_ID = re.compile(r"^[xX*]-?[xX*]{4}-?[xX*]{5}-?\d{2}-?\d$")
DECIDING = {"case.decided": (Status.APPROVED, Status.REJECTED), "case.withdrawn": (Status.WITHDRAWN,)}


class Malformed(ValueError):
    """The event does not follow the contract; `field` says where."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field}: {problem}")
        self.field, self.problem = field, problem


@dataclass(frozen=True)
class CaseData:
    number: str
    license_type: str
    request_type: str
    status: str
    applicant_name: str
    applicant_id_masked: str
    province: str
    submitted_at: dt.datetime | None
    summary: str
    url: str


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    occurred_at: dt.datetime
    number: str
    case: CaseData | None  # None: a thin event, naming its case only

    def with_case(self, case: CaseData) -> "Event":
        if case.number != self.number:
            raise Malformed("case.number", f"the backend answered with {case.number} for {self.number}")
        return Event(self.id, self.type, self.occurred_at, self.number, case)


def mask_id(text: str) -> str:
    """A full national id shown as the card's last three digits only: x-xxxx-xxxxx-12-3."""

    def masked(match: re.Match) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        return f"x-xxxx-xxxxx-{digits[10:12]}-{digits[12]}"

    return FULL_ID.sub(masked, text)


def masked_copy(value, path: str = "", found: list[str] | None = None):
    """The parsed event with every full id masked; `found` collects where there were any."""
    if isinstance(value, dict):
        return {key: masked_copy(item, f"{path}.{key}" if path else str(key), found) for key, item in value.items()}
    if isinstance(value, list):
        return [masked_copy(item, f"{path}[{n}]", found) for n, item in enumerate(value)]
    if isinstance(value, int) and not isinstance(value, bool) and len(str(abs(value))) == 13:
        value = str(value)
    if isinstance(value, str) and FULL_ID.search(value):
        if found is not None:
            found.append(path)
        return mask_id(value)
    return value


def _text(data: dict, key: str, path: str, *, required: bool = True, limit: int = 500) -> str:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise Malformed(f"{path}{key}", "required")
        return ""
    if not isinstance(value, str):
        raise Malformed(f"{path}{key}", "must be a string")
    if len(value) > limit:
        raise Malformed(f"{path}{key}", f"at most {limit} characters")
    return value.strip()


def _time(data: dict, key: str, path: str, *, required: bool = True) -> dt.datetime | None:
    text = _text(data, key, path, required=required, limit=40)
    if not text:
        return None
    try:
        moment = parse_datetime(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise Malformed(f"{path}{key}", "an ISO 8601 time with its offset, e.g. 2026-11-23T09:15:00+07:00")
    return moment


def _choice(data: dict, key: str, path: str, choices) -> str:
    value = _text(data, key, path, limit=40)
    if value not in choices.values:
        raise Malformed(f"{path}{key}", "one of " + ", ".join(choices.values))
    return value


def parse(body: bytes) -> tuple[Event, dict, list[str]]:
    """The event in `body`, checked against the contract; its parsed JSON with any full national
    id masked; and where those ids were."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise Malformed("body", "not JSON") from None
    if not isinstance(data, dict):
        raise Malformed("body", "a JSON object")
    masked: list[str] = []
    data = masked_copy(data, found=masked)
    event_id = _text(data, "id", "", limit=100)
    if not EVENT_ID.match(event_id):
        raise Malformed("id", "letters, digits and _-.: only")
    kind = _text(data, "type", "", limit=40)
    if kind not in TYPES:
        raise Malformed("type", "one of " + ", ".join(TYPES))
    occurred_at = _time(data, "occurred_at", "")
    case = data.get("case")
    if not isinstance(case, dict):
        raise Malformed("case", "required, an object")
    number = _text(case, "number", "case.", limit=40)
    if not CASE_NUMBER.match(number):
        raise Malformed("case.number", "upper-case letters, digits and dashes, e.g. KSP-69-000123")
    # A thin event names its case only: the hub reads the case from the backend's API.
    case_data = None if set(case) == {"number"} else read_case(case, kind)
    event = Event(id=event_id, type=kind, occurred_at=occurred_at, number=number, case=case_data)
    return event, data, masked


def read_case(case: dict, kind: str, path: str = "case.") -> CaseData:
    """A case as the contract describes it (in an event, or from GET /cases/{number})."""
    if not isinstance(case, dict):
        raise Malformed(path.rstrip("."), "an object")
    case = masked_copy(case)
    number = _text(case, "number", path, limit=40)
    if not CASE_NUMBER.match(number):
        raise Malformed(f"{path}number", "upper-case letters, digits and dashes, e.g. KSP-69-000123")
    status = _choice(case, "status", path, Status)
    if kind in DECIDING and status not in DECIDING[kind]:
        raise Malformed(f"{path}status", f"{kind} needs " + " or ".join(DECIDING[kind]))
    applicant = case.get("applicant") or {}
    if not isinstance(applicant, dict):
        raise Malformed(f"{path}applicant", "an object")
    id_masked = _text(applicant, "id_masked", f"{path}applicant.", required=False, limit=32)
    if id_masked and not MASKED_ID.match(id_masked):
        raise Malformed(f"{path}applicant.id_masked", "masked as x-xxxx-xxxxx-12-3")
    url = _text(case, "url", path, required=False, limit=500)
    if url and not url.lower().startswith(("https://", "http://")):
        raise Malformed(f"{path}url", "an http or https address")
    return CaseData(
        number=number,
        license_type=_choice(case, "license_type", path, LicenseType),
        request_type=_choice(case, "request_type", path, RequestType),
        status=status,
        applicant_name=_text(applicant, "name", f"{path}applicant.", required=False, limit=200),
        applicant_id_masked=id_masked,
        province=_text(case, "province", path, required=False, limit=100),
        submitted_at=_time(case, "submitted_at", path, required=False),
        summary=_text(case, "summary", path, required=False, limit=5000),
        url=url,
    )
