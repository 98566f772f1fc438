"""One theme's card on the kanban: its facts, its figures, the move to another stage and the button that opens it.

A move over a column's WIP limit waits on the card for the user's confirmation (`PENDING`).
"""
from __future__ import annotations

import streamlit as st

from board.kanban import MOVES, NOTE_MAX
from board.stages import EXITS, Stage
from data.kanban import STAGE_ORDER, KanbanCard, KanbanView
from data.public_loop import publish_theme_reason
from data.themes import OverWipLimit, move_theme
from pages.ui import format as fmt
from pages.ui import public_cache
from pages.ui.context import AppContext
from pages.ui.kanban_figures import theme_figures
from pages.ui.kanban_outcome import PENDING, act, notice, open_theme, show_notice, stage_name, value
from pages.ui.plain import inert
from pages.ui.texts import t
from pages.ui.relabel import relabelled


def _move(context: AppContext, theme_id: int, seen_version: int, keys: dict[str, str], confirmed: bool = False) -> None:
    if confirmed:
        pending = st.session_state.get(PENDING, {}).pop(theme_id, None)
        if pending is None:
            return
        target, escalated_to, reason = pending["target"], pending["escalated_to"], pending["reason"]
    else:
        st.session_state.get(PENDING, {}).pop(theme_id, None)
        target, escalated_to, reason = value(keys["target"]), value(keys["where"]), value(keys["why"])
    if target is None:
        notice(("card", theme_id), "error", t("kanban.move.pick_first"))
        return

    def wait_for_confirmation(problem: OverWipLimit) -> None:
        st.session_state.setdefault(PENDING, {})[theme_id] = {
            "target": target, "escalated_to": escalated_to, "reason": reason, "version": seen_version,
            "keys": keys, "count": problem.count, "limit": problem.limit}

    act(context, ("card", theme_id),
        lambda session, viewer, now: move_theme(
            session, viewer=viewer, theme_id=theme_id, seen_version=seen_version, target=Stage(target),
            escalated_to=escalated_to, reason=reason, confirm_over_limit=confirmed,
            wip=context.settings.wip_limits, now=now),
        t("kanban.move.done", stage=stage_name(target)), over_limit=wait_for_confirmation)


def _confirm_move(context: AppContext, theme_id: int) -> None:
    pending = st.session_state.get(PENDING, {}).get(theme_id)
    if pending:
        _move(context, theme_id, pending["version"], pending["keys"], confirmed=True)


def _cancel_move(theme_id: int) -> None:
    st.session_state.get(PENDING, {}).pop(theme_id, None)


def _move_controls(context: AppContext, card: KanbanCard) -> None:
    pending = st.session_state.get(PENDING, {}).get(card.id)
    if pending:
        st.warning(t("kanban.move.over_limit", stage=stage_name(pending["target"]),
                     count=fmt.number(pending["count"]), limit=fmt.number(pending["limit"])),
                   icon=":material/warning:")
        yes, no = st.columns(2)
        yes.button(t("kanban.move.confirm"), key=f"confirm-{card.id}", type="primary", width="stretch",
                   on_click=_confirm_move, args=(context, card.id))
        no.button(t("kanban.move.cancel"), key=f"cancel-{card.id}", width="stretch",
                  on_click=_cancel_move, args=(card.id,))
        return
    suffix = f"{card.id}-v{card.version}"
    keys = {"target": f"move-{suffix}", "where": f"move-where-{suffix}", "why": f"move-why-{suffix}"}
    targets = [stage for stage in STAGE_ORDER if stage in MOVES[card.stage]]
    # One above the other: side by side, a card of a narrow column cut both to a few letters.
    target = st.selectbox(t("kanban.move.label"), targets, index=None, format_func=stage_name,
                          key=relabelled(keys["target"]), placeholder=t("kanban.move.placeholder"),
                          label_visibility="collapsed")
    # An exit asks "where to" or "why" first, so the button comes after it.
    if target == Stage.ESCALATED:
        st.text_input(t("kanban.move.where"), key=keys["where"], max_chars=NOTE_MAX,
                      placeholder=t("kanban.move.where_help"))
    elif target == Stage.NOT_PURSUED:
        st.text_input(t("kanban.move.why"), key=keys["why"], max_chars=NOTE_MAX)
    st.button(t("kanban.move.button"), key=f"move-button-{suffix}", icon=":material/arrow_forward:",
              width="stretch", type="primary" if target else "secondary",
              on_click=_move, args=(context, card.id, card.version, keys))


def owner_text(card: KanbanCard) -> str:
    return t("kanban.card.owner", owner=inert(card.owner)) if card.owner else t("kanban.card.no_owner")


def exit_note(card: KanbanCard) -> None:
    """Where an escalated theme went, or why a theme is not pursued."""
    if card.stage == Stage.ESCALATED and card.escalated_to:
        st.markdown(t("kanban.card.escalated_to", where=inert(card.escalated_to)))
    if card.stage == Stage.NOT_PURSUED and card.not_pursued_reason:
        st.markdown(t("kanban.card.reason", reason=inert(card.not_pursued_reason)))


def _publish_reason(context: AppContext, card: KanbanCard, publish: bool) -> None:
    change = lambda session, viewer, now: publish_theme_reason(  # noqa: E731
        session, viewer=viewer, theme_id=card.id, seen_version=card.version, publish=publish, now=now)
    if act(context, ("card", card.id), change,
           t("kanban.reason.published" if publish else "kanban.reason.withdrawn")):
        public_cache.forget()


def reason_control(context: AppContext, card: KanbanCard) -> None:
    """Publish an escalated or not-pursued theme's target or reason on the public page, or withdraw it."""
    if card.stage not in EXITS or not (card.escalated_to or card.not_pursued_reason):
        return
    if card.reason_published:
        st.caption(t("kanban.reason.is_public"))
    st.button(t("kanban.reason.withdraw" if card.reason_published else "kanban.reason.publish"),
              key=f"reason-publish-{card.id}", icon=":material/public:", type="tertiary",
              on_click=_publish_reason, args=(context, card, not card.reason_published))


def kanban_card(context: AppContext, view: KanbanView, card: KanbanCard) -> None:
    with st.container(border=True, key=f"card-{card.id}"):
        show_notice(("card", card.id))
        st.markdown(f"**{inert(card.title)}**")
        facts = [owner_text(card), t("kanban.card.days", days=fmt.number(card.days_in_stage)),
                 t("kanban.card.feedback", count=fmt.number(card.feedback_count))]
        if card.unit_code != view.unit_code:
            facts.insert(0, t("kanban.card.unit", unit=inert(card.unit_name)))
        st.caption(" · ".join(facts))
        exit_note(card)
        theme_figures(card, full=False, min_n=context.settings.min_n)
        if view.can_edit:
            reason_control(context, card)
            _move_controls(context, card)
        st.button(t("kanban.open"), key=f"open-{card.id}", icon=":material/history_edu:", type="tertiary",
                  on_click=open_theme, args=(card.id,))
