"""Throttling of log-in attempts per account, per address and per trusted browser (OWASP's device cookie).

Wrong passwords are counted over a sliding window (hub.ratelimit: Redis when configured, else this
process). Past the limit, attempts are refused before the password is even checked, until enough
failures have aged out: a wait, never a lock that needs an administrator. A browser that has logged
in as an account carries a signed cookie naming it; its attempts for that account are counted on
their own, so someone flooding the account from elsewhere cannot keep its owner out of a browser
they have used before.
"""

import hashlib
import logging
import math
import secrets
import unicodedata
from functools import wraps

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from hub import ratelimit
from hub.addresses import network_of

log = logging.getLogger(__name__)

DEVICE_COOKIE = "ksp_device"
DEVICE_COOKIE_DAYS = 365
_SALT = "hub.login_throttle.device"
_DEVICE_ACCOUNTS = 5  # accounts one browser is trusted for (a shared office PC)


class Attempt:
    """One log-in attempt: whom it is for, where it comes from, and the counts it falls under."""

    def __init__(self, request, username: str):
        self.request = request
        self.username = username
        self.address = request.META.get("REMOTE_ADDR") or "unknown"
        self.account = _digest(unicodedata.normalize("NFKC", username).strip().casefold())
        self.device = _trusted_device(request, self.account)

    def _counts(self) -> list[tuple[str, int]]:
        if self.device:
            return [(f"login:device:{self.device}", settings.LOGIN_FAILURES_PER_ACCOUNT)]
        return [
            (f"login:account:{self.account}", settings.LOGIN_FAILURES_PER_ACCOUNT),
            (f"login:address:{network_of(self.address)}", settings.LOGIN_FAILURES_PER_ADDRESS),
        ]

    def wait_seconds(self) -> int:
        window = settings.LOGIN_FAILURE_WINDOW_SECONDS
        return math.ceil(max(ratelimit.wait_seconds(key, limit, window) for key, limit in self._counts()))

    def failed(self) -> None:
        for key, _limit in self._counts():
            ratelimit.record(key, settings.LOGIN_FAILURE_WINDOW_SECONDS)


class ThrottledLogin:
    """Mixed into an AuthenticationForm: refuses while throttled, and counts each wrong password."""

    def clean(self):
        attempt = Attempt(self.request, self.cleaned_data.get("username") or "")
        wait = attempt.wait_seconds()
        if wait:
            # The username as typed (repr: it may hold anything), never the password.
            log.warning(
                "log-in refused: too many failures for account %r from %s (trusted browser: %s); %s s to wait",
                attempt.username,
                attempt.address,
                "yes" if attempt.device else "no",
                wait,
            )
            self.request.login_refused_for = wait
            minutes = math.ceil(wait / 60)
            message = ngettext(
                "Too many failed log-ins. Please wait %(minutes)s minute and try again.",
                "Too many failed log-ins. Please wait %(minutes)s minutes and try again.",
                minutes,
            ) % {"minutes": minutes}
            raise ValidationError(message, code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError:
            # A right password refused for another reason (a suspended account, not staff) is no guess.
            if self.user_cache is None:
                attempt.failed()
            raise
        if self.user_cache is not None:
            self.request.login_trusted_account = attempt.account
        return cleaned


def protect(view):
    """Wraps a log-in view whose form mixes in ThrottledLogin: 429 on refusal, the device cookie on success."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        wait = getattr(request, "login_refused_for", 0)
        if wait:
            response.status_code = 429
            response["Retry-After"] = str(wait)
        account = getattr(request, "login_trusted_account", None)
        if account is not None and 300 <= response.status_code < 400:
            _trust_browser(request, response, account)
        return response

    return wrapped


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]




def _devices(request) -> list[list[str]]:
    """[[account digest, device id]] from the browser's signed cookie; [] if absent, forged or old."""
    value = request.COOKIES.get(DEVICE_COOKIE)
    if not value:
        return []
    try:
        devices = signing.loads(value, salt=_SALT, max_age=DEVICE_COOKIE_DAYS * 86400)
    except signing.BadSignature:
        return []
    return [pair for pair in devices if isinstance(pair, list) and len(pair) == 2] if isinstance(devices, list) else []


def _trusted_device(request, account: str) -> str | None:
    return next((device for owner, device in _devices(request) if owner == account), None)


def _trust_browser(request, response, account: str) -> None:
    others = [pair for pair in _devices(request) if pair[0] != account]
    # A fresh id at each log-in: a browser's failures before it proved itself are not carried over.
    devices = [[account, secrets.token_urlsafe(16)], *others][:_DEVICE_ACCOUNTS]
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps(devices, salt=_SALT, compress=True),
        max_age=DEVICE_COOKIE_DAYS * 86400,
        secure=settings.HTTPS,
        httponly=True,
        samesite="Lax",
    )
