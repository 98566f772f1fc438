"""Real sign-in for the e2e tests: a local OpenID Connect provider and Vartti served without demo mode.

The provider is PyPI's oidc-provider-mock (0.3.4, the newest for Python 3.11) in a thread on
127.0.0.1. Its authorize page has a form where the tester types a user's `sub`; the claims of that
user (e-mail, name, Entra-style `groups`) are set beforehand with its `PUT /users/<sub>`. The client
is registered with the app's exact redirect_uri, so a wrong redirect_uri fails the sign-in as Entra
would.

The app server is a second `streamlit run app.py` with its own SQLite database (the demo county plus
the grants of GRANTS) and a secrets.toml whose `[auth]` section points at the provider. Authlib
refuses plain http unless AUTHLIB_INSECURE_TRANSPORT is set: it is set for that server only.
"""
from __future__ import annotations

import json
import os
import re
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import oidc_provider_mock
import werkzeug.serving
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect
from sqlmodel import select

from data.db import make_engine, session_scope
from data.models import AuditEvent
from data.access import add_grant, viewer_for
from data.kiosk import create_kiosk_link
from tests.e2e.conftest import (
    PAGE_TIMEOUT_MS,
    VIEWPORT,
    DemoServer,
    _free_port,
    run_cli,
    serving_app,
    wait_for_app,
)

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
SIGN_IN_BUTTON = "Kirjaudu sisään (Microsoft)"
PROVIDER_SECONDS = 5

# Entra group object ids (and one e-mail) and what they are given, as an admin would with `grant`.
GRANTS = (
    ("g-team-kesk", "team", "PTH-TA-KESK"),
    ("g-sup-kesk", "supervisor", "PTH-TA-KESK"),
    ("g-dir-pth", "director", "PTH"),
    ("g-admin", "admin", "JSHVA"),
    ("sini.sahkoposti@hyvinvointialue.fi", "team", "ESH-PAIV-KS"),
)


@dataclass(frozen=True)
class OidcProvider:
    """oidc-provider-mock answering on http://127.0.0.1:PORT."""

    base_url: str

    @property
    def metadata_url(self) -> str:
        return f"{self.base_url}/.well-known/openid-configuration"

    def _call(self, method: str, path: str, body: object) -> bytes:
        request = urllib.request.Request(self.base_url + path, method=method, data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=PROVIDER_SECONDS) as answer:
            return answer.read()

    def set_user(self, sub: str, claims: dict[str, object]) -> None:
        """Create or replace a user; the claims go into the ID token (email and name by scope)."""
        self._call("PUT", f"/users/{sub}", claims)

    def register_client(self, redirect_uri: str) -> tuple[str, str]:
        """Register the app (RFC 7591) with its one redirect_uri; returns (client_id, client_secret)."""
        answer = json.loads(self._call("POST", "/oauth2/clients", {
            "redirect_uris": [redirect_uri], "token_endpoint_auth_method": "client_secret_basic"}))
        return answer["client_id"], answer["client_secret"]


@contextmanager
def running_provider() -> Iterator[OidcProvider]:
    """The provider in a thread on a free port of 127.0.0.1; only registered clients may sign in."""
    # oidc_provider_mock.run_server_in_thread binds "localhost", which may be ::1: bind 127.0.0.1 here.
    app = oidc_provider_mock.app(require_client_registration=True, require_nonce=True)
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield OidcProvider(base_url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(PROVIDER_SECONDS)


@dataclass(frozen=True)
class SignInServer:
    """Vartti served with Entra-style sign-in against the local provider (no demo mode)."""

    app: DemoServer
    provider: OidcProvider
    database_url: str

    @property
    def base_url(self) -> str:
        return self.app.base_url

    def url(self, path: str) -> str:
        return self.app.url(path)

    def kiosk_link(self, unit: str, *, label: str, as_principal: str = "g-sup-kesk") -> str:
        """A kiosk token issued directly in the database by whoever holds `as_principal`'s grants."""
        engine = make_engine(self.database_url)
        try:
            with session_scope(engine, write=True) as session:
                issuer = viewer_for(session, subject="e2e-setup", name="e2e", principals=[as_principal])
                return create_kiosk_link(session, viewer=issuer, unit_code=unit, label=label,
                                         now=datetime.now(timezone.utc).replace(tzinfo=None), valid_days=1)
        finally:
            engine.dispose()

    def audit(self, action: str, *, actor: str | None = None) -> list[AuditEvent]:
        """The audit rows of an action (by one actor), oldest first, read from the server's database."""
        engine = make_engine(self.database_url)
        try:
            with session_scope(engine) as session:
                query = select(AuditEvent).where(AuditEvent.action == action)
                if actor is not None:
                    query = query.where(AuditEvent.actor == actor)
                return list(session.exec(query.order_by(AuditEvent.id)).all())
        finally:
            engine.dispose()


def give_grants(database_url: str, grants=GRANTS) -> None:
    """What `python -m data grant` would do: grants by no one in the app (actor None = the CLI)."""
    engine = make_engine(database_url)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    try:
        with session_scope(engine, write=True) as session:
            for principal, role, unit in grants:
                add_grant(session, actor=None, principal=principal, role=role, unit_code=unit, now=now)
    finally:
        engine.dispose()


def _toml_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string


def write_secrets(path: Path, *, redirect_uri: str, client_id: str, client_secret: str,
                  metadata_url: str) -> Path:
    auth = {
        "redirect_uri": redirect_uri,
        "cookie_secret": "e2e-cookie-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
        "client_id": client_id,
        "client_secret": client_secret,
        "server_metadata_url": metadata_url,
    }
    path.write_text("[auth]\n" + "".join(f"{key} = {_toml_string(value)}\n" for key, value in auth.items()),
                    encoding="utf-8")
    return path


@contextmanager
def running_sign_in_server(workdir: Path, provider: OidcProvider) -> Iterator[SignInServer]:
    """Migrate and seed a fresh database, give GRANTS, register the app and serve it on 127.0.0.1."""
    database_url = f"sqlite:///{workdir / 'vartti.db'}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("VARTTI_")}
    env.update({
        "VARTTI_DATABASE_URL": database_url,
        "PYTHONUNBUFFERED": "1",
        # Test only: the local provider speaks plain http, which Authlib otherwise refuses.
        "AUTHLIB_INSECURE_TRANSPORT": "1",
    })
    run_cli(env, "migrate")
    run_cli(env, "seed-demo")
    give_grants(database_url)

    port = _free_port()
    # The browser must use the very origin of redirect_uri: Streamlit only accepts the identity
    # cookie on a websocket whose origin matches it (127.0.0.1 and localhost are different origins).
    base_url = f"http://127.0.0.1:{port}"
    redirect_uri = f"{base_url}/oauth2callback"
    client_id, client_secret = provider.register_client(redirect_uri)
    secrets = write_secrets(workdir / "secrets.toml", redirect_uri=redirect_uri, client_id=client_id,
                            client_secret=client_secret, metadata_url=provider.metadata_url)
    # Only this secrets file: never a developer's .streamlit/secrets.toml.
    with serving_app(env, port=port, log_path=workdir / "streamlit.log",
                     extra_args=("--secrets.files", str(secrets))) as app:
        yield SignInServer(app=app, provider=provider, database_url=database_url)


def _only_local(route: Route) -> None:
    # No network beyond 127.0.0.1: the provider's pages link a stylesheet from a CDN.
    if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
        route.continue_()
    else:
        route.abort()


def new_context(browser: Browser) -> BrowserContext:
    """A fresh browser (no cookies) with the wall screen's viewport, in Finnish and Helsinki time."""
    context = browser.new_context(viewport=VIEWPORT, locale="fi-FI", timezone_id="Europe/Helsinki")
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    context.route("**/*", _only_local)
    return context


@dataclass(frozen=True)
class Person:
    """Someone in the provider's directory: their `sub` and the claims of their ID token."""

    sub: str
    name: str
    email: str
    groups: tuple[str, ...] = ()

    @property
    def claims(self) -> dict[str, object]:
        return {"email": self.email, "email_verified": True, "name": self.name, "groups": list(self.groups)}


def sign_in(page: Page, server: SignInServer, person: Person, *, path: str = "/signin",
            landing_text: str | None = None) -> None:
    """Open `path` signed out, press the Microsoft button, type the person's sub on the provider's
    page and come back signed in (Streamlit returns to the app's home, where `landing_text` shows)."""
    server.provider.set_user(person.sub, person.claims)
    server.app.require_alive()
    page.goto(server.url(path))
    wait_for_app(page, SIGN_IN_BUTTON)
    page.get_by_role("button", name=SIGN_IN_BUTTON).click()
    page.wait_for_url(re.compile("^" + re.escape(server.provider.base_url) + r"/oauth2/authorize\?"))
    page.locator('input[name="sub"]').fill(person.sub)
    page.get_by_role("button", name="Authorize", exact=True).click()
    page.wait_for_url(re.compile("^" + re.escape(server.base_url) + r"/"))
    wait_for_app(page, landing_text)
    expect(page.get_by_role("button", name=SIGN_IN_BUTTON)).to_have_count(0)
