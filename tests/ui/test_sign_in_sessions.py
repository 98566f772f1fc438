"""Entra sign-ins through the pages: ended everywhere on sign-out or by an admin, trusted claims only, aged by iat."""
from __future__ import annotations

import time

import pytest
from sqlmodel import select

from data.db import session_scope
from data.models import AuditEvent, SignInSession
from data.access import add_grant
from tests.conftest import app_now, leave_demo
from tests.ui.conftest import APP, RUN_TIMEOUT
from tests.ui.test_access_pages import ENTRA, shown

TOKEN = {"sub": "s-1", "sid": "idp-1", "nonce": "n-1", "name": "Maija", "groups": ["ui:team"]}


@pytest.fixture
def entra(county, monkeypatch):
    leave_demo(monkeypatch)
    return county


def _tab(claims: dict, page: str = "pages/huddle.py", **query):
    """One browser tab carrying the identity cookie of `claims` (AppTest.user is what st.user reads)."""
    from streamlit.testing.v1 import AppTest
    app = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    app.secrets["auth"] = ENTRA
    app.user = {"is_logged_in": True, **claims}
    for key, value in query.items():
        app.query_params[key] = value
    app.switch_page(page)
    return app.run()


def _token(**claims) -> dict:
    return {**TOKEN, "iat": int(time.time()) - 60, **claims}


def _sign_out(app) -> None:
    next(b for b in app.sidebar.button if b.label == "Kirjaudu ulos").click().run()


def test_signing_out_in_one_tab_stops_the_other_tab_at_its_next_rerun(entra):
    token = _token()
    first, second = _tab(token, unit="U1"), _tab(token, unit="U1")
    assert first.metric and second.metric
    _sign_out(first)
    second.run()
    assert "päättynyt" in shown(second) and not second.metric


def test_a_cookie_replayed_after_sign_out_opens_nothing(entra):
    token = _token()
    app = _tab(token, unit="U1")
    _sign_out(app)
    replayed = _tab(token, unit="U1")
    assert "päättynyt" in shown(replayed) and not replayed.metric
    again = _tab(_token(nonce="n-2", iat=int(time.time())), unit="U1")  # a new sign-in is a new token
    assert again.metric


def test_an_admin_ends_all_of_a_persons_sign_ins_on_the_admin_page(entra):
    person = _tab(_token(), unit="U1")
    other_tab = _tab(_token(nonce="n-9"), unit="U1")
    admin = _tab(_token(sub="s-admin", nonce="n-a", name="Pääkäyttäjä", groups=["ui:admin"]), "pages/admin.py")
    in_form = [e for e in (*admin.selectbox, *admin.checkbox, *admin.button) if e.form_id == "end-sessions"]
    which, sure, end = in_form
    which.select("s-1")
    sure.check()
    end.click().run()
    assert not admin.exception
    for tab in (person, other_tab):
        tab.run()
        assert "päättynyt" in shown(tab) and not tab.metric
    with session_scope(entra) as session:
        ends = session.exec(select(AuditEvent).where(AuditEvent.action == "session.end")).all()
        assert [(e.actor, e.after["reason"]) for e in ends] == [("s-admin", "admin")] * 2


def test_a_future_auth_time_does_not_keep_an_old_sign_in_alive(entra):
    app = _tab(_token(iat=int(time.time()) - 13 * 3600, auth_time=int(time.time()) + 10 * 365 * 86400), unit="U1")
    assert "vanhentunut" in shown(app) and not app.metric


def test_a_token_issued_in_the_future_is_not_believed(entra):
    app = _tab(_token(iat=int(time.time()) + 86400), unit="U1")
    assert "vanhentunut" in shown(app) and not app.metric


def _grant(engine, principal, role="team", unit="U1"):
    with session_scope(engine, write=True) as session:
        add_grant(session, actor=None, principal=principal, role=role, unit_code=unit, now=app_now())


@pytest.mark.parametrize(("claims", "sees"), [
    ({"email": "Maija@HVA.fi", "email_verified": True}, True),
    ({"email": "maija@hva.fi", "email_verified": False}, False),
    ({"email": "maija@hva.fi"}, False),
    ({"preferred_username": "maija@hva.fi"}, False),
])
def test_a_grant_to_an_e_mail_opens_only_for_a_verified_e_mail_in_any_case(entra, claims, sees):
    _grant(entra, "maija@hva.fi")
    app = _tab(_token(groups=[], **claims), unit="U1")
    assert bool(app.metric) is sees


def test_a_demo_principal_in_a_token_is_not_an_admin_on_a_real_server(entra):
    _grant(entra, "demo:paakayttaja", role="admin", unit="C")
    app = _tab(_token(groups=[], preferred_username="demo:paakayttaja", email="demo:paakayttaja",
                      email_verified=True), "pages/admin.py")
    assert "Ei vielä käyttöoikeuksia" in shown(app)
    with session_scope(entra) as session:
        assert session.exec(select(SignInSession.subject)).all() == ["s-1"]
