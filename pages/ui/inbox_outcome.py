"""One inbox write from a widget callback, and what the next run tells when it was refused.

Every write runs in the callback of the button the user clicked, with the id and version of the row
as that button was rendered: the version the user saw. A change made by someone else in between is
caught as a StaleEdit, never overwritten, and the run that follows shows the rows as they are now.
"""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from sqlmodel import Session

from auth.access import AccessDenied
from board.handling import InvalidHandling
from board.kanban import IllegalMove
from data.editing import StaleEdit, UnknownItem
from data.inbox import InboxRow
from pages.ui import format as fmt
from pages.ui.context import AppContext
from pages.ui.inbox_text import arrival_text, state_text
from pages.ui.refusal import refuse
from pages.ui.saving import saving
from pages.ui.texts import t

OUTCOME = "inbox.outcome"      # why the last write was refused, shown once in the run that follows
SAVED = ":material/check_circle:"  # the icon of the toast that says a change was saved


def act(context: AppContext, target: str, change: Callable[[Session], object]) -> bool:
    """One change in its own transaction, from a widget callback; a refusal is kept for the run that follows.

    True when the change was saved: the caller then says so in a toast (`SAVED`).
    """
    try:
        with saving(context.engine) as session:
            change(session)
    except StaleEdit as stale:
        st.session_state[OUTCOME] = {"target": target, "kind": "stale", "states": list(stale.states)}
    except (InvalidHandling, IllegalMove) as invalid:
        st.session_state[OUTCOME] = {"target": target, "kind": "invalid", "reason": invalid.reason}
    except UnknownItem:
        st.session_state[OUTCOME] = {"target": target, "kind": "unknown"}
    except AccessDenied as denied:
        refuse(context, denied)
    else:
        return True
    return False


def take_outcome() -> dict | None:
    """The refusal of the last write, once."""
    return st.session_state.pop(OUTCOME, None)


def _invalid_text(reason: str) -> str:
    try:
        message = t("inbox.invalid." + reason)
    except KeyError:
        message = t("inbox.invalid.unknown")
    return t("inbox.invalid", message=message)


def show_outcome(outcome: dict, rows: dict[int, InboxRow]) -> None:
    if outcome["kind"] == "invalid":
        st.error(_invalid_text(outcome["reason"]), icon=":material/error:")
    elif outcome["kind"] == "unknown":
        st.error(t("inbox.unknown"), icon=":material/error:")
    else:
        states = outcome["states"]
        single = outcome["target"] != "bulk"
        message = t("inbox.stale") if single else t("inbox.stale_many", n=fmt.number(len(states)))
        lines = []
        for state in states:
            if state.version is None:
                lines.append(t("inbox.stale_gone"))
                continue
            row = rows.get(state.id)
            lines.append(t("inbox.stale_state", when=arrival_text(row.received_at), state=state_text(state)) if row
                         else state_text(state))
        st.warning(message + "\n\n" + "  \n".join(f"**{line}**" if single else f"– {line}" for line in lines),
                   icon=":material/sync_problem:")
