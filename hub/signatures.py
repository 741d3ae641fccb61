"""Signed webhooks: `X-KSP-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`
(DESIGN.md §5), shared by the licensing backend's events and the Jitsi deployment's."""

import hashlib
import hmac
import time

from django.utils.translation import gettext as _

from hub.errors import Unauthenticated

MAX_SKEW_SECONDS = 300


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The header a sender puts on `body` (used by the tests and the stand-ins)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(header: str, body: bytes, secret: str, now: float | None = None) -> None:
    """Refuse a missing, malformed, wrong or stale signature (401)."""
    parts = dict(part.strip().split("=", 1) for part in (header or "").split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        raise Unauthenticated(_("The signature is missing or malformed.")) from None
    now = time.time() if now is None else now
    if abs(now - timestamp) > MAX_SKEW_SECONDS:
        raise Unauthenticated(_("The signature is too old or from the future."))
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    # As bytes: compare_digest raises TypeError on a str that is not ASCII, which would be a 500.
    if not hmac.compare_digest(expected.encode(), given.encode()):
        raise Unauthenticated(_("The signature does not match."))
