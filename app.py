"""Vartti: page set-up, settings, the database check, who is looking, and navigation by role."""
from __future__ import annotations

import logging
import os
from pathlib import Path

# Imported whole before any page runs: Altair looks pandas up in sys.modules, and a screen's refresh in one
# thread found it half-imported by another session's first chart ("partially initialized module 'pandas'").
import pandas  # noqa: F401
import streamlit as st
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from auth.access import Viewer, may_anywhere
from auth.config import SignInConfigError, read_sign_in
from auth.roles import Permission
from data.db import make_engine, session_scope
from data.languages import choose_language, preferred_language
from data.schema import schema_state
from data.settings import SettingsError, load_settings
from pages.ui import gate, language
from pages.ui.context import AppContext, provide
from pages.ui.language_picker import language_picker
from pages.ui.plain import inert
from pages.ui.refusal import page_refusal
from pages.ui.saving import busy_notice
from pages.ui.texts import t

LOG = logging.getLogger("vartti")

# A local icon: a Material icon name would make every browser fetch the favicon from Google's CDN.
ICON = Path(__file__).parent / "pages" / "ui" / "icon.png"
st.set_page_config(page_title=t("app.title"), page_icon=str(ICON), layout="wide",
                   initial_sidebar_state="collapsed")
language.take_from_address()


PAGE_PERMISSIONS = {
    "huddle": Permission.VIEW_HUDDLE,
    "inbox": Permission.VIEW_FEEDBACK,
    "kanban": Permission.VIEW_KANBAN,
    "rollup": Permission.VIEW_ROLLUP,
    "report": Permission.VIEW_ROLLUP,
    "admin": Permission.MANAGE_GRANTS,
    "duels": Permission.VIEW_FEEDBACK,  # issue 20: supervisors and directors
}


def _secrets() -> dict:
    try:
        return {key: value for key, value in st.secrets.items()}
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return {}


def _configured_values(secrets: dict) -> dict[str, str]:
    """Environment over secrets.toml: the one place that reads either."""
    values = {k: str(v) for k, v in secrets.items() if isinstance(v, (str, int, bool))}
    values.update({k: v for k, v in os.environ.items() if k.startswith("VARTTI_")})
    return values


@st.cache_resource(on_release=lambda engine: engine.dispose())
def _engine(url: str):
    return make_engine(url)


def _stop_showing(show) -> None:
    # Without st.navigation, Streamlit would list every file of pages/ in the sidebar under its file name; each
    # of the app's addresses shows what `show` draws where it was asked for, not "page not found".
    paths = [*PAGE_PERMISSIONS, "public", "accessibility", "signin", "capture", "duel", "screen"]
    pages = [st.Page(show, title=t("app.title"), url_path="start", default=True)]
    pages += [st.Page(show, title=t("app.title"), url_path=path, visibility="hidden") for path in paths]
    st.navigation(pages, position="hidden").run()
    st.stop()


def _stop_with(message: str) -> None:
    _stop_showing(lambda: st.error(message, icon=":material/error:"))


secrets = _secrets()
try:
    settings = load_settings(_configured_values(secrets))
    sign_in = read_sign_in(secrets.get("auth"), session_hours=settings.session_hours,
                           graph_url=settings.graph_url, graph_ca_bundle=settings.graph_ca_bundle)
except (SettingsError, SignInConfigError) as problem:
    _stop_with(t("error.settings", problem=inert(problem)))

if not settings.demo and not sign_in.configured:
    _stop_with(t("error.not_configured"))

try:
    engine = _engine(settings.database_url)
    state = schema_state(engine)
except (SQLAlchemyError, OSError):
    # Anyone may be looking (the public page): the address of the database goes to the server log only.
    LOG.exception("the database at %s cannot be reached",
                  make_url(settings.database_url).render_as_string(hide_password=True))
    _stop_with(t("error.database_unreachable"))
if state.current is None:
    _stop_with(t("error.schema_empty"))
if not state.is_current:
    _stop_with(t("error.schema_behind", current=inert(state.current), head=inert(state.head)))


def resolve_viewer() -> Viewer | None:
    """Who is looking now; asked again on every rerun and board refresh, so revocations bite at once."""
    token = gate.kiosk_token()
    if token:
        return gate.screen_viewer(engine, token, settings.now())
    return gate.person_viewer(engine, sign_in, demo=settings.demo, now=settings.now())


def viewer_for_refresh() -> Viewer | None:
    """The viewer for a board refresh; an expired sign-in reruns the whole page, which asks again."""
    try:
        return resolve_viewer()
    except (gate.SignInExpired, gate.GroupsUnavailable):
        st.rerun()


try:
    viewer = resolve_viewer()
except gate.SignInExpired as ended:
    why = "auth.ended" if isinstance(ended, gate.SignInEnded) else "auth.expired"

    def _sign_in_again() -> None:
        st.warning(t(why))
        if st.button(t("auth.sign_in_again"), type="primary"):
            st.logout()

    _stop_showing(_sign_in_again)
except gate.GroupsUnavailable:
    _stop_with(t("auth.groups_unavailable"))



def _saved_language() -> str | None:
    with session_scope(engine) as session:
        return preferred_language(session, viewer=viewer)


def _remember_language(chosen: str) -> None:
    # Best effort: a choice that cannot be saved still holds for this session.
    try:
        with session_scope(engine, write=True) as session:
            choose_language(session, viewer=viewer, language=chosen, now=settings.now())
    except SQLAlchemyError:
        pass


person = viewer is not None and not viewer.is_kiosk
if person:
    language.settle_for(viewer.subject, saved=_saved_language, save=_remember_language)

context = AppContext(settings=settings, engine=engine, viewer=viewer, sign_in=sign_in,
                     resolve=viewer_for_refresh, language=language.current())
provide(context)

st.html(Path(__file__).parent / "pages" / "ui" / "app.css")
language.mark_page()
if settings.demo and not gate.kiosk_token():
    with st.container(key="demo-banner"):
        st.write(t("demo.banner"))

if not gate.kiosk_token():
    language_picker(remember=_remember_language if person else None)
busy_notice()

if gate.kiosk_token():
    # The default page is served at "/", so the board needs a second, hidden entry at /huddle too.
    pages = [st.Page("pages/huddle.py", title=t("nav.huddle"), url_path="screen", default=True),
             st.Page("pages/huddle.py", title=t("nav.huddle"), url_path="huddle", visibility="hidden")]
    st.navigation(pages, position="hidden").run()
    st.stop()

# The public page and the accessibility statement are for anyone, signed in or not.
public_page = st.Page("pages/public.py", title=t("public.nav"), icon=":material/campaign:",
                      url_path="public")
statement_page = st.Page("pages/accessibility.py", title=t("a11y.nav"),
                         icon=":material/accessibility:", url_path="accessibility")
public_links = {"public": public_page, "accessibility": statement_page}
# ritual14: the phone's page behind the board's QR code; its token is its only key.
capture_page = st.Page("pages/capture.py", title=t("capture.nav"), url_path="capture", visibility="hidden")
# Issue 20: a duel's participants join by its link, signed in or not.
duel_page = st.Page("pages/duel.py", title=t("duel.title"), url_path="duel", visibility="hidden")
if viewer is None:
    # Signed out, "/" is the public page. A deep link opened while signed out shows the sign-in page at
    # that address, so after a demo sign-in the page the link asked for (with its query) opens; Entra
    # sign-in returns to "/".
    public_links["signin"] = st.Page("pages/signin.py", title=t("nav.sign_in"), icon=":material/login:",
                                     url_path="signin")
    pages = [st.Page("pages/public.py", title=t("public.nav"), icon=":material/campaign:",
                     url_path="start", default=True),
             st.Page("pages/public.py", title=t("public.nav"), url_path="public", visibility="hidden"),
             statement_page, duel_page, public_links["signin"], capture_page] + [
        st.Page("pages/signin.py", title=t("nav.sign_in"), url_path=path, visibility="hidden")
        for path in PAGE_PERMISSIONS]
elif not viewer.has_access:
    pages = [st.Page("pages/no_access.py", title=t("nav.no_access"), icon=":material/lock:", default=True)] + [
        st.Page("pages/no_access.py", title=t("nav.no_access"), url_path=path, visibility="hidden")
        for path in PAGE_PERMISSIONS]
else:
    pages = []
    if may_anywhere(viewer, Permission.VIEW_HUDDLE):
        pages += [
            st.Page("pages/home.py", title=t("nav.units"), icon=":material/apartment:", default=True),
            st.Page("pages/huddle.py", title=t("nav.huddle"), icon=":material/groups:", url_path="huddle"),
        ]
    if may_anywhere(viewer, Permission.VIEW_FEEDBACK):
        pages.append(st.Page("pages/inbox.py", title=t("nav.inbox"), icon=":material/inbox:", url_path="inbox"))
    if may_anywhere(viewer, Permission.VIEW_KANBAN):
        pages.append(st.Page("pages/kanban.py", title=t("nav.kanban"), icon=":material/view_kanban:",
                             url_path="kanban"))
    if may_anywhere(viewer, Permission.VIEW_FEEDBACK):  # supervisors and directors: duels (issue 20)
        pages.append(st.Page("pages/duels.py", title=t("duels.nav"), icon=":material/compare_arrows:", url_path="duels"))
    if may_anywhere(viewer, Permission.VIEW_ROLLUP):
        pages += [st.Page("pages/rollup.py", title=t("nav.rollup"), icon=":material/account_tree:", url_path="rollup"),
                  st.Page("pages/report.py", title=t("nav.rollup"), url_path="report", visibility="hidden")]
    if may_anywhere(viewer, Permission.MANAGE_GRANTS) or may_anywhere(viewer, Permission.MANAGE_KIOSK):
        if not pages:
            # The default page is served at "/" only, so an admin-only viewer gets /admin as well.
            pages.append(st.Page("pages/admin.py", title=t("nav.admin"), url_path="start", default=True,
                                 visibility="hidden"))
        pages.append(st.Page("pages/admin.py", title=t("nav.admin"), icon=":material/settings:",
                             url_path="admin"))

    # A page that is not theirs answers with a polite, audited "no access" instead of "not found".
    offered = {path for path, permission in PAGE_PERMISSIONS.items() if may_anywhere(viewer, permission)}
    offered |= {"admin"} if may_anywhere(viewer, Permission.MANAGE_KIOSK) else set()
    pages += [st.Page(page_refusal(context, permission, path), title=t("nav.no_access"), url_path=path,
                      visibility="hidden")
              for path, permission in PAGE_PERMISSIONS.items() if path not in offered]

if viewer is not None:
    # Signed in already: the staff sign-in link of the public page leads to the person's start page.
    start = pages[0]  # every branch above puts its default page first
    pages += [public_page, statement_page, capture_page, duel_page,
              st.Page(lambda: st.switch_page(start), title=t("nav.sign_in"), url_path="signin", visibility="hidden")]
st.session_state["vartti.public_links"] = public_links
if viewer is not None:
    with st.sidebar:
        st.write(t("auth.signed_in_as", name=inert(viewer.name)))
        if st.button(t("auth.sign_out"), icon=":material/logout:"):
            gate.sign_out(sign_in, engine, settings.now())
st.navigation(pages).run()
