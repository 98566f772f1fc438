"""The huddle board: a unit's figures, trend, themes in development and picked customer quotes (the signals
around them, recent actions included, are data/board_figures.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from board.periods import Period, helsinki_date, last_days, last_weeks, previous_period
from board.content_language import InLanguage, in_language
from board.nps import nps_change
from board.stages import IN_DEVELOPMENT, days_in_stage
from data.metrics import (
    FeedbackFigures,
    UnitMetrics,
    WeekNps,
    feedback_figures,
    unit_metrics,
    weekly_nps,
)
from auth.access import Viewer
from auth.roles import Permission
from data.models import Feedback, Theme, Unit
from data.organisation import in_subtree
from data.settings import Settings
from data.units import find_unit, unit_for, unit_name_column


BOARD_DAYS = 30
TREND_WEEKS = 12
THEMES_SHOWN = 3


@dataclass(frozen=True)
class ThemeCard:
    title: str
    owner: str | None
    stage: str
    days_in_stage: int
    # The language `title` is in: the board's, or "fi" where the theme has no title in it (shown marked).
    title_language: str = "fi"


@dataclass(frozen=True)
class HuddleBoard:
    """Everything the wall screen shows for one unit."""

    metrics: UnitMetrics
    previous: FeedbackFigures
    weeks: list[WeekNps]
    themes: list[ThemeCard]

    @property
    def unit(self) -> Unit:
        return self.metrics.unit

    @property
    def nps_change(self) -> float | None:
        return nps_change(self.metrics.figures.nps, self.previous.nps)


def board_title(session: Session, *, viewer: Viewer, unit_code: str, language: str = "fi") -> str:
    """The name, in the language, of a unit whose board the viewer may see."""
    return unit_for(session, viewer, Permission.VIEW_HUDDLE, unit_code).name(language)


def metrics_for(session: Session, *, unit_code: str, period: Period | None, now: datetime,
                settings: Settings) -> UnitMetrics:
    """A unit subtree's figures for a period of Helsinki days (default: the last 30 days)."""
    unit = find_unit(session, unit_code)
    period = period or last_days(helsinki_date(now), BOARD_DAYS)
    return unit_metrics(session, unit, period, now=now, policy=settings.reply_policy,
                        min_n=settings.min_n)


def huddle_board(session: Session, *, viewer: Viewer, unit_code: str, now: datetime,
                 settings: Settings, language: str = "fi") -> HuddleBoard:
    """The huddle board of a unit the viewer may see: the figures of `metrics`, the trend, themes in development."""
    unit = unit_for(session, viewer, Permission.VIEW_HUDDLE, unit_code)
    today = helsinki_date(now)
    metrics = unit_metrics(session, unit, last_days(today, BOARD_DAYS), now=now,
                           policy=settings.reply_policy, min_n=settings.min_n)
    return HuddleBoard(
        metrics=metrics,
        previous=feedback_figures(session, unit, previous_period(metrics.figures.period),
                                  min_n=settings.min_n),
        weeks=weekly_nps(session, unit, last_weeks(today, TREND_WEEKS), min_n=settings.min_n),
        themes=_themes_in_development(session, unit, now, language),
    )


def theme_title_in(theme: Theme, language: str) -> InLanguage:
    """A theme's title for a reader of `language`: theirs, or the Finnish title marked as Finnish."""
    return in_language({"fi": theme.title, "sv": theme.title_sv, "en": theme.title_en}, language) \
        or InLanguage(theme.title, "fi", language != "fi")


def _themes_in_development(session: Session, unit: Unit, now: datetime, language: str = "fi") -> list[ThemeCard]:
    themes = session.exec(
        select(Theme)
        .where(in_subtree(unit, Theme.unit_id), Theme.stage.in_([s.value for s in IN_DEVELOPMENT]))
        .order_by(Theme.stage_since)
        .limit(THEMES_SHOWN)
    ).all()
    titles = [theme_title_in(t, language) for t in themes]
    return [ThemeCard(title.text, t.owner, t.stage, days_in_stage(t.stage_since, now), title.language)
            for t, title in zip(themes, titles)]


QUOTES_SHOWN = 3


@dataclass(frozen=True)
class Quote:
    feedback_id: int
    text: str
    received_at: datetime
    unit_name: str


def _not_by_unit_index(session: Session, unit_id):
    """SQLite would find the quotes by the unit index, reading all of the subtree's rows (0.25 s for a service
    area of 5 M rows); `unit_id + 0` leaves it the quote index: the picked rows are few, newest first there."""
    return unit_id + 0 if session.get_bind().dialect.name == "sqlite" else unit_id


def huddle_quotes(session: Session, *, viewer: Viewer, unit_code: str, limit: int = QUOTES_SHOWN,
                  language: str = "fi") -> list[Quote]:
    """The subtree's picked customer quotes, last picked first, in their screened stored text."""
    unit = unit_for(session, viewer, Permission.VIEW_HUDDLE, unit_code)
    rows = session.exec(
        select(Feedback, unit_name_column(language)).join(Unit, Unit.id == Feedback.unit_id)
        .where(in_subtree(unit, _not_by_unit_index(session, Feedback.unit_id)), Feedback.quote_picked_at.is_not(None))
        .order_by(Feedback.quote_picked_at.desc(), Feedback.id.desc())
        .limit(limit)
    ).all()
    return [Quote(f.id, ((f.open_answer or "").strip() or (f.free_text or "").strip()), f.received_at, name)
            for f, name in rows]
