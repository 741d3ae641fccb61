"""Issuing and checking personal API tokens."""

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from hub.models import ApiToken

TOKEN_PREFIX = "ksp_"  # noqa: S105 - a marker, not a secret
# Writing last_used_at on every request would make each API call a write; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: AbstractBaseUser, name: str) -> str:
    """Create a token for `user` and return it; it cannot be read back later."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name[:100], digest=_digest(token), prefix=token[:12])
    return token


def user_for_token(token: str) -> AbstractBaseUser | None:
    """The active user a bearer token belongs to, or None for an unknown, revoked or malformed one."""
    found = token_for(token)
    return found.user if found is not None else None


def token_for(token: str) -> ApiToken | None:
    """The live token (with its active user) that a bearer token is, or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    found = (
        # The person too (the directory's, if any): a socket's hello names them (hub.selectors).
        ApiToken.objects.select_related("user", "user__person")
        .filter(digest=_digest(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if found is None:
        return None
    now = timezone.now()
    if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found


def revoke_token(user: AbstractBaseUser, token_id: int) -> ApiToken:
    """The person (or an admin, passing the token's owner) revokes a token: it stops working at
    once over HTTP, and the sockets opened with it close (hub.signals)."""
    token = ApiToken.objects.get(pk=token_id, user=user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def bearer_from_header(value: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header value, if that is what it is."""
    if not value:
        return None
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
