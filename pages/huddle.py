"""The wall-screen huddle board of one unit: `/huddle?unit=CODE`."""
from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from board.likert import STATEMENTS
from board.periods import helsinki_date, iso_week_of
from board.significance import Difference, nps_difference
from board.signals import ReplyState, reply_state
from data.board_cache import cached_board
from data.board_figures import BoardSignals
from data.db import session_scope
from data.duels import DuelResult, wall_ranking
from auth.access import AccessDenied
from data.huddle_board import HuddleBoard, board_title
from data.units import UnknownUnit, list_units
from pages.ui import format as fmt
from pages.ui.charts import nps_trend_spec
from pages.ui.context import app_context
from pages.ui.duel_wall import wall_duel_panel
from pages.ui.escalation_panel import escalation_panel
from pages.ui.huddle_mode import huddle_mode
from pages.ui.language import current
from pages.ui.plain import in_language, inert
from pages.ui.refusal import refuse
from pages.ui.texts import t
from pages.ui.unit_picker import unit_picker

REFRESH_SECONDS = 60
TOOLS = "huddle.tools"  # session state: the huddle's own tools are shown in place of the board's lower panels
LOG = logging.getLogger(__name__)
QUOTE_CHARS = 140
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
        # The roll-up's rule: a change is news only when its 95 % interval excludes zero.
        difference = nps_difference(nps, board.previous.nps)
        st.metric(t("huddle.nps.title"), fmt.number(nps.score), delta=_change_text(difference),
                  **_change_style(difference))
        lo, hi = nps.ci95
        st.write(t("huddle.nps.n", n=fmt.number(nps.n), lo=fmt.number(lo), hi=fmt.number(hi)))
        if difference is None:
            st.write(t("huddle.nps.change_unknown"))


def _change_text(difference: Difference | None) -> str | None:
    """The roll-up's words: ▲/▼ only for a significant change, the rest said calmly."""
    if difference is None:
        return None
    change = fmt.signed(difference.change)
    if not difference.significant:
        return t("huddle.nps.calm", change=change)
    marked = t("rollup.change.real" if difference.change > 0 else "rollup.change.real_down", change=change)
    return t("huddle.nps.change", change=marked)


def _change_style(difference: Difference | None) -> dict:
    # The ▲/▼ are in the text; red is kept for what needs action today, so a real fall is not red.
    if difference is None or not difference.significant:
        return {"delta_arrow": "off", "delta_color": "gray"}
    return {"delta_arrow": "off", "delta_color": "green" if difference.change > 0 else "gray"}


def _volume_tile(board: HuddleBoard, signals: BoardSignals) -> None:
    volume = signals.volume
    with st.container(key="tile-volume"):
        # Two whole weeks of days compared, never a part-week with a full one.
        st.metric(t("huddle.volume7.title"), fmt.number(volume.recent_count))
        st.write(t("huddle.volume7.before", count=fmt.number(volume.before_count)))
        st.write(t("huddle.volume7.which", first=fmt.short_day(volume.recent.first),
                   last=fmt.short_day(volume.recent.last)))


def _development_tile(board: HuddleBoard) -> None:
    with st.container(key="tile-development"):
        st.metric(t("huddle.dev.title"), fmt.number(board.metrics.in_development))
        st.write(t("huddle.dev.count"))


def _replies_tile(board: HuddleBoard, signals: BoardSignals) -> None:
    replies = board.metrics.replies
    awaiting = signals.awaiting_replies
    state = reply_state(overdue=replies.overdue, due_soon=replies.due_soon, awaiting=awaiting)
    if state is ReplyState.OVERDUE:
        with st.container(key="tile-replies-overdue"):
            st.metric(t("huddle.replies.overdue_title"), fmt.number(replies.overdue))
            st.write(t("huddle.replies.oldest", days=fmt.number(replies.oldest_overdue_days)))
            if replies.due_soon:
                st.write(t("huddle.replies.due_soon", count=fmt.number(replies.due_soon)))
            st.write(t("huddle.replies.awaiting_total", count=fmt.number(awaiting)))
    elif state is ReplyState.DUE_SOON:
        with st.container(key="tile-replies-soon"):
            st.metric(t("huddle.replies.soon_title"), fmt.number(replies.due_soon))
            st.write(t("huddle.replies.none_overdue"))
            st.write(t("huddle.replies.awaiting_total", count=fmt.number(awaiting)))
    elif state is ReplyState.AWAITING:
        with st.container(key="tile-replies-awaiting"):
            st.metric(t("huddle.replies.awaiting_title"), fmt.number(awaiting))
            st.write(t("huddle.replies.awaiting_calm"))
    else:
        with st.container(key="tile-replies-ok"):
            st.metric(t("huddle.replies.title"), "✓")
            st.write(t("huddle.replies.none_awaiting"))


def _trend_panel(board: HuddleBoard, has_feedback: bool) -> None:
    with st.container(key="panel-trend"):
        st.header(t("huddle.trend.title"), anchor=False)
        if not has_feedback:
            st.write(t("huddle.no_feedback"))
            return
        # The spec is built once per set of weeks and language, not on every screen's refresh.
        st.vega_lite_chart(spec=nps_trend_spec(tuple(board.weeks), current()), width="content", theme=None,
                           alt=t("huddle.trend.alt"))
        with st.container(key="trend-legend"):
            st.write(t("huddle.trend.legend"))
        # The chart's text alternative for screen readers: every week's NPS with its n, hidden on the wall.
        with st.container(key="sr-trend"):
            st.write(t("a11y.huddle.trend_alt", values="; ".join(
                f"{t('huddle.trend.week', week=fmt.number(w.week.week))}: {t('huddle.trend.too_few') if w.nps.score is None else fmt.number(w.nps.score)}"
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


def _finnish_note(text_language: str) -> str | None:
    """"(på finska)" after a text that is Finnish on a board in another language."""
    return t("content.in_finnish") if text_language != current() else None


def _themes_panel(board: HuddleBoard) -> None:
    with st.container(key="panel-themes"):
        st.header(t("huddle.dev.panel"), anchor=False)
        if not board.themes:
            st.write(t("huddle.dev.none"))
        # The panel holds three themes; when more are in development, the line that says so takes the third's
        # place, else it would fall below the panel's edge and the wall would hide that there are more.
        shown = board.themes if board.metrics.in_development <= len(board.themes) else board.themes[:-1]
        for theme in shown:
            owner = theme.owner or t("huddle.dev.no_owner")
            detail = t("huddle.dev.item", owner=owner, stage=t("stage." + theme.stage), days=theme.days_in_stage)
            in_language(theme.title, language=theme.title_language, note=_finnish_note(theme.title_language),
                        bold=True, note_first=True)
            st.markdown(inert(detail))
        if board.metrics.in_development > len(shown):
            st.write(t("huddle.dev.more", count=fmt.number(board.metrics.in_development - len(shown))))


def _voice_panel(signals: BoardSignals) -> None:
    with st.container(key="panel-voice"):
        st.header(t("huddle.voice.title"), anchor=False)
        if not signals.quotes:
            st.write(t("huddle.voice.none"))
        for i, quote in enumerate(signals.quotes):
            text = quote.text if len(quote.text) <= QUOTE_CHARS else quote.text[:QUOTE_CHARS].rstrip() + "…"
            with st.container(key=f"quote-{i}"):
                st.markdown(t("huddle.voice.quote_inline", text=inert(text), day=fmt.day(quote.received_at.date())))


def _fixed_panel(signals: BoardSignals) -> None:
    # The wall screen is internal: the team sees all its recent work, and which of it citizens see.
    with st.container(key="panel-fixed"):
        st.header(t("huddle.fixed.title"), anchor=False)
        if not signals.actions:
            st.write(t("huddle.fixed.none"))
        for i, action in enumerate(signals.actions):
            # Which of the team's actions citizens can see, in words (and a colour that only repeats them).
            seen_by = (f":blue[{t('huddle.fixed.public')}]" if action.published
                       else f":gray[{t('huddle.fixed.internal')}]")
            with st.container(key=f"action-{'public' if action.published else 'internal'}-{i}"):
                st.markdown(f"**{fmt.day(action.taken_on)}** · {seen_by}")
                in_language(action.text, language=action.text_language, note=_finnish_note(action.text_language),
                            note_first=True)


def _stale_notice(signals: BoardSignals) -> None:
    """Say aloud, with the date, when the figures are old because feedback stopped coming in."""
    if signals.stale is None:
        return
    with st.container(key="stale"):
        st.write(t("huddle.stale.all", day=fmt.day(signals.stale.newest_on),
                   days=fmt.number(signals.stale.days_quiet)))


def _render(board: HuddleBoard, signals: BoardSignals, tools: bool, duel: DuelResult | None = None) -> None:
    has_feedback = board.metrics.figures.volume > 0 or any(w.nps.n for w in board.weeks)
    # The NPS tile carries the most words (change, n, interval): it gets the widest column.
    tiles = st.columns([1.3, 0.9, 0.85, 1], gap="small")
    with tiles[0]:
        _nps_tile(board, has_feedback)
    with tiles[1]:
        _volume_tile(board, signals)
    with tiles[2]:
        _development_tile(board)
    with tiles[3]:
        _replies_tile(board, signals)
    if tools:
        return  # huddle mode takes the place of the lower panels while it runs, so the wall still fits
    middle = st.columns([1.2, 1], gap="small")
    with middle[0]:
        _trend_panel(board, has_feedback)
    with middle[1]:
        _statements_panel(board)
    # Issue 20: while a duel of the unit is open, its QR code and live ranking take a fourth place in the bottom row.
    bottom = st.columns([1, 1, 1, 1.5] if duel is not None else 3, gap="small")
    with bottom[0]:
        _themes_panel(board)
    with bottom[1]:
        _voice_panel(signals)
    with bottom[2]:
        _fixed_panel(signals)
    if duel is not None:
        with bottom[3]:
            wall_duel_panel(duel)


@st.fragment(run_every=REFRESH_SECONDS)
def _live_board(unit_code: str, tools: bool = False) -> None:
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
            # Access is checked for this viewer; the figures are shared by every screen of the unit.
            shared = cached_board(session, viewer=viewer, unit_code=unit_code, now=now, settings=context.settings,
                                  language=current())
            duel = wall_ranking(session, viewer=viewer, unit_code=unit_code, now=now, language=current())  # issue 20
        board, signals = shared.board, shared.signals
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
    _headline(now, signals)
    _render(board, signals, tools, duel)


def _headline(now: datetime, signals: BoardSignals) -> None:
    today = helsinki_date(now)
    when, stale = st.columns([2, 3], vertical_alignment="center", gap="small")
    with when, st.container(key="headline"):
        st.write(f"{fmt.weekday_and_day(today)} · {t('huddle.week', week=fmt.number(iso_week_of(today).week))} · "
                 f"{t('huddle.updated', time=fmt.clock(now))}")
    with stale:
        _stale_notice(signals)
    _tools_switch()  # placed at the top of the screen by wall.css, outside the board's rows


def _tools_switch() -> None:
    """Show or hide the huddle's own tools; hidden, the board fits the wall screen without scrolling."""
    showing = st.session_state.get(TOOLS, False)
    # No icon: its ligature is text too, and everything on the wall is legible from 3.5 m.
    if st.button(t("hm.tools_hide" if showing else "hm.tools_show"), key="huddle-tools"):
        st.session_state[TOOLS] = not showing
        st.rerun(scope="app")  # the tools live outside this refreshing fragment


def _board_font() -> str:
    """The URL of the typeface Streamlit serves to the board, so the timer's frame uses it too ("" if none)."""
    fonts = sorted((Path(st.__file__).parent / "static" / "static" / "media").glob("SourceSans*Upright*.woff2"))
    # Relative, so it also works when the app is served under a path prefix.
    return f"static/media/{fonts[0].name}" if fonts else ""


def _timer() -> str:
    """The huddle timer's page, in the reader's language (our own fixed texts only)."""
    page = (UI / "timer.html").read_text(encoding="utf-8")
    for name, value in (("lang", current()), ("font", _board_font()), ("stop", t("huddle.timer.stop")),
                        ("sound", t("huddle.timer.sound")), ("over", t("huddle.timer.over"))):
        page = page.replace("{{" + name + "}}", value)
    return page


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
        st.iframe(_timer(), height=81, alt=t("huddle.timer.alt"))
    tools_open = st.session_state.get(TOOLS, False)
    _live_board(code, tools_open)
    if tools_open:
        # Under the tiles, in the lower panels' place and height; a long log scrolls inside it, never the wall.
        with st.container(key="huddle-tools-area"):
            huddle_mode(context, code)
            escalation_panel(context, code)
