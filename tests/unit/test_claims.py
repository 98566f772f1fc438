"""What an ID token's claims are trusted for: which grants they match, and when the sign-in began."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from auth.claims import CLOCK_SKEW, grant_principals, issued_at, token_key
from auth.config import is_entra

NOW = datetime(2026, 11, 23, 8, 0)


def _stamp(moment: datetime) -> float:
    return moment.replace(tzinfo=timezone.utc).timestamp()


@pytest.mark.parametrize(("claims", "entra", "emails"), [
    ({"email": "maija@hva.fi", "email_verified": True}, False, ["maija@hva.fi"]),
    ({"email": "maija@hva.fi", "email_verified": "true"}, False, ["maija@hva.fi"]),
    ({"email": "maija@hva.fi", "email_verified": False}, False, []),
    ({"email": "maija@hva.fi"}, False, []),
    ({"email": "maija@hva.fi", "email_verified": "false"}, False, []),
    ({"preferred_username": "maija@hva.fi", "email_verified": True}, False, []),
    ({"email": "Maija.M@HVA.fi", "email_verified": True}, False, ["maija.m@hva.fi"]),
    ({"email": "maija@hva.fi", "upn": "MAIJA@hva.fi", "preferred_username": "m2@hva.fi"}, True,
     ["m2@hva.fi", "maija@hva.fi"]),
])
def test_an_e_mail_matches_grants_only_when_verified_or_set_by_the_entra_tenant(claims, entra, emails):
    exact, found = grant_principals({"sub": "s-1", **claims}, (), demo=False, entra=entra)
    assert exact == ["s-1"] and found == emails


@pytest.mark.parametrize("entra", [False, True])
@pytest.mark.parametrize("claim", ["sub", "preferred_username", "email", "upn"])
def test_a_demo_principal_never_matches_outside_demo_mode(claim, entra):
    claims = {"sub": "s-1", claim: "demo:paakayttaja", "email_verified": True}
    exact, emails = grant_principals(claims, ("demo:paakayttaja", "group-1"), demo=False, entra=entra)
    assert not [p for p in exact + emails if p.startswith("demo:")]
    assert "group-1" in exact


def test_a_demo_principal_matches_in_demo_mode():
    exact, _ = grant_principals({"sub": "demo:tiimi"}, (), demo=True, entra=False)
    assert exact == ["demo:tiimi"]


@pytest.mark.parametrize(("claims", "expected"), [
    ({"iat": _stamp(NOW - timedelta(hours=2))}, NOW - timedelta(hours=2)),
    # auth_time is not the start of this session: a future one used to make the session eternal.
    ({"iat": _stamp(NOW - timedelta(hours=13)), "auth_time": _stamp(NOW + timedelta(days=3650))},
     NOW - timedelta(hours=13)),
    ({"auth_time": _stamp(NOW)}, None),
    ({"iat": _stamp(NOW + timedelta(days=1))}, None),
    ({"iat": _stamp(NOW + CLOCK_SKEW)}, NOW + CLOCK_SKEW),
    ({"iat": "1700000000"}, None),
    ({"iat": True}, None),
    ({"iat": 1e300}, None),
    ({}, None),
])
def test_a_session_is_aged_from_the_iat_of_its_token_and_a_future_one_is_not_believed(claims, expected):
    assert issued_at(claims, NOW) == expected


def test_each_issued_token_has_its_own_key_and_the_same_token_always_the_same():
    token = {"sub": "s-1", "sid": "idp-session", "nonce": "n-1", "iat": 1000, "name": "Maija"}
    assert token_key(token) == token_key(dict(token, name="Maija M."))
    assert token_key(token) != token_key(dict(token, nonce="n-2", iat=2000))
    assert token_key(token) != token_key(dict(token, iat=1001))
    assert "s-1" not in token_key(token) and len(token_key(token)) == 64


@pytest.mark.parametrize(("url", "entra"), [
    ("https://login.microsoftonline.com/tenant-id/v2.0/.well-known/openid-configuration", True),
    ("https://LOGIN.microsoftonline.us/t/v2.0/.well-known/openid-configuration", True),
    ("https://login.microsoftonline.com.evil.example/t/.well-known/openid-configuration", False),
    ("https://127.0.0.1:9/tenant/.well-known/openid-configuration", False),
    ("https://accounts.google.com/.well-known/openid-configuration", False),
])
def test_entra_is_recognised_by_the_host_of_its_metadata_address(url, entra):
    assert is_entra(url) is entra
