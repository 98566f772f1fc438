"""Use cases: one function per thing a user does, each one transaction."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from board.periods import Period, current_and_previous_week, helsinki_date, last_days, last_weeks, previous_period
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
from data.models import Action, Theme, Unit
from data.organisation import active_units, in_subtree, unit_by_code
from data.settings import Settings

BOARD_DAYS = 30
TREND_WEEKS = 12
FIXED_SHOWN = 3
THEMES_SHOWN = 3


class UnknownUnit(LookupError):
    """No active unit has this code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


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
    themes_total: int
    fixed: list[FixedItem]

    @property
    def unit(self) -> Unit:
        return self.metrics.unit

    @property
    def nps_change(self) -> float | None:
        current, previous = self.metrics.figures.nps, self.previous.nps
        if current.score is None or previous.score is None:
            return None
        return current.score - previous.score


def find_unit(session: Session, code: str) -> Unit:
    """The active unit with this code; an unknown or inactive code raises UnknownUnit."""
    unit = unit_by_code(session, code.strip())
    if unit is None or not unit.active:
        raise UnknownUnit(code)
    return unit


def list_units(session: Session) -> list[Unit]:
    """The units a board can be opened for, in tree order."""
    return active_units(session)


def metrics_for(session: Session, *, unit_code: str, period: Period | None, now: datetime,
                settings: Settings) -> UnitMetrics:
    """A unit subtree's figures for a period of Helsinki days (default: the last 30 days)."""
    unit = find_unit(session, unit_code)
    period = period or last_days(helsinki_date(now), BOARD_DAYS)
    return unit_metrics(session, unit, period, now=now, policy=settings.reply_policy,
                        min_n=settings.min_n)


def huddle_board(session: Session, *, unit_code: str, now: datetime, settings: Settings) -> HuddleBoard:
    """The huddle board of a unit: the same figures as `metrics`, plus trend, themes and fixes."""
    today = helsinki_date(now)
    metrics = metrics_for(session, unit_code=unit_code, period=None, now=now, settings=settings)
    unit = metrics.unit
    this_week, last_week = current_and_previous_week(today)
    volume_this_week, volume_last_week = volume_by_period(session, unit, [this_week, last_week])
    themes = _themes_in_development(session, unit, now)
    return HuddleBoard(
        metrics=metrics,
        previous=feedback_figures(session, unit, previous_period(metrics.figures.period),
                                  min_n=settings.min_n),
        weeks=weekly_nps(session, unit, last_weeks(today, TREND_WEEKS), min_n=settings.min_n),
        volume_this_week=volume_this_week,
        volume_last_week=volume_last_week,
        by_collection=volume_by_collection(session, unit, metrics.figures.period),
        themes=themes[:THEMES_SHOWN],
        themes_total=len(themes),
        fixed=_latest_fixes(session, unit),
    )


def _themes_in_development(session: Session, unit: Unit, now: datetime) -> list[ThemeCard]:
    themes = session.exec(
        select(Theme)
        .where(in_subtree(unit, Theme.unit_id), Theme.stage.in_([s.value for s in IN_DEVELOPMENT]))
        .order_by(Theme.stage_since)
    ).all()
    return [ThemeCard(t.title, t.owner, t.stage, days_in_stage(t.stage_since, now)) for t in themes]


def _latest_fixes(session: Session, unit: Unit) -> list[FixedItem]:
    rows = session.exec(
        select(Action, Theme.title)
        .join(Theme, Theme.id == Action.theme_id)
        .where(in_subtree(unit, Theme.unit_id))
        .order_by(Action.taken_on.desc(), Action.id.desc())
        .limit(FIXED_SHOWN)
    ).all()
    return [FixedItem(action.taken_on, action.public_text or action.text, title) for action, title in rows]
