"""One kanban write from a widget callback, and what the next run says about it.

Every write runs in a widget callback, so it carries exactly what the user saw when the widget was drawn
(the theme's or action's version); the callback asks again who the user is, makes one service call in its
own transaction, and leaves a notice that the next run shows beside the card, theme or action it concerns.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from auth.access import AccessDenied, Viewer
from board.handling import InvalidHandling
from board.kanban import IllegalMove
from board.periods import helsinki_date
from board.stages import Stage
from data.editing import StaleEdit, UnknownItem
from data.themes import OverWipLimit
from data.units import UnknownUnit
from pages.ui import format as fmt
from pages.ui.context import AppContext
from pages.ui.plain import ours
from pages.ui.saving import saving
from pages.ui.texts import known, t

LOG = logging.getLogger(__name__)
NOTICES = "kanban.notices"   # where → (kind, text, draft): what the last change said, shown once
PENDING = "kanban.pending"   # theme id → a move waiting for its over-the-limit confirmation
DENIED = "kanban.denied"     # an AccessDenied of a callback, refused (and audited) by the next run
TOAST = "kanban.toast"
OPEN = "kanban.open"         # the id of the theme whose dialog is open
RELOAD = "kanban.reload"     # a change made in the dialog that the board behind it must show

Where = tuple[str, int]


def today(context: AppContext) -> date:
    return helsinki_date(context.now())


def moment(value: datetime) -> str:
    return f"{fmt.day(helsinki_date(value))} {fmt.clock(value)}"


def stage_name(value: str | Stage) -> str:
    return t("stage." + Stage(value).value)


def value(key: str) -> Any:
    return st.session_state.get(key)


def draft(*pairs: tuple[str, str | None]) -> str:
    """What the user typed, kept beside a refusal so that nothing typed is lost."""
    return "\n".join(f"{label}: {value}" for label, value in pairs if (value or "").strip())


# --- Messages --------------------------------------------------------------------------------------

def notice(where: Where, kind: str, text: str, draft: str | None = None) -> None:
    st.session_state.setdefault(NOTICES, {})[where] = (kind, text, draft)


def show_notice(where: Where) -> None:
    found = st.session_state.get(NOTICES, {}).pop(where, None)
    if not found:
        return
    kind, text, draft = found
    if kind == "warning":
        st.warning(ours(text), icon=":material/sync_problem:")
    else:
        st.error(ours(text), icon=":material/block:")
    if draft:
        st.caption(t("kanban.your_draft"))
        st.text(draft)


def show_toast() -> None:
    """The toast of the last change saved, once."""
    toast = st.session_state.pop(TOAST, None)
    if toast:
        st.toast(ours(toast), icon=":material/check_circle:")


def _illegal_text(problem: IllegalMove) -> str:
    key = "kanban.illegal." + problem.reason
    return t(key if known(key) else "kanban.invalid.unknown", current=stage_name(problem.current),
             target=stage_name(problem.target))


def _invalid_text(problem: InvalidHandling) -> str:
    key = "kanban.invalid." + problem.reason
    return t(key if known(key) else "kanban.invalid.unknown")


def act(context: AppContext, where: Where, change: Callable[[Session, Viewer, datetime], Any], success: str, *,
        stale: str = "kanban.stale", draft: str | None = None,
        over_limit: Callable[[OverWipLimit], None] | None = None) -> bool:
    """One change as the user asked again now, in its own transaction; a refusal changes nothing."""
    viewer = context.resolve()
    if viewer is None:
        notice(where, "error", t("kanban.signed_out"))
        return False
    try:
        with saving(context.engine) as session:
            change(session, viewer, context.now())
    except StaleEdit as problem:
        gone = problem.current.version is None
        notice(where, "warning", t("kanban.stale_gone" if gone else stale), draft)
    except OverWipLimit as problem:
        if over_limit is None:
            raise
        over_limit(problem)
    except IllegalMove as problem:
        notice(where, "error", _illegal_text(problem), draft)
    except InvalidHandling as problem:
        notice(where, "error", _invalid_text(problem), draft)
    except (UnknownItem, UnknownUnit):
        notice(where, "error", t("kanban.unknown"))
    except AccessDenied as denied:
        st.session_state[DENIED] = denied
    except SQLAlchemyError:
        LOG.exception("a kanban change at %s could not be saved", where)
        notice(where, "error", t("kanban.db_error"), draft)
    else:
        st.session_state[TOAST] = success
        return True
    return False


# --- The open theme ---------------------------------------------------------------------------------

def open_theme(theme_id: int) -> None:
    st.session_state[OPEN] = theme_id


def close_theme() -> None:
    st.session_state.pop(OPEN, None)
