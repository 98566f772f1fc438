"""Signing in for real: Chromium, a local OpenID Connect provider and Vartti without demo mode.

Each person signs in through the provider's own page (the tester types their `sub`), with the ID
token's `groups` claim carrying Entra-style group ids that the database grants roles to
(oidc_support.GRANTS). What they then see, and what they cannot see by editing the URL, is checked
in the browser; what they did is checked in the audit trail.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from sqlmodel import select

from data.db import make_engine, session_scope
from data.models import Unit
from tests.e2e.conftest import shot, wait_for_app
from tests.e2e.oidc_support import (
    SIGN_IN_BUTTON,
    Person,
    SignInServer,
    new_context,
    running_provider,
    running_sign_in_server,
    sign_in,
)

pytestmark = pytest.mark.e2e

TEAM = Person("e2e-tiina", "Tiina Tiimi", "tiina.tiimi@hyvinvointialue.fi", ("g-other", "g-team-kesk"))
SUPERVISOR = Person("e2e-eero", "Eero Esihenkilö", "eero.esihenkilo@hyvinvointialue.fi", ("g-sup-kesk",))
DIRECTOR = Person("e2e-johanna", "Johanna Johtaja", "johanna.johtaja@hyvinvointialue.fi", ("g-dir-pth",))
ADMIN = Person("e2e-paavo", "Paavo Pääkäyttäjä", "paavo.paakayttaja@hyvinvointialue.fi", ("g-admin",))
NEWCOMER = Person("e2e-noora", "Noora Uusi", "noora.uusi@hyvinvointialue.fi", ("g-kotihoito-ita",))
NOBODY = Person("e2e-otto", "Otto Oikeudeton", "otto.oikeudeton@hyvinvointialue.fi", ("g-not-granted",))
BY_EMAIL = Person("e2e-sini", "Sini Sähköposti", "sini.sahkoposti@hyvinvointialue.fi")
SIGNS_OUT = Person("e2e-ulla", "Ulla Uloskirjautuja", "ulla.ulos@hyvinvointialue.fi", ("g-team-kesk",))

HOME_TITLE = "Valitse yksikkö"
NPS_TITLE = "Suositteluindeksi (NPS), 30 pv"
DENIED = "Sinulla ei ole käyttöoikeutta"
KIOSK_INVALID = "ei ole enää voimassa"
NO_ACCESS_TITLE = "Ei vielä käyttöoikeuksia"
ADMIN_TITLE = "Ylläpito"
KESK = "PTH-TA-KESK"
KESK_NAME = "Keskustan terveysasema, vastaanotto"
REFRESH_BOUND_MS = 75_000  # the board's fragment re-runs every 60 s

FIGURES = '[data-testid="stMetric"], .st-key-wall, [class*="st-key-tile-"], [class*="st-key-panel-"]'


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[SignInServer]:
    with running_provider() as provider:
        with running_sign_in_server(tmp_path_factory.mktemp("sign-in"), provider) as started:
            yield started


@pytest.fixture
def browsers(browser: Browser, server: SignInServer) -> Iterator[Callable[[], BrowserContext]]:
    """Fresh browser contexts (no cookies, like another computer), closed after the test."""
    contexts: list[BrowserContext] = []
    log_offset = server.app.log_size()

    def open_one() -> BrowserContext:
        contexts.append(new_context(browser))
        return contexts[-1]

    try:
        yield open_one
    finally:
        for context in contexts:
            context.close()
        # Shown by pytest only when the test failed.
        print("streamlit log during the test:\n" + server.app.log_since(log_offset)[-8_000:])
        server.app.require_alive()


# --- helpers ---------------------------------------------------------------------------------------

def open_path(page: Page, server: SignInServer, path: str, text: str | None = None) -> None:
    server.app.require_alive()
    page.goto(server.url(path))
    wait_for_app(page, text)


PUBLIC_TITLE = "Palautteesi vaikutti"
NO_ACCESS_NAV = "Ei käyttöoikeutta"
STAFF_SIGN_IN = "Henkilöstön kirjautuminen"
PAGE_DENIED = "Sinulla ei ole käyttöoikeutta tälle sivulle"


def expect_no_page_not_found(page: Page) -> None:
    """A page that is not the person's answers politely in Finnish, not with Streamlit's notice."""
    expect(page.get_by_role("dialog").filter(has_text="Page not found")).to_have_count(0)


def dismiss_page_not_found(page: Page) -> None:
    """A kiosk screen never shows Streamlit's "Page not found" notice."""
    expect(page.get_by_role("dialog").filter(has_text="Page not found")).to_have_count(0)


def open_sidebar(page: Page) -> None:
    sidebar = page.get_by_test_id("stSidebar")
    if sidebar.get_attribute("data-collapsed") != "false":
        page.get_by_test_id("stExpandSidebarButton").click()
    expect(sidebar).to_have_attribute("data-collapsed", "false")
    # Wait for the slide-in to end, so that screenshots show the whole sidebar.
    page.wait_for_function("""() => {
        const box = document.querySelector('[data-testid="stSidebar"]').getBoundingClientRect();
        return box.left >= 0 && box.width > 0;
    }""")


def navigation(page: Page) -> list[str]:
    """The titles of the pages the sidebar offers (none when there is only one page)."""
    # Each link reads "<material icon name>\n\n<title>".
    return [text.strip().splitlines()[-1] for text in page.get_by_test_id("stSidebarNavLink").all_inner_texts()]


def expect_board(page: Page, unit_name: str) -> None:
    wait_for_app(page, NPS_TITLE)
    expect(page.locator(".st-key-wall h1")).to_have_text(unit_name)
    expect(page.locator(".st-key-tile-nps, .st-key-tile-nps-text")).to_have_count(1)
    expect(page.locator(".st-key-panel-trend").locator("canvas, svg.marks").first).to_be_visible()


def expect_no_figures(page: Page) -> None:
    expect(page.locator(FIGURES)).to_have_count(0)
    expect(page.get_by_text(NPS_TITLE)).to_have_count(0)


def expect_no_error(page: Page) -> None:
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(page.get_by_text("Traceback")).to_have_count(0)


def choose(page: Page, scope, label: str, typed: str, option: str) -> None:
    """Pick `option` of the selectbox labelled `label` (inside `scope`) by typing to filter it."""
    box = scope.get_by_test_id("stSelectbox").filter(has_text=label)
    box.get_by_role("combobox").click()
    page.keyboard.type(typed)
    page.get_by_role("option").filter(has_text=option).click()


def audit_after(server: SignInServer, action: str, actor: str) -> list[dict]:
    return [row.after or {} for row in server.audit(action, actor=actor)]


def identity_cookies(context: BrowserContext) -> list[str]:
    return [c["name"] for c in context.cookies() if c["name"].startswith("_streamlit_user")]


# --- tests -----------------------------------------------------------------------------------------

def test_a_team_member_signs_in_sees_their_units_board_and_nothing_more(server, browsers):
    page = browsers().new_page()
    sign_in(page, server, TEAM, landing_text=HOME_TITLE)
    expect(page.get_by_test_id("stSelectbox").get_by_role("combobox")).to_be_visible()
    shot(page, "signin_team_landed")
    assert {"grants": [f"team@{KESK}"], "demo": False} in [
        row.after for row in server.audit("auth.sign_in", actor=TEAM.sub)]

    open_path(page, server, f"/huddle?unit={KESK}")
    expect_board(page, KESK_NAME)
    page.reload()  # a new session: the signed identity cookie keeps them signed in
    expect_board(page, KESK_NAME)
    expect_no_error(page)
    shot(page, "signin_team_board_after_reload")

    open_sidebar(page)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text(f"Kirjautuneena: {TEAM.name}")).to_be_visible()
    expect(sidebar.get_by_role("button", name="Kirjaudu ulos")).to_be_visible()
    offered = navigation(page)
    assert {"Yksiköt", "Huddle-taulu"} <= set(offered) and ADMIN_TITLE not in offered, offered
    shot(page, "signin_team_sidebar")

    open_path(page, server, "/huddle?unit=IKA-KH-ITA", DENIED)
    expect(page.get_by_text(DENIED)).to_contain_text("IKA-KH-ITA")
    expect_no_figures(page)
    expect(page.get_by_test_id("stSelectbox").get_by_role("combobox")).to_be_visible()  # the picker instead
    shot(page, "signin_team_tampered_unit")
    assert any(row.entity_id == "IKA-KH-ITA" and (row.after or {}).get("permission") == "view_huddle"
               for row in server.audit("auth.denied", actor=TEAM.sub))

    open_path(page, server, "/admin", PAGE_DENIED)
    expect_no_page_not_found(page)
    expect(page.get_by_text(ADMIN_TITLE)).to_have_count(0)
    expect(page.get_by_role("tab")).to_have_count(0)
    expect_no_figures(page)
    shot(page, "signin_team_admin_url")


def _db_bytes(server: SignInServer) -> bytes:
    path = Path(server.database_url.removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def test_a_supervisor_issues_a_kiosk_link_that_shows_one_board_until_revoked(server, browsers):
    page = browsers().new_page()
    sign_in(page, server, SUPERVISOR, landing_text=HOME_TITLE)
    open_sidebar(page)
    offered = navigation(page)
    assert {"Yksiköt", "Huddle-taulu", ADMIN_TITLE} <= set(offered), offered

    open_path(page, server, "/admin", ADMIN_TITLE)
    assert page.get_by_role("tab").all_inner_texts() == ["Seinänäytöt", "Palautteenkäsittelijät"]
    form = page.get_by_test_id("stForm").filter(has_text="Luo näyttölinkki")
    expect(form.get_by_test_id("stSelectbox").get_by_role("combobox")).to_have_value(f"{KESK_NAME} ({KESK})")
    form.get_by_role("textbox", name="Näytön nimi").fill("Taukotilan näyttö, 2. krs")
    form.get_by_role("button", name="Luo näyttölinkki").click()
    wait_for_app(page, "linkkiä ei näytetä uudelleen")
    link = page.get_by_test_id("stCode").inner_text().strip()
    match = re.fullmatch(re.escape(server.base_url) + rf"/huddle\?unit={KESK}&screen=([\w-]{{40,}})", link)
    assert match, link
    token = match[1]
    shot(page, "signin_supervisor_kiosk_link_created")
    created = audit_after(server, "kiosk.create", SUPERVISOR.sub)
    assert [row["unit"] for row in created] == [KESK], created
    assert token.encode() not in _db_bytes(server), "the kiosk token must be stored hashed only"

    # The wall screen: another browser, nobody signed in.
    wall = browsers()
    screen = wall.new_page()
    screen.goto(link)
    expect_board(screen, KESK_NAME)
    dismiss_page_not_found(screen)
    expect(screen.get_by_test_id("stSidebar")).to_have_count(0)
    expect(screen.get_by_test_id("stSidebarNav")).to_have_count(0)
    expect(screen.get_by_text(SIGN_IN_BUTTON)).to_have_count(0)
    assert identity_cookies(wall) == []
    screen.evaluate("() => { window.__varttiE2eNoReload = true; }")
    shot(screen, "signin_kiosk_board")

    other = wall.new_page()
    other.goto(server.url(f"/huddle?unit=IKA-KH-ITA&screen={token}"))
    wait_for_app(other, DENIED)
    dismiss_page_not_found(other)
    expect_no_figures(other)
    shot(other, "signin_kiosk_other_unit")
    assert any(row.entity_id == "IKA-KH-ITA" for row in server.audit("auth.denied")
               if row.actor.startswith("kiosk:")), "a kiosk link's refusal is audited"

    revoke = page.get_by_test_id("stForm").filter(has_text="Peruttava linkki")
    expect(revoke.get_by_test_id("stSelectbox").get_by_role("combobox")).to_have_value(
        f"Taukotilan näyttö, 2. krs · {KESK}")
    revoke.get_by_text("Olen varma").click()
    revoke.get_by_role("button", name="Peru näyttölinkki").click()
    wait_for_app(page, "Linkki peruttu")
    expect(page.get_by_test_id("stForm").filter(has_text="Peruttava linkki")).to_have_count(0)
    shot(page, "signin_supervisor_kiosk_link_revoked")
    assert len(server.audit("kiosk.revoke", actor=SUPERVISOR.sub)) == 1

    reopened = wall.new_page()
    reopened.goto(link)
    wait_for_app(reopened, KIOSK_INVALID)
    dismiss_page_not_found(reopened)
    expect_no_figures(reopened)
    shot(reopened, "signin_kiosk_revoked_reopened")

    # While the first screen waits for its next refresh: the supervisor's own board.
    page.bring_to_front()
    open_path(page, server, f"/huddle?unit={KESK}")
    expect_board(page, KESK_NAME)
    shot(page, "signin_supervisor_board")

    # The screen that stayed open learns it at its next automatic refresh, without a reload.
    screen.bring_to_front()
    expect(screen.get_by_text(KIOSK_INVALID)).to_be_visible(timeout=REFRESH_BOUND_MS)
    wait_for_app(screen)
    assert screen.evaluate("() => window.__varttiE2eNoReload === true"), "the page was reloaded"
    expect(screen.locator('[data-testid="stMetric"], [class*="st-key-tile-"], [class*="st-key-panel-"]')
           ).to_have_count(0)
    shot(screen, "signin_kiosk_revoked_at_refresh")


def test_an_admin_grants_a_new_group_whose_member_then_sees_the_unit(server, browsers):
    page = browsers().new_page()
    sign_in(page, server, ADMIN, landing_text=ADMIN_TITLE)
    assert page.get_by_role("tab").all_inner_texts() == ["Seinänäytöt", "Käyttöoikeudet", "Tuonnit", "Julkinen sivu", "Aiheet",
                                                         "Palautteenkäsittelijät"]
    open_sidebar(page)
    offered = navigation(page)  # none at all while Ylläpito is their only page
    assert not {"Yksiköt", "Huddle-taulu"} & set(offered), offered
    expect_no_figures(page)
    shot(page, "signin_admin_landed")

    open_path(page, server, f"/huddle?unit={KESK}", PAGE_DENIED)
    expect_no_page_not_found(page)
    expect_no_figures(page)

    open_path(page, server, "/admin", ADMIN_TITLE)
    page.get_by_role("tab", name="Käyttöoikeudet").click()
    form = page.get_by_test_id("stForm").filter(has_text="Ryhmän object id")
    form.get_by_role("textbox", name="Ryhmän object id tai käyttäjän sähköposti").fill(NEWCOMER.groups[0])
    expect(form.get_by_test_id("stSelectbox").filter(has_text="Rooli").get_by_role("combobox")
           ).to_have_value("Tiimi (lukee taulua)")
    choose(page, form, "Yksikkö", "IKA-KH-ITA", "(IKA-KH-ITA)")
    shot(page, "signin_admin_grant_form")
    form.get_by_role("button", name="Anna oikeus").click()
    wait_for_app(page, "Oikeus annettu")
    shot(page, "signin_admin_grant_given")
    assert {"principal": NEWCOMER.groups[0], "role": "team", "unit": "IKA-KH-ITA"} in audit_after(
        server, "grant.add", ADMIN.sub)

    newcomer = browsers().new_page()
    sign_in(newcomer, server, NEWCOMER, landing_text=HOME_TITLE)
    open_path(newcomer, server, "/huddle?unit=IKA-KH-ITA")
    expect_board(newcomer, "Kotihoito Itä")
    shot(newcomer, "signin_newcomer_board")


def test_a_person_without_grants_sees_only_whom_to_ask_and_their_identifiers(server, browsers):
    page = browsers().new_page()
    sign_in(page, server, NOBODY, landing_text=NO_ACCESS_TITLE)
    identifiers = page.get_by_test_id("stCode").inner_text()
    assert identifiers.split() == [NOBODY.sub, *NOBODY.groups], identifiers
    expect_no_figures(page)
    open_sidebar(page)
    # Nothing of the county's data: only the pages for everyone (the public page and the statement).
    assert navigation(page) == [NO_ACCESS_NAV, PUBLIC_TITLE, "Saavutettavuusseloste"]
    shot(page, "signin_no_grants")
    assert {"grants": [], "demo": False} in [row.after for row in server.audit("auth.sign_in", actor=NOBODY.sub)]

    for path in (f"/huddle?unit={KESK}", "/admin"):
        open_path(page, server, path, NO_ACCESS_TITLE)
        expect_no_page_not_found(page)
        expect_no_figures(page)
        expect(page.get_by_text(ADMIN_TITLE)).to_have_count(0)


def test_signing_out_ends_the_session(server, browsers):
    context = browsers()
    page = context.new_page()
    sign_in(page, server, SIGNS_OUT, landing_text=HOME_TITLE)
    assert identity_cookies(context)
    open_sidebar(page)
    page.get_by_test_id("stSidebar").get_by_role("button", name="Kirjaudu ulos").click()
    # Streamlit ends the provider's session too (its end_session_endpoint), then comes back.
    page.wait_for_url(re.compile("^" + re.escape(server.provider.base_url) + r"/oauth2/end_session"))
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(re.compile("^" + re.escape(server.base_url) + "/"))
    # Signed out, "/" is the public page, with the way back to the staff sign-in.
    wait_for_app(page, PUBLIC_TITLE)
    assert identity_cookies(context) == []

    page.reload()
    wait_for_app(page, PUBLIC_TITLE)
    page.get_by_role("link", name=STAFF_SIGN_IN).click()
    wait_for_app(page, SIGN_IN_BUTTON)
    expect(page.get_by_role("button", name=SIGN_IN_BUTTON)).to_be_visible()
    expect(page.get_by_text("Kirjaudu ulos")).to_have_count(0)
    shot(page, "signin_signed_out")

    open_path(page, server, f"/huddle?unit={KESK}", SIGN_IN_BUTTON)
    expect_no_figures(page)


def _units_under(server: SignInServer, code: str) -> set[str]:
    engine = make_engine(server.database_url)
    try:
        with session_scope(engine) as session:
            root = session.exec(select(Unit).where(Unit.code == code)).one()
            return {u.code for u in session.exec(select(Unit).where(Unit.path.startswith(root.path), Unit.active))}
    finally:
        engine.dispose()


def test_a_director_picks_from_the_units_of_their_subtree_only(server, browsers):
    page = browsers().new_page()
    sign_in(page, server, DIRECTOR, landing_text=HOME_TITLE)
    page.get_by_test_id("stSelectbox").get_by_role("combobox").click()
    options = page.get_by_role("option")
    expect(options.first).to_be_visible()
    shot(page, "signin_director_picker")
    listed = set()
    # The list may be drawn lazily: scroll it to the end, collecting the codes on the way.
    for _ in range(20):
        seen = {m[1] for text in options.all_inner_texts() for m in [re.search(r"\(([A-Z0-9-]+)\)", text)] if m}
        if seen <= listed:
            break
        listed |= seen
        options.last.scroll_into_view_if_needed()
    expected = _units_under(server, "PTH")
    assert listed == expected, (sorted(listed - expected), sorted(expected - listed))
    page.keyboard.press("Escape")

    open_path(page, server, "/huddle?unit=IKA-KH-ITA", DENIED)
    expect_no_figures(page)
    open_path(page, server, "/huddle?unit=PTH-SUU-KESK")
    expect_board(page, "Keskustan hammashoitola")


def test_a_grant_to_an_email_address_applies_to_whoever_signs_in_with_it(server, browsers):
    page = browsers().new_page()
    sign_in(page, server, BY_EMAIL, landing_text=HOME_TITLE)
    open_path(page, server, "/huddle?unit=ESH-PAIV-KS")
    expect_board(page, "Päivystys, Keskussairaala")
    shot(page, "signin_email_grant_board")
    assert {"grants": ["team@ESH-PAIV-KS"], "demo": False} in [
        row.after for row in server.audit("auth.sign_in", actor=BY_EMAIL.sub)]


def test_a_kiosk_link_opens_the_board_without_a_page_not_found_notice(server, browsers):
    token = server.kiosk_link(KESK, label="Aulan näyttö")
    screen = browsers().new_page()
    screen.goto(server.url(f"/huddle?unit={KESK}&screen={token}"))
    wait_for_app(screen, NPS_TITLE)
    expect(screen.locator(".st-key-wall h1")).to_have_text(KESK_NAME)
    shot(screen, "signin_kiosk_fresh_screen")
    notice = screen.get_by_role("dialog").filter(has_text="Page not found")
    try:  # Streamlit raises the notice during the run: by now it is there, or about to be drawn
        notice.wait_for(state="visible", timeout=2_000)
    except PlaywrightTimeoutError:
        pass
    assert notice.count() == 0


ENDS_ELSEWHERE = Person("e2e-elli", "Elli Toinenvälilehti", "elli.toinen@hyvinvointialue.fi", ("g-team-kesk",))
SIGN_IN_ENDED = "Kirjautumisesi on päättynyt"


def test_signing_out_in_one_tab_ends_the_other_tab_and_a_copied_cookie(server, browsers):
    context = browsers()
    first = context.new_page()
    sign_in(first, server, ENDS_ELSEWHERE, landing_text=HOME_TITLE)
    second = context.new_page()
    open_path(second, server, f"/huddle?unit={KESK}")
    expect_board(second, KESK_NAME)
    copied = [c for c in context.cookies() if c["name"].startswith("_streamlit_user")]
    assert copied

    open_sidebar(first)
    first.get_by_test_id("stSidebar").get_by_role("button", name="Kirjaudu ulos").click()
    first.wait_for_url(re.compile("^" + re.escape(server.provider.base_url) + r"/oauth2/end_session"))
    first.get_by_role("button", name="End session").click()
    wait_for_app(first, PUBLIC_TITLE)

    # The other tab still holds the identity it connected with; its next rerun is refused.
    open_sidebar(second)
    second.get_by_test_id("stSidebarNavLink").filter(has_text="Kehittämistaulu").click()
    wait_for_app(second, SIGN_IN_ENDED)
    expect_no_figures(second)

    # The cookie copied before signing out, replayed on another computer, opens nothing.
    elsewhere = browsers()
    elsewhere.add_cookies(copied)
    replay = elsewhere.new_page()
    open_path(replay, server, f"/huddle?unit={KESK}", SIGN_IN_ENDED)
    expect_no_figures(replay)
    assert [row["reason"] for row in audit_after(server, "session.end", ENDS_ELSEWHERE.sub)] == ["sign_out"]
