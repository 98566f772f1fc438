"""The "Palautteenkäsittelijät" tab of /admin: a unit's handlers (admin or the unit's supervisor) and the last notify run."""
from __future__ import annotations

import streamlit as st

from auth.access import AccessDenied, Viewer, may_anywhere
from board.periods import helsinki_date
from data.db import session_scope
from data.handlers import SETTERS, HandlerError, add_handler, handler_units, last_notify_run, list_handlers, remove_handler
from pages.ui import format as fmt
from pages.ui.context import AppContext
from pages.ui.plain import inert
from pages.ui.refusal import refuse
from pages.ui.saving import saving
from pages.ui.texts import t


def may_see(viewer: Viewer) -> bool:
    """Admins and supervisors have the tab; the services decide unit by unit."""
    return any(may_anywhere(viewer, permission) for permission in SETTERS)


def _act(context: AppContext, change, success: str) -> None:
    try:
        with saving(context.engine) as session:
            change(session)
    except HandlerError as problem:
        st.error(t("handlers.error." + problem.reason))
        return
    except AccessDenied as denied:
        refuse(context, denied)
        return
    st.toast(success)
    st.rerun()


def _last_run(context: AppContext) -> None:
    st.subheader(t("handlers.run.heading"))
    with session_scope(context.engine) as session:
        run = last_notify_run(session, viewer=context.viewer)
    if run is None:
        st.info(t("handlers.run.none"))
        return
    when = f"{fmt.day(helsinki_date(run.started_at))} {fmt.clock(run.started_at)}"
    summary = t("handlers.run.summary", when=when, sent=run.sent, failed=run.failed)
    (st.warning if run.failed or run.problem else st.success)(summary)
    if run.problem:
        # Graph's or the setting's words: not ours, so inert.
        st.error(t("handlers.run.problem", problem=inert(run.problem)))
    if run.failures:
        st.dataframe([{t("admin.col.unit"): f["unit"], t("handlers.col.kind"): t("handlers.kind." + f["kind"]),
                       t("handlers.col.address"): ", ".join(f["to"]), t("handlers.col.error"): f["error"]}
                      for f in run.failures], hide_index=True, width="stretch")
        st.caption(t("handlers.run.retry"))


def render(context: AppContext) -> None:
    """The whole tab; a unit outside the viewer's scope is never listed or changed (the services refuse it)."""
    viewer, language = context.viewer, context.language
    st.write(t("handlers.intro"))
    with session_scope(context.engine) as session:
        units = {u.code: f"{u.name(language)} ({u.code})" for u in handler_units(session, viewer=viewer)}
        handlers = list_handlers(session, viewer=viewer, language=language)
    if not handlers:
        st.info(t("handlers.none"))
    else:
        st.dataframe([{t("admin.col.unit"): f"{h.unit_name} ({h.unit_code})", t("handlers.col.address"): h.address,
                       t("admin.col.created"): fmt.day(h.created_at), t("admin.col.by"): h.created_by}
                      for h in handlers], hide_index=True, width="stretch")
    with st.form("add-handler", clear_on_submit=True):
        st.subheader(t("handlers.add"))
        unit = st.selectbox(t("admin.col.unit"), list(units), format_func=units.get, key="handler-unit")
        address = st.text_input(t("handlers.address"), help=t("handlers.address_help"), key="handler-address")
        if st.form_submit_button(t("handlers.add"), type="primary"):
            _act(context, lambda s: add_handler(s, viewer=viewer, unit_code=unit or "", address=address,
                                                now=context.now()), t("handlers.added"))
    labels = {h.id: f"{h.address} · {h.unit_code}" for h in handlers}
    if labels:
        with st.form("remove-handler"):
            st.subheader(t("handlers.remove"))
            chosen = st.selectbox(t("handlers.which"), list(labels), format_func=labels.get)
            sure = st.checkbox(t("admin.confirm"))
            if st.form_submit_button(t("handlers.remove")):
                if sure:
                    _act(context, lambda s: remove_handler(s, viewer=viewer, handler_id=chosen, now=context.now()),
                         t("handlers.removed"))
                else:
                    st.error(t("admin.confirm_needed"))
    _last_run(context)
