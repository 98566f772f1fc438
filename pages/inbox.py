"""`/inbox`: the feedback of the viewer's units, newest first: filters, replies, themes, quotes — one or many.

The page lays out the filter bar, the pager, the bar for many items and one card per item; the
widgets and their forms live in pages/ui/ (inbox_filters, inbox_bulk, inbox_item, inbox_outcome).
"""
from __future__ import annotations

from datetime import datetime

import streamlit as st

from auth.access import AccessDenied, can, may_anywhere
from auth.roles import Permission
from board.periods import helsinki_date
from data.assignment import Assignee, assignees
from data.db import session_scope
from data.inbox import INBOX_PAGE, InboxPage, InboxRow, inbox
from data.models import Unit
from data.themes import ThemeChoice, theme_choices
from data.units import UnknownUnit, list_units
from pages.ui.context import app_context
from pages.ui.inbox_bulk import bulk_bar, picked_items
from pages.ui.inbox_filters import clear_filters, filter_bar, first_page, page_number, pager
from pages.ui.inbox_item import inbox_item
from pages.ui.inbox_outcome import show_outcome, take_outcome
from pages.ui.language import current
from pages.ui.refusal import refuse
from pages.ui.texts import t
from pages.ui import topic_tags, topic_trends
from pages.ui.topic_tags import PageTopics

context = app_context()
viewer = context.viewer


def _fits(choice: ThemeChoice, row: InboxRow, units: dict[str, Unit]) -> bool:
    """A theme collects feedback of its own unit's subtree only."""
    home, theme_unit = units.get(row.unit_code), units.get(choice.unit_code)
    return home is None or theme_unit is None or home.path.startswith(theme_unit.path)


def _read(now: datetime) -> tuple[dict[str, Unit], InboxPage, list[ThemeChoice], PageTopics,
                                   dict[str, list[Assignee]]]:
    """The filter bar, this page of results, their topics and whom a reply can be given to, read in the
    rerun's one session."""
    with session_scope(context.engine) as session:
        units = {u.code: u for u in list_units(session, viewer=viewer, permission=Permission.VIEW_FEEDBACK)}
        filters = filter_bar(units, helsinki_date(now), context.settings)
        offset = page_number() * INBOX_PAGE
        page = inbox(session, viewer=viewer, filters=filters, now=now, settings=context.settings,
                     limit=INBOX_PAGE, offset=offset, language=current())
        if offset and offset >= page.total:  # fewer results than before: back to the first page
            first_page()
            page = inbox(session, viewer=viewer, filters=filters, now=now, settings=context.settings,
                         limit=INBOX_PAGE, offset=0, language=current())
        choices = theme_choices(session, viewer=viewer)
        topics = topic_tags.page_topics(session, viewer, [row.id for row in page.rows])
        shown = {row.unit_code for row in page.rows if row.reply_requested}
        people = assignees(session, viewer=viewer, units=[units[code] for code in shown if code in units])
    return units, page, choices, topics, people


def main() -> None:
    now = context.now()
    today = helsinki_date(now)
    st.title(t("nav.inbox"), anchor=False)
    st.caption(t("inbox.intro"))
    topic_trends.render(context)
    if not may_anywhere(viewer, Permission.HANDLE_FEEDBACK):
        st.info(t("inbox.read_only"), icon=":material/visibility:")
    try:
        units, page, choices, (views, topics), people = _read(now)
    except AccessDenied as denied:
        refuse(context, denied)
        return
    except UnknownUnit:  # a unit closed since the filter was set
        clear_filters()
        st.rerun()
    outcome = take_outcome()
    target = outcome["target"] if outcome else None
    in_card = any(target == f"item:{row.id}" for row in page.rows)
    handles = {row.id: row.unit_code in units and can(viewer, Permission.HANDLE_FEEDBACK, units[row.unit_code].path)
               for row in page.rows}

    pager(page, "top")
    if outcome and not in_card and target != "bulk":  # the item is no longer on this page
        show_outcome(outcome, {row.id: row for row in page.rows})
    if any(handles.values()):
        bulk_bar(context, picked_items(page.rows, handles), [i for i, ok in handles.items() if ok], choices,
                 outcome if target == "bulk" else None, today)
    if not page.rows:
        st.info(t("inbox.empty"), icon=":material/inbox:")
        return
    for row in page.rows:
        inbox_item(context, row, handles=handles[row.id], choices=[c for c in choices if _fits(c, row, units)],
                   topics=(views[row.id], topics), people=people.get(row.unit_code, []),
                   outcome=outcome if in_card and target == f"item:{row.id}" else None, today=today)
    pager(page, "bottom")


main()
