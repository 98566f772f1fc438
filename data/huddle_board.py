"""The huddle board: a unit's figures, trend, themes in development, fixes and picked customer quotes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from board.periods import Period, current_and_previous_week, helsinki_date, last_days, last_weeks, previous_period
from board.nps import nps_change
from board.stages import IN_DEVELOPMENT, days_in_stage
from data.metrics import (
    FeedbackFigures,
    UnitMetrics,
    WeekNps,
    feedback_figures,
    unit_metrics,
    volume_by_collection,
    volume_by_period,
    weekly_nps,
)
from auth.access import Viewer
from auth.roles import Permission
from data.models import Action, Feedback, Theme, Unit
from data.organisation import in_subtree
from data.settings import Settings
from data.units import find_unit, unit_for, unit_name_column


BOARD_DAYS = 30
TREND_WEEKS = 12
FIXED_SHOWN = 3
THEMES_SHOWN = 3
BOARD_QUOTES = 2


@dataclass(frozen=True)
class ThemeCard:
    title: str
    owner: str | None
    stage: str
    days_in_stage: int


@dataclass(frozen=True)
class FixedItem:
    taken_on: date
    text: str
    theme_title: str


@dataclass(frozen=True)
class HuddleBoard:
    """Everything the wall screen shows for one unit."""

    metrics: UnitMetrics
    previous: FeedbackFigures
    weeks: list[WeekNps]
    volume_this_week: int
    volume_last_week: int
    by_collection: dict[str, int]
    themes: list[ThemeCard]
    quotes: list[Quote]
    fixed: list[FixedItem]

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
                 settings: Settings) -> HuddleBoard:
    """The huddle board of a unit the viewer may see: the figures of `metrics`, trend, themes, fixes."""
    unit = unit_for(session, viewer, Permission.VIEW_HUDDLE, unit_code)
    today = helsinki_date(now)
    metrics = unit_metrics(session, unit, last_days(today, BOARD_DAYS), now=now,
                           policy=settings.reply_policy, min_n=settings.min_n)
    this_week, last_week = current_and_previous_week(today)
    volume_this_week, volume_last_week = volume_by_period(session, unit, [this_week, last_week])
    return HuddleBoard(
        metrics=metrics,
        previous=feedback_figures(session, unit, previous_period(metrics.figures.period),
                                  min_n=settings.min_n),
        weeks=weekly_nps(session, unit, last_weeks(today, TREND_WEEKS), min_n=settings.min_n),
        volume_this_week=volume_this_week,
        volume_last_week=volume_last_week,
        by_collection=volume_by_collection(session, unit, metrics.figures.period),
        themes=_themes_in_development(session, unit, now),
        fixed=_latest_fixes(session, unit),
        quotes=huddle_quotes(session, viewer=viewer, unit_code=unit.code, limit=BOARD_QUOTES),
    )


def _themes_in_development(session: Session, unit: Unit, now: datetime) -> list[ThemeCard]:
    themes = session.exec(
        select(Theme)
        .where(in_subtree(unit, Theme.unit_id), Theme.stage.in_([s.value for s in IN_DEVELOPMENT]))
        .order_by(Theme.stage_since)
        .limit(THEMES_SHOWN)
    ).all()
    return [ThemeCard(t.title, t.owner, t.stage, days_in_stage(t.stage_since, now)) for t in themes]


def _latest_fixes(session: Session, unit: Unit) -> list[FixedItem]:
    """What the unit tells about its fixes: published actions in their public words, newest first."""
    rows = session.exec(
        select(Action.taken_on, Action.public_text, Theme.title)
        .join(Theme, Theme.id == Action.theme_id)
        .where(in_subtree(unit, Theme.unit_id), Action.published_at.is_not(None))
        .order_by(Action.taken_on.desc(), Action.id.desc())
        .limit(FIXED_SHOWN)
    ).all()
    return [FixedItem(taken_on, public_text, title) for taken_on, public_text, title in rows]


QUOTES_SHOWN = 3


@dataclass(frozen=True)
class Quote:
    feedback_id: int
    text: str
    received_at: datetime
    unit_name: str


def huddle_quotes(session: Session, *, viewer: Viewer, unit_code: str, limit: int = QUOTES_SHOWN,
                  language: str = "fi") -> list[Quote]:
    """The subtree's picked customer quotes, last picked first, in their screened stored text."""
    unit = unit_for(session, viewer, Permission.VIEW_HUDDLE, unit_code)
    rows = session.exec(
        select(Feedback, unit_name_column(language)).join(Unit, Unit.id == Feedback.unit_id)
        .where(in_subtree(unit, Feedback.unit_id), Feedback.quote_picked_at.is_not(None))
        .order_by(Feedback.quote_picked_at.desc(), Feedback.id.desc())
        .limit(limit)
    ).all()
    return [Quote(f.id, ((f.open_answer or "").strip() or (f.free_text or "").strip()), f.received_at, name)
            for f, name in rows]
