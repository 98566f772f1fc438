"""A theme's figures: the linked feedback before and after the theme went to the development group."""
from __future__ import annotations

import streamlit as st

from board.likert import STATEMENTS
from board.periods import helsinki_date
from data.kanban import KanbanCard, ThemeFigures
from pages.ui import format as fmt
from pages.ui.language import current
from pages.ui.plain import inert
from pages.ui.texts import t


def _nps_text(figures: ThemeFigures) -> str:
    result = figures.nps
    if result.n == 0:
        return t("kanban.fig.none")
    if result.score is None:
        return t("kanban.fig.too_few", n=fmt.number(result.n))
    return t("kanban.fig.nps_value", score=fmt.number(result.score), n=fmt.number(result.n))


def _agree_text(figures: ThemeFigures, key: str, min_n: int) -> str:
    summary = figures.likert[key]
    if summary.n == 0:
        return t("kanban.fig.none")
    if summary.n < min_n or summary.agree_pct is None:
        return t("kanban.fig.too_few", n=fmt.number(summary.n))
    return t("kanban.fig.pct_value", pct=fmt.number(summary.agree_pct), n=fmt.number(summary.n))


def _shown(figures: ThemeFigures, key: str, min_n: int) -> bool:
    summary = figures.likert[key]
    return summary.n >= min_n and summary.agree_pct is not None


def theme_figures(card: KanbanCard, *, full: bool, min_n: int) -> None:
    """The linked feedback before and after the theme went to the development group; nothing before that.

    The card shows NPS and the statements with enough answers on either side, one line each; the opened
    theme shows every answered statement in its national wording.
    """
    before, after, started = card.before, card.after, card.development_started_at
    if before is None or after is None or started is None:
        return
    rows = [(t("kanban.fig.nps"), _nps_text(before), _nps_text(after))]
    for statement in STATEMENTS:
        key = statement.key
        if full and (before.likert[key].n or after.likert[key].n):
            rows.append((f"{inert(getattr(statement, current()))} – {t('kanban.fig.agree')}",
                         _agree_text(before, key, min_n), _agree_text(after, key, min_n)))
        elif not full and (_shown(before, key, min_n) or _shown(after, key, min_n)):
            rows.append((t("inbox.statement." + key), _agree_text(before, key, min_n),
                         _agree_text(after, key, min_n)))
    with st.container(key=f"figures-{card.id}-{'full' if full else 'card'}"):
        if full:
            st.caption(t("kanban.fig.caption", day=fmt.day(helsinki_date(started))))
            table = [f"| {t('kanban.fig.what')} | {t('kanban.fig.before')} | {t('kanban.fig.after')} |",
                     "|---|---|---|"]
            st.markdown("\n".join(table + [f"| {inert(what)} | {was} | {is_now} |" for what, was, is_now in rows]))
        else:
            st.caption(t("kanban.fig.card_caption", day=fmt.day(helsinki_date(started))))
            st.markdown("  \n".join(t("kanban.fig.line", what=inert(what), before=was, after=is_now)
                                     for what, was, is_now in rows))
