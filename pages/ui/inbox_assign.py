"""Who answers a feedback: the colleague its reply is assigned to, and the form that assigns or frees it (issue 15)."""
from __future__ import annotations

import streamlit as st

from data.assignment import Assignee, assign_reply
from data.inbox import InboxRow
from pages.ui.context import AppContext
from pages.ui.inbox_outcome import SAVED, act
from pages.ui.inbox_text import user_text
from pages.ui.texts import t

CHOSEN = "inbox-assign-to-{}"


def _on_assign(context: AppContext, feedback_id: int, seen: int, free: bool) -> None:
    assignee = None if free else st.session_state.get(CHOSEN.format(feedback_id))
    if not free and not assignee:
        return
    if act(context, f"item:{feedback_id}", lambda s: assign_reply(
            s, viewer=context.viewer, feedback_id=feedback_id, seen_version=seen, assignee=assignee,
            now=context.now())):
        st.toast(t("inbox.done.unassign") if free else t("inbox.done.assign"), icon=SAVED)


def assigned_badge(row: InboxRow) -> None:
    """Whose reply it is, when it is someone's: "Minulle" for the viewer's own."""
    if row.assigned_to_me:
        st.badge(t("inbox.assign.me"), color="violet", icon=":material/person:")
    elif row.assigned_name:
        st.caption(t("inbox.assign.to", name=user_text(row.assigned_name)))


def assign_form(context: AppContext, row: InboxRow, people: list[Assignee]) -> None:
    """The popover that gives the reply to a colleague with supervisor access to the unit, or frees it."""
    with st.popover(t("inbox.act.assign"), icon=":material/person_add:"):
        if not people:
            st.caption(t("inbox.act.assign_none"))
            return
        names = {person.principal: person.name for person in people}
        current = row.assigned_to if row.assigned_to in names else None
        with st.form(f"inbox-assign-{row.id}", border=False):
            st.selectbox(t("inbox.act.assign_to"), list(names), index=list(names).index(current) if current else None,
                         format_func=lambda principal: names[principal], key=CHOSEN.format(row.id),
                         placeholder=t("inbox.act.assign_placeholder"), help=t("inbox.act.assign_help"))
            st.form_submit_button(t("inbox.act.save"), type="primary", key=f"inbox-assign-save-{row.id}",
                                  on_click=_on_assign, args=(context, row.id, row.version, False))
        if row.assigned_to:
            st.button(t("inbox.act.unassign"), key=f"inbox-unassign-{row.id}", icon=":material/person_remove:",
                      on_click=_on_assign, args=(context, row.id, row.version, True))
