"""Sign-in settings from Streamlit's [auth] section: complete and real, or not configured at all."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from auth.graph import GraphSettings

REQUIRED = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
PLACEHOLDERS = ("change-me", "changeme", "xxx", "your-", "<", "example")
WELL_KNOWN = "/.well-known/openid-configuration"
# Microsoft Entra ID's sign-in hosts (public cloud, US government, China): there the tenant, not the user,
# sets the `email`/`upn` claims, so grants may match them without an `email_verified` claim.
ENTRA_HOSTS = ("login.microsoftonline.com", "login.microsoftonline.us", "login.partner.microsoftonline.cn")


class SignInConfigError(ValueError):
    """The [auth] section is there but unusable; the message names the setting, never its value."""


@dataclass(frozen=True)
class SignInConfig:
    configured: bool
    max_age: timedelta
    graph: GraphSettings | None
    entra: bool = False


def is_entra(server_metadata_url: str) -> bool:
    """Whether the provider is Microsoft Entra ID, by the host of its metadata address."""
    return (urlsplit(server_metadata_url).hostname or "").lower() in ENTRA_HOSTS


def _is_placeholder(value: str) -> bool:
    lowered = value.strip().lower()
    return not lowered or any(mark in lowered for mark in PLACEHOLDERS)


def read_sign_in(auth: Mapping[str, object] | None, *, session_hours: int, graph_url: str,
                 graph_ca_bundle: str | None) -> SignInConfig:
    """Entra sign-in is on only when every required [auth] key has a real value."""
    max_age = timedelta(hours=session_hours)
    if not auth:
        return SignInConfig(configured=False, max_age=max_age, graph=None)
    missing = [key for key in REQUIRED if _is_placeholder(str(auth.get(key, "")))]
    if missing:
        raise SignInConfigError(f"[auth] is missing real values for: {', '.join(missing)}")
    if len(str(auth["cookie_secret"])) < 32:
        raise SignInConfigError("[auth] cookie_secret must be at least 32 characters")
    metadata_url = str(auth["server_metadata_url"])
    graph = GraphSettings(
        authority=metadata_url.removesuffix(WELL_KNOWN),
        client_id=str(auth["client_id"]),
        client_secret=str(auth["client_secret"]),
        graph_url=graph_url,
        ca_bundle=graph_ca_bundle,
    )
    return SignInConfig(configured=True, max_age=max_age, graph=graph, entra=is_entra(metadata_url))
