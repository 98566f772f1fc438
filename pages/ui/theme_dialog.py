"""A theme opened in a dialog: its facts and figures, then tabs for its action log, its history and its edit form."""
from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from auth.access import AccessDenied
from board.likert import STATEMENTS
from data.actions import theme_actions
from data.db import session_scope
from data.editing import UnknownItem
from data.kanban import KanbanCard
from data.themes import HistoryEntry, edit_theme, theme_history
from pages.ui import format as fmt
from pages.ui.action_log import action_log
from pages.ui.context import AppContext
from pages.ui.kanban_card import exit_note, owner_text
from pages.ui.kanban_figures import theme_figures
from pages.ui.language import current
from pages.ui.kanban_outcome import (DENIED, OPEN, RELOAD, act, close_theme, draft, moment, show_notice, show_toast,
                                     stage_name, value)
from pages.ui.plain import inert
from pages.ui.texts import known, t

LOG = logging.getLogger(__name__)


# --- History ---------------------------------------------------------------------------------------

def _history_value(name: str, value: Any) -> str:
    if value is None or value == "":
        return t("kanban.history.empty")
    if name == "stage":
        return stage_name(value)
    if name in ("stage_since", "development_started_at", "published_at") and isinstance(value, str):
        return moment(datetime.fromisoformat(value))
    if name == "taken_on" and isinstance(value, str):
        return fmt.day(date.fromisoformat(value))
    if name == "topic":
        return next((getattr(s, current()) for s in STATEMENTS if s.key == value), str(value))
    if name == "feedback_id":
        return t("kanban.history.feedback_number", number=value)
    if name == "origin" and str(value).startswith("duel:"):
        return t("kanban.history.origin_duel")
    return str(value)


def _history_change(entry: HistoryEntry) -> str:
    before, after = entry.before or {}, entry.after or {}
    parts = []
    for name in [*after, *(n for n in before if n not in after)]:
        if name in ("stage_since", "theme_id"):
            continue
        if name == "over_wip_limit":
            over = after[name] or {}
            detail = t("kanban.history.over_limit", limit=over.get("limit"), cards=over.get("cards_before"))
            parts.append(f"{t('kanban.field.over_wip_limit')} ({detail})")
            continue
        label = t(f"kanban.field.{name}") if known(f"kanban.field.{name}") else name
        if name in before and name in after:
            parts.append(f"{label}: {_history_value(name, before[name])} → {_history_value(name, after[name])}")
        elif name in after:
            if after[name] not in (None, ""):
                parts.append(f"{label}: {_history_value(name, after[name])}")
        else:
            parts.append(f"{label}: {_history_value(name, before[name])} → {t('kanban.history.empty')}")
    return "; ".join(parts)


def _history(theme_id: int, entries: list[HistoryEntry]) -> None:
    """Newest first: when, what and who on one line, then what changed (user text, shown as is)."""
    if not entries:
        st.write(t("kanban.history.none"))
        return
    with st.container(key=f"history-{theme_id}", height=440 if len(entries) > 6 else "content", border=False):
        for entry in reversed(entries):
            key = f"kanban.history.{entry.action}"
            what = t(key) if known(key) else entry.action
            st.markdown(f"**{moment(entry.at)} · {inert(what)}** · {inert(entry.actor)}")
            change = _history_change(entry)
            if change:
                st.text(change)


# --- The edit form ---------------------------------------------------------------------------------

def _edit_theme(context: AppContext, theme_id: int, seen_version: int, prefix: str) -> None:
    title, description, owner = (value(f"{prefix}-{name}") or "" for name in ("title", "description", "owner"))
    translations = {language: value(f"{prefix}-title-{language}") for language in ("sv", "en")}
    st.session_state[RELOAD] = True
    act(context, ("dialog", theme_id),
        lambda session, viewer, now: edit_theme(session, viewer=viewer, theme_id=theme_id,
                                                seen_version=seen_version, title=title, description=description,
                                                owner=owner, translations=translations, now=now),
        t("kanban.edit.done"),
        draft=draft((t("kanban.field.title"), title), (t("kanban.field.title_sv"), translations["sv"]),
                    (t("kanban.field.title_en"), translations["en"]),
                    (t("kanban.field.description"), description), (t("kanban.field.owner"), owner)))


def _edit_form(context: AppContext, card: KanbanCard) -> None:
    prefix = f"edit-theme-{card.id}-v{card.version}"
    with st.form(prefix, border=False):
        # The title side by side in Finnish (needed) and in Swedish and English for wall boards in those languages.
        columns = st.columns(3)
        columns[0].text_input(t("kanban.field.title"), value=card.title, key=f"{prefix}-title", max_chars=200)
        columns[1].text_input(t("kanban.field.title_sv"), value=card.title_sv or "", key=f"{prefix}-title-sv",
                              max_chars=200, help=t("kanban.field.title_translation_help"))
        columns[2].text_input(t("kanban.field.title_en"), value=card.title_en or "", key=f"{prefix}-title-en",
                              max_chars=200, help=t("kanban.field.title_translation_help"))
        st.text_area(t("kanban.field.description"), value=card.description, key=f"{prefix}-description",
                     height=120)
        st.text_input(t("kanban.field.owner"), value=card.owner or "", key=f"{prefix}-owner", max_chars=200)
        st.form_submit_button(t("kanban.edit.submit"), type="primary", on_click=_edit_theme,
                              args=(context, card.id, card.version, prefix))


# --- The dialog ------------------------------------------------------------------------------------

def _facts(card: KanbanCard) -> None:
    st.markdown(f"### {inert(card.title)}")
    facts = [t("kanban.detail.stage", stage=stage_name(card.stage), days=fmt.number(card.days_in_stage)),
             owner_text(card), t("kanban.card.feedback", count=fmt.number(card.feedback_count)),
             t("kanban.card.unit", unit=inert(card.unit_name))]
    st.caption(" · ".join(facts))
    exit_note(card)
    if card.description:
        st.text(card.description)
    else:
        st.caption(t("kanban.detail.no_description"))


def _dialog_body(context: AppContext, card: KanbanCard, can_edit: bool) -> None:
    # A change here that the board must show, a refusal, or closing: the whole page runs again.
    if any(key in st.session_state for key in (RELOAD, DENIED)) or st.session_state.get(OPEN) != card.id:
        st.rerun()
    show_toast()
    viewer = context.resolve()
    if viewer is None:
        st.rerun()
    try:
        with session_scope(context.engine) as session:
            actions = theme_actions(session, viewer=viewer, theme_id=card.id)
            history = theme_history(session, viewer=viewer, theme_id=card.id)
    except UnknownItem:
        st.info(t("kanban.detail.gone"))
        return
    except AccessDenied as denied:
        st.session_state[DENIED] = denied
        close_theme()
        st.rerun()
    except SQLAlchemyError:
        LOG.exception("theme %s could not be read", card.id)
        st.error(t("kanban.read_error"))
        return
    show_notice(("dialog", card.id))
    _facts(card)
    theme_figures(card, full=True, min_n=context.settings.min_n)
    labels = [t("kanban.actions.tab"), t("kanban.history.tab")] + ([t("kanban.edit.tab")] if can_edit else [])
    tabs = st.tabs(labels)
    with tabs[0]:
        action_log(context, card, actions, can_edit)
    with tabs[1]:
        _history(card.id, history)
    if can_edit:
        with tabs[2]:
            _edit_form(context, card)
    st.button(t("kanban.detail.close"), key="close-theme", on_click=close_theme)


def theme_dialog(context: AppContext, card: KanbanCard, can_edit: bool) -> None:
    """The opened theme; its title is made in this run, so that it speaks the reader's language."""
    st.dialog(t("kanban.detail.title"), width="large", on_dismiss=close_theme)(_dialog_body)(context, card, can_edit)
