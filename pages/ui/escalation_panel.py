"""Escalation between tiers on a unit's board and kanban: what came from below, what the unit sent up, and the answers."""
from __future__ import annotations

import streamlit as st

from auth.access import may_anywhere
from auth.roles import Permission
from board.huddle import ESCALATION_NOTE_MAX
from data.db import session_scope
from data.escalation import (
    OPEN,
    EscalationRow,
    escalatable_themes,
    escalate_theme,
    escalations,
    forward_escalation,
    return_escalation,
    take_escalation,
)
from pages.ui.context import AppContext
from pages.ui.huddle_mode import REFUSED, refusal_key
from pages.ui.language import current
from pages.ui.plain import inert
from pages.ui.saving import saving
from pages.ui.texts import t

PATH_ARROW = " → "


def escalation_panel(context: AppContext, unit_code: str) -> None:
    """Incoming escalations (with take / send back / forward for a supervisor) and the unit's own, as they stand."""
    may_edit = not context.viewer.is_kiosk and may_anywhere(context.viewer, Permission.EDIT_THEMES)
    with session_scope(context.engine) as session:
        view = escalations(session, viewer=context.viewer, unit_code=unit_code, language=current())
    done = st.session_state.pop("vartti.escalation.done", None)
    if done:
        st.success(t(done))
    incoming, sent = st.columns(2, gap="medium")
    with incoming, st.container(key="escalations-incoming"):
        st.markdown("**" + t("hm.escalations.incoming") + "**")
        if not view.incoming:
            st.write(t("hm.escalations.none_incoming"))
        for row in view.incoming:
            _item(row)
            if may_edit and row.state == OPEN:
                _answer(context, row)
    with sent, st.container(key="escalations-sent"):
        st.markdown("**" + t("hm.escalations.sent") + "**")
        if not view.sent:
            st.write(t("hm.escalations.none_sent"))
        for row in view.sent:
            _item(row)
        if may_edit:
            _escalate_form(context, unit_code)


def _item(row: EscalationRow) -> None:
    st.markdown(t("hm.escalations.item", title=inert(row.title), state=t(f"hm.escalation.state.{row.state}"),
                  path=inert(PATH_ARROW.join(row.path)), reason=inert(row.reason)))
    if row.answer_note and row.state == "returned":
        st.markdown(t("hm.escalations.note", note=inert(row.answer_note)))


def _answer(context: AppContext, row: EscalationRow) -> None:
    with st.form(f"escalation-answer-{row.id}"):
        note = st.text_input(t("hm.answer.note"), max_chars=ESCALATION_NOTE_MAX, key=f"esc-note-{row.id}")
        take, back, onward = st.columns(3)
        chosen = None
        with take:
            if st.form_submit_button(t("hm.answer.take"), type="primary"):
                chosen = "take"
        with back:
            if st.form_submit_button(t("hm.answer.return")):
                chosen = "return"
        with onward:
            if st.form_submit_button(t("hm.answer.forward")):
                chosen = "forward"
    if chosen:
        _do(context, chosen, row, note)


def _do(context: AppContext, chosen: str, row: EscalationRow, note: str) -> None:
    common = {"viewer": context.viewer, "escalation_id": row.id, "seen_version": row.version, "now": context.now()}
    try:
        with saving(context.engine) as session:
            if chosen == "take":
                take_escalation(session, **common)
            elif chosen == "return":
                return_escalation(session, note=note, **common)
            else:
                forward_escalation(session, reason=note, **common)
    except REFUSED as problem:
        st.error(t(refusal_key(problem)))
        return
    st.session_state["vartti.escalation.done"] = "hm.answer.done"
    st.rerun()


def _escalate_form(context: AppContext, unit_code: str) -> None:
    try:
        with session_scope(context.engine) as session:
            themes = escalatable_themes(session, viewer=context.viewer, unit_code=unit_code)
    except REFUSED:
        return  # not a supervisor of this unit: nothing to escalate here
    with st.expander(t("hm.escalate.title")):
        if not themes:
            st.write(t("hm.escalate.none"))
            return
        with st.form("escalate"):
            chosen = st.selectbox(t("hm.escalate.theme"), themes, format_func=lambda theme: theme.title)
            reason = st.text_area(t("hm.escalate.reason"), max_chars=ESCALATION_NOTE_MAX)
            sent = st.form_submit_button(t("hm.escalate.send"), type="primary")
        if sent:
            try:
                with saving(context.engine) as session:
                    escalate_theme(session, viewer=context.viewer, theme_id=chosen.id, seen_version=chosen.version,
                                   reason=reason, now=context.now())
            except REFUSED as problem:
                st.error(t(refusal_key(problem)))
                return
            st.session_state["vartti.escalation.done"] = "hm.escalate.sent"
            st.rerun()
