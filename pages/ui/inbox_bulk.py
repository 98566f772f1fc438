"""Handling many inbox items at once: pick them, choose what to do, do it to all or none."""
from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from board.periods import helsinki_date, helsinki_midnight_utc
from data.handling import HandleAction, handle_many
from data.themes import ThemeChoice
from pages.ui import format as fmt
from pages.ui.context import AppContext
from pages.ui.inbox_item import PICK
from pages.ui.inbox_outcome import SAVED, act, show_outcome
from pages.ui.relabel import relabelled
from pages.ui.texts import t
from pages.ui.theme_picker import by_title, theme_given, theme_labels

BULK_ACTIONS = ("reply_sent", "no_reply_needed", "attach", "quote", "unquote")


def picked_items(rows, handles: dict[int, bool]) -> list[tuple[int, int]]:
    """(id, version shown) of the items on the page whose checkbox is ticked."""
    return [(row.id, row.version) for row in rows if handles[row.id] and st.session_state.get(PICK.format(row.id))]


def _select(ids: list[int], on: bool) -> None:
    for feedback_id in ids:
        st.session_state[PICK.format(feedback_id)] = on


def _on_bulk(context: AppContext, picked: list[tuple[int, int]], existing: dict[str, int]) -> None:
    now = context.now()
    action = st.session_state.get("inbox-bulk-action") or BULK_ACTIONS[0]
    verb = HandleAction.QUOTE if action in ("quote", "unquote") else HandleAction(action)
    details: dict = {}
    if verb is HandleAction.REPLY_SENT:
        day = st.session_state.get("inbox-bulk-date") or helsinki_date(now)
        details["replied_at"] = now if day >= helsinki_date(now) else \
            min(helsinki_midnight_utc(day) + timedelta(hours=12), now)
    elif verb is HandleAction.NO_REPLY_NEEDED:
        details["reason"] = st.session_state.get("inbox-bulk-reason") or ""
    elif verb is HandleAction.ATTACH:
        details.update(theme_given("inbox-bulk", existing))
    else:
        details["picked"] = action == "quote"
    if act(context, "bulk", lambda s: handle_many(s, viewer=context.viewer, items=picked, action=verb, now=now,
                                                  **details)):
        _select([i for i, _ in picked], False)
        st.toast(t("inbox.done.many", n=len(picked)), icon=SAVED)


def bulk_bar(context: AppContext, picked: list[tuple[int, int]], page_ids: list[int], choices: list[ThemeChoice],
             outcome: dict | None, today: date) -> None:
    """The bar (`inbox-bulk`) that selects the page's items and does one thing to all picked."""
    with st.container(border=True, key="inbox-bulk"):
        if outcome:
            show_outcome(outcome, {})
        head = st.columns([3, 2], vertical_alignment="center")
        head[0].markdown(f"**{t('inbox.bulk.title')}** \u2002 " + (
            t("inbox.bulk.selected", n=len(picked)) if picked else f":gray[{t('inbox.bulk.none')}]"))
        with head[1], st.container(horizontal=True, horizontal_alignment="right"):
            st.button(t("inbox.bulk.all"), key="inbox-bulk-all", on_click=_select, args=(page_ids, True),
                      icon=":material/select_all:", type="tertiary", disabled=not page_ids)
            st.button(t("inbox.bulk.clear"), key="inbox-bulk-clear", on_click=_select, args=(page_ids, False),
                      icon=":material/deselect:", type="tertiary", disabled=not picked)
        if not picked:
            return
        cells = st.columns([1.4, 3, 1.2], vertical_alignment="bottom")
        action = cells[0].selectbox(t("inbox.bulk.action"), BULK_ACTIONS, format_func=lambda a: t("inbox.bulk." + a),
                                    key=relabelled("inbox-bulk-action"))
        with cells[1]:
            if action == "reply_sent":
                st.date_input(t("inbox.act.reply_date"), value=today, max_value=today, format=fmt.date_entry(),
                              key="inbox-bulk-date")
            elif action == "no_reply_needed":
                st.text_input(t("inbox.act.no_reply_reason"), max_chars=400,
                              placeholder=t("inbox.act.no_reply_placeholder"), key="inbox-bulk-reason")
            elif action == "attach":
                inner = st.columns(2, vertical_alignment="bottom")
                with inner[0]:
                    labels = theme_labels(choices)
                    st.selectbox(t("inbox.act.theme"), list(labels), format_func=labels.get, index=None,
                                 placeholder=t("inbox.act.theme_pick"), key=relabelled("inbox-bulk-theme"))
                with inner[1]:
                    st.text_input(t("inbox.act.new_theme"), help=t("inbox.act.new_theme_help"),
                                  key="inbox-bulk-new", max_chars=200)
        cells[2].button(t("inbox.bulk.do", n=len(picked)), type="primary", key="inbox-bulk-do", width="stretch",
                        on_click=_on_bulk, args=(context, picked, by_title(choices)))
