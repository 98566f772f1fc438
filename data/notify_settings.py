"""Settings of `python -m data notify`, read from the environment: the sender mailbox, the Graph app, the link base."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from auth.config import PLACEHOLDERS
from auth.graph import GraphSettings
from auth.mail import MailSettings
from board.notices import DEFAULT_DIGEST_HOUR, InvalidAddress, handler_address
from data.settings import Settings, SettingsError

ENTRA_LOGIN = "https://login.microsoftonline.com"
SECRET_KEYS = ("VARTTI_GRAPH_CLIENT_ID", "VARTTI_GRAPH_CLIENT_SECRET")
MAIL_KEYS = ("VARTTI_NOTIFY_SENDER", "VARTTI_GRAPH_TENANT", "VARTTI_GRAPH_CLIENT_ID", "VARTTI_GRAPH_CLIENT_SECRET")


@dataclass(frozen=True)
class NotifySettings:
    public_url: str
    digest_hour: int = DEFAULT_DIGEST_HOUR
    mail: MailSettings | None = None  # None: a dry run without mail settings


def _value(values: Mapping[str, str], name: str) -> str:
    return str(values.get(name, "") or "").strip()


def _authority(tenant: str) -> str:
    # A tenant id or domain means Entra's public cloud; a full https:// address is any OIDC issuer.
    if tenant.startswith("https://"):
        return tenant.rstrip("/").removesuffix("/.well-known/openid-configuration")
    return f"{ENTRA_LOGIN}/{tenant}/v2.0"


def _mail(values: Mapping[str, str], settings: Settings) -> MailSettings:
    missing = [name for name in MAIL_KEYS if not _value(values, name)]
    # Only the app's own id and secret are judged for placeholders: "example" may be a real test domain.
    missing += [name for name in SECRET_KEYS
                if _value(values, name) and any(mark in _value(values, name).lower() for mark in PLACEHOLDERS)]
    if missing:
        raise SettingsError(f"notify needs real values for: {', '.join(missing)}")
    try:
        sender = handler_address(_value(values, "VARTTI_NOTIFY_SENDER"))
    except InvalidAddress:
        raise SettingsError("VARTTI_NOTIFY_SENDER must be one e-mail address (the sender mailbox)") from None
    graph = GraphSettings(authority=_authority(_value(values, "VARTTI_GRAPH_TENANT")),
                          client_id=_value(values, "VARTTI_GRAPH_CLIENT_ID"),
                          client_secret=_value(values, "VARTTI_GRAPH_CLIENT_SECRET"),
                          graph_url=settings.graph_url, ca_bundle=settings.graph_ca_bundle)
    return MailSettings(graph=graph, sender=sender)


def _digest_hour(values: Mapping[str, str]) -> int:
    raw = _value(values, "VARTTI_DIGEST_HOUR")
    if not raw:
        return DEFAULT_DIGEST_HOUR
    if not raw.isdigit() or not 0 <= int(raw) <= 23:
        raise SettingsError(f"VARTTI_DIGEST_HOUR must be an hour 0-23, got {raw!r}")
    return int(raw)


def load_notify_settings(values: Mapping[str, str], settings: Settings, *, sending: bool) -> NotifySettings:
    """What notify needs; sending needs the sender, the Graph app and VARTTI_PUBLIC_URL, a dry run none of them."""
    public_url = _value(values, "VARTTI_PUBLIC_URL").rstrip("/")
    if public_url and not public_url.startswith(("https://", "http://")):
        raise SettingsError(f"VARTTI_PUBLIC_URL must be the app's https:// address, got {public_url!r}")
    if sending and not public_url:
        raise SettingsError("notify needs VARTTI_PUBLIC_URL, the app's address for the link to the inbox")
    return NotifySettings(public_url=public_url, digest_hour=_digest_hour(values),
                          mail=_mail(values, settings) if sending else None)
