"""Sign-in and access through the pages: who sees which page, tampered URLs, kiosk links, Entra claims."""
from __future__ import annotations

import time

import pytest
from sqlmodel import select

from data.db import session_scope
from data.models import AuditEvent
from data.access import viewer_for
from data.kiosk import create_kiosk_link, list_kiosk_links, revoke_kiosk_link
from tests.conftest import app_now, leave_demo
from tests.ui.conftest import open_page

ENTRA = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-real-cookie-secret-of-at-least-32-characters",
    "client_id": "vartti-app",
    "client_secret": "a-real-client-secret",
    "server_metadata_url": "https://127.0.0.1:9/tenant/.well-known/openid-configuration",
}


def shown(app) -> str:
    return "\n".join(str(e.value) for kind in ("title", "markdown", "warning", "error", "info", "subheader",
                                                "metric") for e in getattr(app, kind))


def audit(engine, action: str) -> list[AuditEvent]:
    with session_scope(engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_signed_out_demo_offers_the_demo_people_and_no_data(county):
    app = open_page("pages/huddle.py", as_=None, unit="U1")
    assert app.title[0].value == "Vartti"
    assert any(b.label.startswith("Tiimi") for b in app.button)
    assert not app.metric


def test_choosing_a_demo_person_opens_the_page_the_link_asked_for(county):
    app = open_page("pages/huddle.py", as_=None, unit="U1")
    next(b for b in app.button if b.key == "demo-demo:tiimi").click().run()
    # demo:tiimi has no grant in the test county: fail closed.
    assert "Ei vielä käyttöoikeuksia" in shown(app)


# The page each person gets when they ask for one: a page that is not theirs answers "no access"
# (None: no title, a refusal); a person without grants gets the page saying whom to ask.
PAGES = [
    ("ui:director", "pages/huddle.py", "Keskustan terveysasema"),
    ("ui:team", "pages/huddle.py", "Keskustan terveysasema"),
    ("ui:supervisor", "pages/huddle.py", "Keskustan terveysasema"),
    ("ui:admin", "pages/huddle.py", None),
    ("ui:nobody", "pages/huddle.py", "Ei vielä käyttöoikeuksia"),
    ("ui:admin", "pages/admin.py", "Ylläpito"),
    ("ui:supervisor", "pages/admin.py", "Ylläpito"),
    ("ui:team", "pages/admin.py", None),
    ("ui:director", "pages/admin.py", None),
    ("ui:nobody", "pages/admin.py", "Ei vielä käyttöoikeuksia"),
]


@pytest.mark.parametrize("person, page, title", PAGES)
def test_each_person_gets_only_the_pages_of_their_role(county, person, page, title):
    app = open_page(page, as_=person, unit="U1")
    assert not app.exception
    assert [t.value for t in app.title] == ([title] if title else [])
    if title is None:
        assert "käyttöoikeutta tälle sivulle" in shown(app) and not app.metric
        assert [e.entity_id for e in audit(county, "auth.denied")] == ["/" + page.split("/")[1][:-3]]
    if person == "ui:nobody":
        assert "ui:nobody" in app.code[0].value and not app.metric


@pytest.mark.parametrize("person", ["ui:team", "ui:supervisor"])
@pytest.mark.parametrize("unit", ["U2", "U3", "S", "C"])
def test_a_tampered_unit_in_the_url_gets_a_polite_no_and_an_audit_row(county, person, unit):
    app = open_page("pages/huddle.py", as_=person, unit=unit)
    assert not app.exception and not app.metric
    assert f"käyttöoikeutta yksikön “{unit}”" in shown(app)
    denied = audit(county, "auth.denied")
    assert [(e.actor, e.entity_id) for e in denied] == [(person, unit)]


def test_the_admin_page_shows_the_supervisor_only_the_screens_of_their_unit(county):
    app = open_page("pages/admin.py", as_="ui:supervisor")
    assert [t.label for t in app.tabs] == ["Seinänäytöt", "Palautteenkäsittelijät"]
    assert app.selectbox(key="kiosk-unit").options == ["Keskustan terveysasema (U1)"]
    assert app.selectbox(key="handler-unit").options == ["Keskustan terveysasema (U1)"]
    admin = open_page("pages/admin.py", as_="ui:admin")
    assert [t.label for t in admin.tabs] == ["Seinänäytöt", "Käyttöoikeudet", "Tuonnit", "Julkinen sivu", "Aiheet",
                                             "Palautteenkäsittelijät"]


def test_an_admin_gives_a_grant_on_the_admin_page_and_it_is_audited(county):
    app = open_page("pages/admin.py", as_="ui:admin")
    app.text_input(key="grant-principal").input("3f2a-group-object-id")
    app.selectbox(key="grant-role").select("supervisor")
    app.selectbox(key="grant-unit").select("U3")
    next(b for b in app.button if b.label == "Anna oikeus").click().run()
    assert not app.exception
    added = audit(county, "grant.add")
    assert added[-1].after == {"principal": "3f2a-group-object-id", "role": "supervisor", "unit": "U3"}


def test_a_sign_in_is_audited_once_per_session(county):
    app = open_page("pages/huddle.py", as_="ui:team", unit="U1")
    app.run()
    assert [e.actor for e in audit(county, "auth.sign_in")] == ["ui:team"]


def _kiosk_token(engine, unit="U1") -> str:
    with session_scope(engine, write=True) as session:
        supervisor = viewer_for(session, subject="ui:supervisor", name="S", principals=["ui:supervisor"])
        return create_kiosk_link(session, viewer=supervisor, unit_code=unit, label="Taukotila", now=app_now(),
                                 valid_days=None)


def test_a_kiosk_link_opens_its_units_board_read_only_without_sign_in(county):
    token = _kiosk_token(county)
    app = open_page("pages/huddle.py", as_=None, unit="U1", screen=token)
    assert app.title[0].value == "Keskustan terveysasema"
    assert not any(b.label == "Kirjaudu ulos" for b in app.sidebar.button)
    other = open_page("pages/huddle.py", as_=None, unit="U2", screen=token)
    assert "käyttöoikeutta yksikön “U2”" in shown(other) and not other.metric
    assert not other.selectbox  # no picker for a wall screen


def test_a_revoked_kiosk_link_stops_showing_data_at_the_next_refresh(county):
    token = _kiosk_token(county)
    app = open_page("pages/huddle.py", as_=None, unit="U1", screen=token)
    assert app.metric
    with session_scope(county, write=True) as session:
        supervisor = viewer_for(session, subject="ui:supervisor", name="S", principals=["ui:supervisor"])
        link = list_kiosk_links(session, viewer=supervisor)[0]
        revoke_kiosk_link(session, viewer=supervisor, link_id=link.id, now=app_now())
    app.run()
    assert not app.metric and "ei ole enää voimassa" in shown(app)


@pytest.mark.parametrize("token", ["", "x" * 43, "not-a-token"])
def test_a_forged_kiosk_token_shows_nothing(county, token):
    app = open_page("pages/huddle.py", as_=None, unit="U1", screen=token)
    assert not app.metric


def _entra_app(claims: dict, **query):
    from streamlit.testing.v1 import AppTest
    from tests.ui.conftest import APP, RUN_TIMEOUT
    app = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    app.secrets["auth"] = ENTRA
    app.user = {"is_logged_in": True, **claims}
    for key, value in query.items():
        app.query_params[key] = value
    app.switch_page("pages/huddle.py")
    return app.run()


def test_an_entra_user_gets_the_grants_of_their_groups(county, monkeypatch):
    leave_demo(monkeypatch)
    app = _entra_app({"sub": "s-1", "email": "x@example.fi", "groups": ["ui:team"], "iat": time.time()}, unit="U1")
    assert app.title[0].value == "Keskustan terveysasema" and app.metric


def test_a_sign_in_older_than_twelve_hours_must_be_renewed(county, monkeypatch):
    leave_demo(monkeypatch)
    app = _entra_app({"sub": "s-1", "groups": ["ui:team"], "iat": time.time() - 12 * 3600 - 60}, unit="U1")
    assert "vanhentunut" in shown(app) and not app.metric


def test_a_group_overage_that_cannot_be_resolved_fails_closed(county, monkeypatch):
    leave_demo(monkeypatch)
    overage = {"sub": "s-1", "oid": "o-1", "_claim_names": {"groups": "src1"}, "iat": time.time()}
    monkeypatch.setenv("VARTTI_GRAPH_URL", "https://127.0.0.1:9")
    app = _entra_app(overage, unit="U1")
    assert "Käyttäjäryhmiäsi ei saatu" in shown(app) and not app.metric


@pytest.mark.parametrize("secret", ["CHANGE-ME", "", "short"])
def test_placeholder_sign_in_secrets_refuse_to_start(county, monkeypatch, secret):
    leave_demo(monkeypatch)
    from streamlit.testing.v1 import AppTest
    from tests.ui.conftest import APP, RUN_TIMEOUT
    app = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    app.secrets["auth"] = {**ENTRA, "cookie_secret": secret}
    app.run()
    assert "cookie_secret" in "\n".join(e.value for e in app.error).replace("\\", "") and not app.metric


def test_a_group_overage_is_resolved_through_graph_and_gives_the_groups_grants(county, monkeypatch, tmp_path):
    import trustme

    from tests.integration.graph_support.servers import CLIENT_ID, CLIENT_SECRET, running_stack

    ca = trustme.CA()
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    for variable in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "VARTTI_DEMO", "VARTTI_NOW"):
        monkeypatch.delenv(variable, raising=False)
    with running_stack(ca, ca, str(ca_file)) as stack:
        stack.graph.groups = {"o-7": ["ui:team", "some-other-group"]}
        monkeypatch.setenv("VARTTI_GRAPH_URL", stack.settings.graph_url)
        monkeypatch.setenv("VARTTI_GRAPH_CA_BUNDLE", str(ca_file))
        monkeypatch.setitem(ENTRA, "client_id", CLIENT_ID)
        monkeypatch.setitem(ENTRA, "client_secret", CLIENT_SECRET)
        monkeypatch.setitem(ENTRA, "server_metadata_url",
                            f"{stack.settings.authority}/.well-known/openid-configuration")
        app = _entra_app({"sub": "s-7", "oid": "o-7", "_claim_names": {"groups": "src1"}, "iat": time.time()},
                         unit="U1")
        assert app.title[0].value == "Keskustan terveysasema" and app.metric
        assert len(stack.graph.requests) == 1
        app.run()  # the groups are kept for the session: Graph is not asked again
        assert len(stack.graph.requests) == 1
