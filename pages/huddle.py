"""The wall-screen huddle board of one unit: `/huddle?unit=CODE`."""
from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from board.likert import STATEMENTS
from board.periods import helsinki_date, iso_week_of
from data.db import session_scope
from auth.access import AccessDenied
from data.huddle_board import HuddleBoard, board_title, huddle_board
from data.units import UnknownUnit, list_units
from pages.ui import format as fmt
from pages.ui.charts import nps_trend
from pages.ui.context import app_context
from pages.ui.escalation_panel import escalation_panel
from pages.ui.huddle_mode import huddle_mode
from pages.ui.language import current
from pages.ui.plain import inert
from pages.ui.refusal import refuse
from pages.ui.texts import t
from pages.ui.unit_picker import unit_picker

REFRESH_SECONDS = 60
LOG = logging.getLogger(__name__)
CHANNELS_SHOWN = 3
QUOTE_CHARS = 160
UI = Path(__file__).parent / "ui"

context = app_context()



def _nps_tile(board: HuddleBoard, has_feedback: bool) -> None:
    nps = board.metrics.figures.nps
    if not has_feedback or nps.score is None:
        with st.container(key="tile-nps-text"):
            if not has_feedback:
                st.metric(t("huddle.nps.title"), t("huddle.no_feedback"))
            else:
                st.metric(t("huddle.nps.title"), t("huddle.too_few"))
                st.write(t("huddle.too_few_n", n=fmt.number(nps.n), min_n=fmt.number(context.settings.min_n)))
        return
    with st.container(key="tile-nps"):
        change = board.nps_change
        st.metric(
            t("huddle.nps.title"),
            fmt.number(nps.score),
            delta=None if change is None else t("huddle.nps.change", change=fmt.signed(change)),
            **_change_style(change),
        )
        lo, hi = nps.ci95
        st.write(t("huddle.nps.n", n=fmt.number(nps.n), lo=fmt.number(lo), hi=fmt.number(hi)))
        if change is None:
            st.write(t("huddle.nps.change_unknown"))


def _change_style(change: float | None) -> dict:
    # Red is kept for what needs action today; a falling NPS is shown calmly.
    if change is None or round(change) == 0:
        return {"delta_arrow": "off", "delta_color": "gray"}
    if change > 0:
        return {"delta_arrow": "up", "delta_color": "green"}
    return {"delta_arrow": "down", "delta_color": "gray"}


def _volume_tile(board: HuddleBoard) -> None:
    with st.container(key="tile-volume"):
        st.metric(t("huddle.volume.title"), fmt.number(board.volume_this_week))
        st.write(t("huddle.volume.weeks", last_week=fmt.number(board.volume_last_week)))
        parts = " · ".join(f"{t('collection.' + name)} {fmt.number(count)}"
                           for name, count in list(board.by_collection.items())[:CHANNELS_SHOWN])
        if parts:
            st.caption(t("huddle.volume.by_collection", parts=parts))


def _development_tile(board: HuddleBoard) -> None:
    with st.container(key="tile-development"):
        st.metric(t("huddle.dev.title"), fmt.number(board.metrics.in_development))
        st.write(t("huddle.dev.count"))


def _replies_tile(board: HuddleBoard) -> None:
    replies = board.metrics.replies
    if replies.overdue:
        with st.container(key="tile-replies-overdue"):
            st.metric(t("huddle.replies.overdue_title"), fmt.number(replies.overdue))
            st.write(t("huddle.replies.oldest", days=fmt.number(replies.oldest_overdue_days)))
            if replies.due_soon:
                st.write(t("huddle.replies.due_soon", count=fmt.number(replies.due_soon)))
    elif replies.due_soon:
        with st.container(key="tile-replies-soon"):
            st.metric(t("huddle.replies.soon_title"), fmt.number(replies.due_soon))
            st.write(t("huddle.replies.none_overdue"))
    else:
        with st.container(key="tile-replies-ok"):
            st.metric(t("huddle.replies.title"), "✓")
            st.write(t("huddle.replies.all_done"))


def _trend_panel(board: HuddleBoard, has_feedback: bool) -> None:
    with st.container(key="panel-trend"):
        st.header(t("huddle.trend.title"), anchor=False)
        if not has_feedback:
            st.write(t("huddle.no_feedback"))
            return
        st.altair_chart(nps_trend(board.weeks, height=270), width="stretch", theme=None,
                        alt=t("huddle.trend.alt"))
        # The chart's text alternative for screen readers: every week's NPS with its n, hidden on the wall.
        with st.container(key="sr-trend"):
            st.write(t("a11y.huddle.trend_alt", values="; ".join(
                f"{inert(w.week.label)}: {t('huddle.trend.too_few') if w.nps.score is None else fmt.number(w.nps.score)}"
                f" (n {fmt.number(w.nps.n)})" for w in board.weeks)))


def _statements_panel(board: HuddleBoard) -> None:
    with st.container(key="panel-statements"):
        st.header(t("huddle.statements.title"), anchor=False)
        answered = [(s, board.metrics.figures.likert[s.key]) for s in STATEMENTS
                    if board.metrics.figures.likert[s.key].n]
        if not answered:
            st.write(t("huddle.statements.none"))
        for statement, summary in answered:
            if summary.n < context.settings.min_n:
                st.markdown(t("huddle.statements.too_few", statement=inert(getattr(statement, current())),
                              n=fmt.number(summary.n)))
            else:
                st.markdown(t("huddle.statements.value", pct=fmt.number(summary.agree_pct),
                              statement=inert(getattr(statement, current())), n=fmt.number(summary.n)))


def _themes_panel(board: HuddleBoard) -> None:
    with st.container(key="panel-themes"):
        st.header(t("huddle.dev.panel"), anchor=False)
        if not board.themes:
            st.write(t("huddle.dev.none"))
        for theme in board.themes:
            owner = theme.owner or t("huddle.dev.no_owner")
            detail = t("huddle.dev.item", owner=owner, stage=t("stage." + theme.stage), days=theme.days_in_stage)
            st.markdown(f"**{inert(theme.title)}**  \n{inert(detail)}")
        if board.metrics.in_development > len(board.themes):
            st.write(t("huddle.dev.more", count=fmt.number(board.metrics.in_development - len(board.themes))))


def _voice_panel(board: HuddleBoard) -> None:
    with st.container(key="panel-voice"):
        st.header(t("huddle.voice.title"), anchor=False)
        if not board.quotes:
            st.write(t("huddle.voice.none"))
        for quote in board.quotes:
            text = quote.text if len(quote.text) <= QUOTE_CHARS else quote.text[:QUOTE_CHARS].rstrip() + "…"
            st.markdown(t("huddle.voice.quote", text=inert(text), day=fmt.day(quote.received_at.date())))


def _fixed_panel(board: HuddleBoard) -> None:
    with st.container(key="panel-fixed"):
        st.header(t("huddle.fixed.title"), anchor=False)
        if not board.fixed:
            st.write(t("huddle.fixed.none"))
        for item in board.fixed:
            st.markdown(f"**{fmt.day(item.taken_on)}** {inert(item.text)}")


def _render(board: HuddleBoard, now: datetime) -> None:
    has_feedback = board.metrics.figures.volume > 0 or any(w.nps.n for w in board.weeks)
    tiles = st.columns(4, gap="medium")
    with tiles[0]:
        _nps_tile(board, has_feedback)
    with tiles[1]:
        _volume_tile(board)
    with tiles[2]:
        _development_tile(board)
    with tiles[3]:
        _replies_tile(board)
    middle = st.columns([1.2, 1], gap="medium")
    with middle[0]:
        _trend_panel(board, has_feedback)
    with middle[1]:
        _statements_panel(board)
    bottom = st.columns(3, gap="medium")
    with bottom[0]:
        _themes_panel(board)
    with bottom[1]:
        _voice_panel(board)
    with bottom[2]:
        _fixed_panel(board)


@st.fragment(run_every=REFRESH_SECONDS)
def _live_board(unit_code: str) -> None:
    now = context.now()
    try:
        # Asking who is looking reads the database too: an outage here is the same calm "retrying" state.
        viewer = context.resolve()
    except (SQLAlchemyError, OSError):
        LOG.exception("the viewer of the huddle board of %s could not be resolved", unit_code)
        st.info(t("error.board_unavailable"), icon=":material/sync:")
        return
    if viewer is None and not context.viewer.is_kiosk:
        st.rerun()  # signed out meanwhile: the whole page shows the sign-in
    if viewer is None:
        st.error(t("auth.kiosk_invalid"))
        return
    try:
        with session_scope(context.engine) as session:
            board = huddle_board(session, viewer=viewer, unit_code=unit_code, now=now,
                                 settings=context.settings)
    except UnknownUnit:
        st.warning(t("huddle.unknown_unit", code=inert(unit_code)))
        return
    except AccessDenied as denied:
        refuse(context, denied)
        return
    except SQLAlchemyError:
        # The wall screen keeps trying at the next refresh; the details go to the server log.
        LOG.exception("huddle board of %s could not be read", unit_code)
        st.info(t("error.board_unavailable"), icon=":material/sync:")
        return
    today = helsinki_date(now)
    with st.container(key="headline"):
        st.write(f"{fmt.weekday_and_day(today)} · {t('huddle.week', week=fmt.number(iso_week_of(today).week))} · "
                 f"{t('huddle.updated', time=fmt.clock(now))}")
    _render(board, now)


def _timer() -> str:
    """The huddle timer's page, in the reader's language (our own fixed texts only)."""
    page = (UI / "timer.html").read_text(encoding="utf-8")
    return page.replace("{{lang}}", current()).replace("{{stop}}", t("huddle.timer.stop"))


def _choose_unit(message: str | None) -> None:
    if message:
        st.info(message)
    with session_scope(context.engine) as session:
        units = list_units(session, viewer=context.viewer)
    unit_picker(units, key="huddle-unit")


def _board_title(code: str) -> str | None:
    """The unit's name when the viewer may see its board; otherwise say why and return None."""
    try:
        with session_scope(context.engine) as session:
            return board_title(session, viewer=context.viewer, unit_code=code, language=current())
    except UnknownUnit:
        if context.viewer.is_kiosk:
            st.error(t("auth.kiosk_invalid"))
        else:
            _choose_unit(t("huddle.unknown_unit", code=inert(code)))
    except AccessDenied as denied:
        refuse(context, denied)
        if not context.viewer.is_kiosk:
            _choose_unit(None)
    return None


if context.viewer is None:
    st.error(t("auth.kiosk_invalid"))
    st.stop()
code = (st.query_params.get("unit") or "").strip()
if not code:
    _choose_unit(t("huddle.no_unit"))
    st.stop()
unit_name = _board_title(code)
if unit_name is None:
    st.stop()

st.html(UI / "wall.css")
if context.viewer.is_kiosk:
    st.html(UI / "kiosk.css")
with st.container(key="wall"):
    heading, timer = st.columns([3, 2], vertical_alignment="center")
    with heading:
        st.title(inert(unit_name), anchor=False)
    with timer:
        st.iframe(_timer(), height=76, alt=t("huddle.timer.alt"))
    _live_board(code)
huddle_mode(context, code)  # ritual14: the huddle itself
escalation_panel(context, code)
