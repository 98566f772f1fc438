"""`/admin`: who may see what (grants), the wall screens' kiosk links, and imports."""
from __future__ import annotations


import streamlit as st

from auth.access import AccessDenied, may_anywhere
from auth.roles import Permission, Role
from data.db import session_scope
from data.access import GrantError, add_grant, list_grants, remove_grant
from data.kiosk import create_kiosk_link, list_kiosk_links, revoke_kiosk_link
from data.units import list_units
from data.public import set_show_staff_names, show_staff_names
from data.sign_ins import end_sessions_of, people_signed_in
from data.translations import missing_translations
from pages.ui.saving import saving
from pages.ui import format as fmt
from pages.ui import handlers_tab, import_tab, topics_tab
from pages.ui import public_cache
from pages.ui.context import app_context
from pages.ui.language import current
from pages.ui.refusal import refuse
from pages.ui.texts import t

context = app_context()
viewer = context.viewer
_NEW_LINK_KEY = "admin.new_kiosk_link"



def _unit_choices(permission: Permission) -> dict[str, str]:
    with session_scope(context.engine) as session:
        units = list_units(session, viewer=viewer, permission=permission)
    return {u.code: f"{u.name(current())} ({u.code})" for u in units}


def _act(change, success: str) -> None:
    """Run one change in its own transaction; a refusal or bad input changes nothing."""
    try:
        with saving(context.engine) as session:
            change(session)
    except GrantError as problem:
        # The reason in the reader's language; the English message is for the command line and the log.
        st.error(t("admin.invalid", problem=t(f"admin.refused.{problem.reason}")))
        return
    except AccessDenied as denied:
        refuse(context, denied)
        return
    st.toast(success)
    st.rerun()


def _grants_tab() -> None:
    st.write(t("admin.grants.intro"))
    with session_scope(context.engine) as session:
        grants = list_grants(session, viewer=viewer, language=current())
    if not grants:
        st.info(t("admin.grants.none"))
    else:
        st.dataframe(
            [{t("admin.col.principal"): g.principal, t("admin.col.role"): t("role." + g.role.value),
              t("admin.col.unit"): f"{g.unit_name} ({g.unit_code})", t("admin.col.created"): fmt.day(g.created_at),
              t("admin.col.by"): g.created_by} for g in grants],
            hide_index=True, width="stretch")
    units = _unit_choices(Permission.MANAGE_GRANTS)
    with st.form("add-grant", clear_on_submit=True):
        st.subheader(t("admin.grants.add"))
        principal = st.text_input(t("admin.grants.principal"), help=t("admin.grants.principal_help"),
                                  key="grant-principal")
        role = st.selectbox(t("admin.col.role"), [r.value for r in Role], format_func=lambda r: t("role." + r),
                            key="grant-role")
        unit = st.selectbox(t("admin.col.unit"), list(units), format_func=units.get, key="grant-unit")
        if st.form_submit_button(t("admin.grants.add"), type="primary"):
            _act(lambda s: add_grant(s, actor=viewer, principal=principal, role=role, unit_code=unit or "",
                                     now=context.now()), t("admin.grants.added"))
    labels = {g.id: f"{g.principal} · {t('role.' + g.role.value)} · {g.unit_code}" for g in grants}
    _confirmed_removal("remove-grant", t("admin.grants.remove"), t("admin.grants.which"), labels,
                       lambda s, chosen: remove_grant(s, actor=viewer, grant_id=chosen, now=context.now()),
                       t("admin.grants.removed"))
    _sessions_section()


def _sessions_section() -> None:
    """County admins end all of a person's sign-ins (e.g. a lost laptop, a person who left)."""
    try:
        with session_scope(context.engine) as session:
            people = people_signed_in(session, viewer=viewer, now=context.now())
    except AccessDenied:
        return  # an admin of a part of the county: the section is not theirs (the service says so too)
    st.subheader(t("admin.sessions.heading"))
    st.write(t("admin.sessions.intro"))
    if not people:
        st.info(t("admin.sessions.none"))
        return
    labels = {p.subject: t("admin.sessions.label", name=p.name, subject=p.subject, count=p.open_sessions,
                           started=fmt.day(p.latest_start)) for p in people}
    _confirmed_removal("end-sessions", t("admin.sessions.end"), t("admin.sessions.which"), labels,
                       lambda s, chosen: end_sessions_of(s, viewer=viewer, subject=chosen, now=context.now()),
                       t("admin.sessions.ended"))


def _confirmed_removal(key: str, title: str, which: str, labels: dict[int, str], change, success: str) -> None:
    """A form to pick one row and remove it, only after "Olen varma" is ticked."""
    if not labels:
        return
    with st.form(key):
        st.subheader(title)
        chosen = st.selectbox(which, list(labels), format_func=labels.get)
        sure = st.checkbox(t("admin.confirm"))
        if st.form_submit_button(title):
            if sure:
                _act(lambda session: change(session, chosen), success)
            else:
                st.error(t("admin.confirm_needed"))


def _create_link(session, unit: str, label: str, days: int) -> None:
    token = create_kiosk_link(session, viewer=viewer, unit_code=unit, label=label, now=context.now(),
                              valid_days=days or None)
    st.session_state[_NEW_LINK_KEY] = (unit, token)


def _kiosk_tab() -> None:
    st.write(t("admin.kiosk.intro"))
    new_link = st.session_state.pop(_NEW_LINK_KEY, None)
    if new_link:
        unit, token = new_link
        st.success(t("admin.kiosk.created"))
        st.code(f"{st.context.url.split('/admin')[0]}/huddle?unit={unit}&screen={token}", language=None)
    units = _unit_choices(Permission.MANAGE_KIOSK)
    with st.form("add-kiosk", clear_on_submit=True):
        st.subheader(t("admin.kiosk.add"))
        unit = st.selectbox(t("admin.col.unit"), list(units), format_func=units.get, key="kiosk-unit")
        label = st.text_input(t("admin.kiosk.label"), placeholder=t("admin.kiosk.label_example"),
                              key="kiosk-label")
        days = st.number_input(t("admin.kiosk.days"), min_value=0, max_value=3650, value=365, step=1,
                               help=t("admin.kiosk.days_help"))
        if st.form_submit_button(t("admin.kiosk.add"), type="primary"):
            _act(lambda s: _create_link(s, unit or "", label, int(days)), t("admin.kiosk.added"))
    with session_scope(context.engine) as session:
        links = list_kiosk_links(session, viewer=viewer, language=current())
    now = context.now()
    if not links:
        st.info(t("admin.kiosk.none"))
    else:
        st.dataframe(
            [{t("admin.col.unit"): f"{k.unit_name} ({k.unit_code})", t("admin.kiosk.label"): k.label,
              t("admin.col.state"): t("admin.kiosk.valid") if k.is_valid(now) else
              (t("admin.kiosk.revoked") if k.revoked_at else t("admin.kiosk.expired")),
              t("admin.col.created"): fmt.day(k.created_at), t("admin.col.by"): k.created_by,
              t("admin.kiosk.expires"): fmt.day(k.expires_at) if k.expires_at else "–"} for k in links],
            hide_index=True, width="stretch")
    valid = {k.id: f"{k.label} · {k.unit_code}" for k in links if k.is_valid(now)}
    _confirmed_removal("revoke-kiosk", t("admin.kiosk.revoke"), t("admin.kiosk.which"), valid,
                       lambda s, chosen: revoke_kiosk_link(s, viewer=viewer, link_id=chosen, now=context.now()),
                       t("admin.kiosk.revoked_now"))


def _set_staff_names() -> None:
    try:
        with saving(context.engine) as session:
            set_show_staff_names(session, viewer=viewer, show=bool(st.session_state.get("public-staff-names")),
                                 now=context.now())
    except AccessDenied as denied:
        refuse(context, denied)
        return
    public_cache.forget()
    st.toast(t("public.admin.saved"))


def _public_tab() -> None:
    with session_scope(context.engine) as session:
        shown = show_staff_names(session)
    st.session_state["public-staff-names"] = shown
    st.toggle(t("public.admin.staff_names"), key="public-staff-names", help=t("public.admin.staff_names_help"),
              on_change=_set_staff_names)
    _translations_section()


def _translations_section() -> None:
    """Published actions whose public text has no Swedish or English version yet, per unit and language."""
    st.subheader(t("admin.translations.heading"), anchor=False)
    with session_scope(context.engine) as session:
        rows = missing_translations(session, viewer=viewer, language=current())
    if not rows:
        st.write(t("admin.translations.none"))
        return
    st.write(t("admin.translations.intro"))
    st.dataframe([{t("admin.translations.unit"): f"{row.unit_name} ({row.unit_code})",
                   t("admin.translations.language"): t(f"language.name.{row.language}"),
                   t("admin.translations.missing"): row.missing,
                   t("admin.translations.published"): row.published} for row in rows],
                 hide_index=True, width="stretch")


st.title(t("admin.title"))
tabs = []
if may_anywhere(viewer, Permission.MANAGE_KIOSK):
    tabs.append((t("admin.kiosk.tab"), _kiosk_tab))
if may_anywhere(viewer, Permission.MANAGE_GRANTS):
    tabs.append((t("admin.grants.tab"), _grants_tab))
if may_anywhere(viewer, Permission.IMPORT_FEEDBACK):
    tabs.append((t("admin.import.tab"), lambda: import_tab.render(context)))
if may_anywhere(viewer, Permission.CONFIGURE):
    tabs.append((t("public.admin.heading"), _public_tab))
    tabs.append((t("topics.admin.tab"), lambda: topics_tab.render(context)))
if handlers_tab.may_see(viewer):
    tabs.append((t("handlers.tab"), lambda: handlers_tab.render(context)))
for (_, render), tab in zip(tabs, st.tabs([label for label, _ in tabs])):
    with tab:
        render()
