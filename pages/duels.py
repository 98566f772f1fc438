"""Prioritising together, /duels?unit=CODE: a supervisor starts a duel, shows its QR code, hides items, closes it,
publishes its TOP 10 and turns the top items into themes on the kanban. Team and directors read the rankings."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from auth.access import AccessDenied, Viewer
from auth.roles import Permission
from board.duel import InvalidDuel
from board.handling import InvalidHandling
from board.periods import as_utc_naive, helsinki_date
from data.db import session_scope
from data.duels import DuelClosed, DuelResult, close_duel, hide_item, make_themes, publish_duel, start_duel
from data.duels import is_area, may_lead, theme_starters, theme_units, unit_duels
from data.editing import StaleEdit, UnknownItem
from data.units import UnknownUnit, find_unit, list_units
from pages.ui import format as fmt
from pages.ui.context import app_context
from pages.ui.duel_ranking import ranking
from pages.ui.duel_reorder import reorder_panel
from pages.ui.duel_wall import join_link, qr_png
from pages.ui.language import current
from pages.ui.plain import inert, ours, show
from pages.ui.refusal import refuse
from pages.ui.saving import saving
from pages.ui.texts import known, t, tn
from zoneinfo import ZoneInfo

LOG = logging.getLogger(__name__)
PAGE = "pages/duels.py"
HELSINKI = ZoneInfo("Europe/Helsinki")
TOP_TO_THEMES = 3
_TOAST = "duels.toast"
context = app_context()


def _problem_text(problem: Exception) -> str:
    reason = getattr(problem, "reason", "unknown")
    key = "duel.error." + reason
    return t(key if known(key) else "duel.error.unknown")


def _act(change: Callable[[Session, Viewer, datetime], Any], success: str) -> bool:
    """One change as the user asked it now, in its own transaction; a refusal changes nothing."""
    viewer = context.resolve()
    if viewer is None:
        st.rerun()
    try:
        with saving(context.engine) as session:
            change(session, viewer, context.now())
    except StaleEdit:
        st.warning(t("duels.stale"))
    except (InvalidDuel, InvalidHandling) as problem:
        st.error(_problem_text(problem))
    except DuelClosed:
        st.warning(t("duels.already_closed"))
    except (UnknownItem, UnknownUnit):
        st.error(t("duel.error.unknown"))
    except AccessDenied as denied:
        refuse(context, denied)
    except SQLAlchemyError:
        LOG.exception("a duel change could not be saved")
        st.error(t("duel.error.db"))
    else:
        st.session_state[_TOAST] = success
        st.rerun()
    return False


def _closing(day) -> datetime | None:
    # The end of the chosen Helsinki day, stored in UTC like every time.
    if day is None:
        return None
    return as_utc_naive(datetime.combine(day + timedelta(days=1), time(0), tzinfo=HELSINKI))


def _start_form(code: str) -> None:
    with session_scope(context.engine) as session:
        themes = dict(theme_starters(session, viewer=context.viewer, unit_code=code))
    with st.expander(t("duels.start.heading"), expanded=False, key="duels-start"):
        with st.form("duels-start-form", border=False):
            question = st.text_input(t("duels.start.question"), value=t("duels.start.question_default"),
                                     max_chars=200, key="duels-question")
            chosen = st.multiselect(t("duels.start.themes"), list(themes), format_func=themes.get,
                                    key="duels-themes", placeholder=t("duels.start.themes_none"))
            typed = st.text_area(t("duels.start.typed"), key="duels-typed", height=140)
            day = st.date_input(t("duels.start.closes"), value=None, format=fmt.date_entry(), key="duels-closes")
            if not st.form_submit_button(t("duels.start.submit"), type="primary"):
                return
    _act(lambda session, viewer, now: start_duel(
        session, viewer=viewer, unit_code=code, question=question or "", typed=(typed or "").splitlines(),
        theme_ids=chosen, closes_at=_closing(day), now=now), t("duels.started"))


def _items_admin(result: DuelResult) -> None:
    with st.expander(t("duels.items.heading")):
        for standing in result.standings:
            with st.container(horizontal=True, vertical_alignment="center", key=f"duels-item-{standing.id}"):
                show(standing.text, width="stretch")
                if standing.origin == "participant":
                    st.caption(t("duels.origin.participant"))
                label = t("duels.show_again") if standing.hidden else t("duels.hide")
                if st.button(label, key=f"duels-hide-{standing.id}"):
                    _act(lambda session, viewer, now, s=standing: hide_item(
                        session, viewer=viewer, item_id=s.id, seen_version=s.version, hidden=not s.hidden, now=now),
                        t("duels.hidden_done"))


def _to_themes(result: DuelResult, area: bool) -> None:
    candidates = {s.id: s.text for s in result.top if s.made_theme_id is None}
    made = [s for s in result.standings if s.made_theme_id is not None]
    if made:
        st.caption(tn("duels.to_themes.made", len(made), n=fmt.number(len(made))))
    if not candidates:
        return
    targets = {}
    if area:  # an area's result goes to a unit of the area, chosen here
        with session_scope(context.engine) as session:
            targets = {u.code: u.name(current()) for u in theme_units(session, viewer=context.viewer, duel_id=result.id)}
    with st.form(f"duels-themes-{result.id}", border=False):
        target = (st.selectbox(t("duels.to_themes.unit"), list(targets), format_func=targets.get,
                               key=f"duels-to-unit-{result.id}") if targets else None)
        chosen = st.multiselect(t("duels.to_themes.label"), list(candidates), format_func=candidates.get,
                                default=list(candidates)[:TOP_TO_THEMES], key=f"duels-to-themes-{result.id}-{len(candidates)}",
                                placeholder=t("duels.start.themes_none"))
        if not st.form_submit_button(t("duels.to_themes.submit"), type="primary"):
            return
    _act(lambda session, viewer, now: make_themes(session, viewer=viewer, duel_id=result.id, item_ids=chosen, now=now,
                                                  unit_code=target),
         tn("duels.to_themes.done", len(chosen), n=fmt.number(len(chosen))))


def _duel(result: DuelResult, can_edit: bool, area: bool) -> None:
    with st.container(border=True, key=f"duels-duel-{result.id}"):
        st.markdown(f"**{inert(result.question)}**")
        state = t("duels.state.open") if result.is_open else t("duels.state.closed")
        if result.closes_at and result.is_open:
            state += " · " + t("duels.state.closes", day=fmt.day(helsinki_date(result.closes_at)))
        st.caption(state)
        left, right = st.columns([3, 2])
        with right:
            if result.is_open:
                link = join_link(st.context.url or "", result.code)
                st.image(qr_png(link), caption=t("duels.qr_caption"), width=240)
                st.caption(t("duels.link"))
                st.code(link, language=None)
        with left:
            ranking(result, key=f"duels-rank-{result.id}")
        if not can_edit:
            return
        _items_admin(result)
        if result.is_open:
            if st.button(t("duels.close"), key=f"duels-close-{result.id}"):
                _act(lambda session, viewer, now: close_duel(session, viewer=viewer, duel_id=result.id,
                                                             seen_version=result.version, now=now), t("duels.closed_done"))
            return
        published = st.toggle(t("duels.publish"), value=result.published, key=f"duels-publish-{result.id}")
        if published != result.published:
            _act(lambda session, viewer, now: publish_duel(session, viewer=viewer, duel_id=result.id,
                                                           seen_version=result.version, publish=published, now=now),
                 t("duels.published_done" if published else "duels.unpublished_done"))
        _to_themes(result, area)
        reorder_panel(context, result, _act)


def _choose_unit() -> None:
    with session_scope(context.engine) as session:
        units = list_units(session, viewer=context.viewer, permission=Permission.VIEW_KANBAN)
    labels = {u.code: f"{u.name(current())} ({u.code})"
              for u in sorted(units, key=lambda u: (u.level != "unit", u.name(current())))}
    with st.form("duels-unit", border=False):
        code = st.selectbox(t("duels.pick"), list(labels), format_func=labels.get, index=None,
                            placeholder=t("duels.pick"))
        if st.form_submit_button(t("duels.open"), type="primary") and code:
            st.switch_page(PAGE, query_params={"unit": code})


def main() -> None:
    if context.viewer is None:
        st.stop()
    st.title(t("duels.title"), anchor=False)
    toast = st.session_state.pop(_TOAST, None)
    if toast:
        st.toast(ours(toast), icon=":material/check_circle:")
    code = (st.query_params.get("unit") or "").strip()
    if not code:
        st.write(t("duels.intro"))
        _choose_unit()
        return
    try:
        with session_scope(context.engine) as session:
            unit = find_unit(session, code)
            results = unit_duels(session, viewer=context.viewer, unit_code=code, now=context.now(), language=current())
    except UnknownUnit:
        st.warning(t("duels.unknown_unit", code=inert(code)))
        _choose_unit()
        return
    except AccessDenied as denied:
        refuse(context, denied)
        _choose_unit()
        return
    st.subheader(inert(unit.name(current())), anchor=False)
    can_edit = may_lead(context.viewer, unit)
    if can_edit:
        _start_form(code)
    if not results:
        st.info(t("duels.none"))
    for result in results:
        _duel(result, can_edit, is_area(unit))


main()
