"""What an ID token's claims may be trusted for: which grant principals they match, when they were issued.

Pure: no streamlit, no database, no clock (`now` is an argument).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

DEMO_PREFIX = "demo:"
# A token "issued" later than this ahead of our clock is refused rather than trusted for longer.
CLOCK_SKEW = timedelta(minutes=5)
# The claims that tell one issued token from another: a new sign-in gets a new nonce and iat.
_TOKEN_IDENTITY = ("iss", "sub", "sid", "nonce", "jti", "uti", "iat")


def _is_true(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _text(claims: Mapping[str, object], key: str) -> str:
    value = claims.get(key)
    return value.strip() if isinstance(value, str) else ""


def trusted_emails(claims: Mapping[str, object], *, entra: bool) -> list[str]:
    """The e-mail-like names a grant may match, lower-cased: verified e-mail only, or Entra's tenant-set email/upn."""
    if entra:
        # In Entra ID the tenant sets `email`, `upn` and `preferred_username` (the UPN); a user cannot.
        found = [_text(claims, key) for key in ("email", "upn", "preferred_username")]
    else:
        # Elsewhere `preferred_username` is the user's own choice, and `email` counts only when verified.
        found = [_text(claims, "email")] if _is_true(claims.get("email_verified")) else []
    return sorted({value.lower() for value in found if value})


def grant_principals(claims: Mapping[str, object], groups: tuple[str, ...], *, demo: bool,
                     entra: bool) -> tuple[list[str], list[str]]:
    """(exact principals: sub and groups; e-mails to match case-insensitively); never a demo principal outside demo mode."""
    exact = sorted({value for value in (_text(claims, "sub"), *groups) if value})
    emails = trusted_emails(claims, entra=entra)
    if not demo:
        # A database once seeded with the demo county keeps its demo grants; a token must not reach them.
        exact = [value for value in exact if not value.lower().startswith(DEMO_PREFIX)]
        emails = [value for value in emails if not value.startswith(DEMO_PREFIX)]
    return exact, emails


def issued_at(claims: Mapping[str, object], now: datetime) -> datetime | None:
    """When the token of this sign-in was issued (`iat`, naive UTC); None when missing or in the future.

    Not `auth_time`: that is when the person last authenticated at the provider, which a provider may
    set as it likes (a future one made a session eternal); `iat` is stamped on the token of this sign-in.
    """
    stamp = claims.get("iat")
    if isinstance(stamp, bool) or not isinstance(stamp, (int, float)):
        return None
    try:
        issued = datetime.fromtimestamp(stamp, tz=timezone.utc).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return None
    return None if issued > now + CLOCK_SKEW else issued


def token_key(claims: Mapping[str, object]) -> str:
    """A hash that names this one issued token (so its sign-in can be ended); the claims themselves are not kept."""
    identity = {key: claims.get(key) for key in _TOKEN_IDENTITY if claims.get(key) is not None}
    text = json.dumps(identity, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
