"""Figures of a unit's subtree, computed by SQL aggregates; the board and `metrics` share them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func
from sqlmodel import Session, select

from board.likert import STATEMENT_KEYS, LikertSummary, likert_summary
from board.nps import DETRACTOR_MAX, PROMOTER_MIN, NpsResult, nps
from board.periods import IsoWeek, Period
from board.replies import ReplyPolicy, days_overdue, due_soon_cutoff, overdue_cutoff
from board.stages import IN_DEVELOPMENT
from data.aggregate_tables import COLLECTION, MIX_COLUMNS, MIX_VALUES, PERIOD_COLUMNS, feedback_day
from data.models import Feedback, Theme, Unit
from data.organisation import in_subtree
from data.period_sums import period_rows


@dataclass(frozen=True)
class FeedbackFigures:
    """Volume, NPS and statements of one period."""

    period: Period
    volume: int
    nps: NpsResult
    likert: dict[str, LikertSummary]


@dataclass(frozen=True)
class ReplyFigures:
    """Replies asked for and not yet sent, as they stand now."""

    overdue: int
    oldest_overdue_days: int
    due_soon: int


@dataclass(frozen=True)
class WeekNps:
    week: IsoWeek
    nps: NpsResult


@dataclass(frozen=True)
class UnitMetrics:
    """What `python -m data metrics` prints and the huddle board shows."""

    unit: Unit
    figures: FeedbackFigures
    replies: ReplyFigures
    in_development: int

    def as_json(self) -> dict:
        return metrics_json(code=self.unit.code, period=self.figures.period, nps_result=self.figures.nps,
                            volume=self.figures.volume, likert=self.figures.likert, overdue=self.replies.overdue,
                            due_soon=self.replies.due_soon, in_development=self.in_development)


def metrics_json(*, code: str, period: Period, nps_result: NpsResult, volume: int,
                 likert: dict[str, LikertSummary], overdue: int, due_soon: int, in_development: int) -> dict:
    """The JSON of `python -m data metrics` (CONTRACTS.md): NPS to one decimal, means to two."""
    return {
        "unit": code,
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "n_nps": nps_result.n,
        "nps": None if nps_result.score is None else round(nps_result.score, 1),
        "nps_ci95": None if nps_result.ci95 is None else [round(x, 1) for x in nps_result.ci95],
        "promoters": nps_result.promoters,
        "passives": nps_result.passives,
        "detractors": nps_result.detractors,
        "volume": volume,
        "likert": {
            key: {
                "n": summary.n,
                "mean": None if summary.mean is None else round(summary.mean, 2),
                "agree_pct": None if summary.agree_pct is None else round(summary.agree_pct, 1),
            }
            for key, summary in likert.items()
        },
        "overdue_replies": overdue,
        "due_soon_replies": due_soon,
        "in_development": in_development,
    }


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _in_period(period: Period):
    start, end = period.utc_bounds()
    return and_(Feedback.received_at >= start, Feedback.received_at < end)


def _nps_columns():
    return (
        _count_if(Feedback.nps >= PROMOTER_MIN),
        _count_if(and_(Feedback.nps > DETRACTOR_MAX, Feedback.nps < PROMOTER_MIN)),
        _count_if(Feedback.nps <= DETRACTOR_MAX),
    )


def _summed(rows, *names: str):
    return [func.coalesce(func.sum(rows.c[name]), 0) for name in names]


def _subtree_rows(unit: Unit, periods: list[Period], names):
    """The aggregate rows of the unit's subtree covering the periods (months where whole, days at the edges)."""
    return period_rows(feedback_day, periods, names, lambda table: [in_subtree(unit, table.c.unit_id)])


def feedback_figures(session: Session, unit: Unit, period: Period, *, min_n: int) -> FeedbackFigures:
    """Volume, NPS and the national statements of the subtree in a period, summed from the aggregates."""
    rows = _subtree_rows(unit, [period], PERIOD_COLUMNS)
    row = session.exec(select(*_summed(rows, *PERIOD_COLUMNS))).one()
    volume, promoters, passives, detractors, *likert_values = (int(v) for v in row)
    likert = {
        key: likert_summary(key, n=likert_values[3 * i], total=likert_values[3 * i + 1],
                            agreeing=likert_values[3 * i + 2])
        for i, key in enumerate(STATEMENT_KEYS)
    }
    return FeedbackFigures(
        period=period,
        volume=volume,
        nps=nps(promoters=promoters, passives=passives, detractors=detractors, min_n=min_n),
        likert=likert,
    )


def _awaiting_reply(unit: Unit):
    return and_(
        in_subtree(unit, Feedback.unit_id),
        Feedback.reply_requested,
        Feedback.replied_at.is_(None),
        Feedback.no_reply_reason.is_(None),
    )


def reply_figures(session: Session, unit: Unit, *, now: datetime, policy: ReplyPolicy) -> ReplyFigures:
    """Overdue and due-soon replies of the subtree now, and how late the oldest overdue one is."""
    late_before = overdue_cutoff(now, policy)
    soon_before = due_soon_cutoff(now, policy)
    overdue, oldest, due_soon = session.exec(
        select(
            _count_if(Feedback.received_at < late_before),
            func.min(Feedback.received_at),
            _count_if(and_(Feedback.received_at >= late_before, Feedback.received_at < soon_before)),
        ).where(_awaiting_reply(unit))
    ).one()
    oldest_days = days_overdue(oldest, now, policy) if overdue else 0
    return ReplyFigures(overdue=int(overdue), oldest_overdue_days=oldest_days, due_soon=int(due_soon))


def in_development_count(session: Session, unit: Unit) -> int:
    """Themes of the subtree in the stages between identified and done."""
    return session.exec(
        select(func.count()).select_from(Theme)
        .where(in_subtree(unit, Theme.unit_id), Theme.stage.in_([s.value for s in IN_DEVELOPMENT]))
    ).one()


def unit_metrics(session: Session, unit: Unit, period: Period, *, now: datetime,
                 policy: ReplyPolicy, min_n: int) -> UnitMetrics:
    """The figures of a unit's subtree: the period's feedback and the replies and themes now."""
    return UnitMetrics(
        unit=unit,
        figures=feedback_figures(session, unit, period, min_n=min_n),
        replies=reply_figures(session, unit, now=now, policy=policy),
        in_development=in_development_count(session, unit),
    )


def period_bucket(rows, periods: list[Period]):
    """SQL: the index of the (sorted, non-overlapping) period an aggregate row of `period_rows` falls in."""
    return case(*[(rows.c.day <= p.last, i) for i, p in enumerate(periods)])


def weekly_nps(session: Session, unit: Unit, weeks: list[IsoWeek], *, min_n: int) -> list[WeekNps]:
    """NPS of each ISO week (Helsinki days), from the aggregates in one grouped query."""
    periods = [week.period() for week in weeks]
    names = ("promoters", "passives", "detractors")
    summed = _subtree_rows(unit, periods, names)
    bucket = period_bucket(summed, periods).label("bucket")
    rows = session.exec(select(bucket, *_summed(summed, *names)).group_by(bucket)).all()
    counts = {int(row[0]): row[1:] for row in rows if row[0] is not None}
    result = []
    for i, week in enumerate(weeks):
        promoters, passives, detractors = (int(v) for v in counts.get(i, (0, 0, 0)))
        result.append(WeekNps(week, nps(promoters=promoters, passives=passives,
                                        detractors=detractors, min_n=min_n)))
    return result


def volume_by_period(session: Session, unit: Unit, periods: list[Period]) -> list[int]:
    """Feedback received in each of some non-overlapping periods, from the aggregates."""
    rows = _subtree_rows(unit, periods, ["volume"])
    columns = [func.coalesce(func.sum(case((rows.c.day.between(p.first, p.last), rows.c.volume), else_=0)), 0)
               for p in periods]
    return [int(v) for v in session.exec(select(*columns)).one()]


def volume_by_collection(session: Session, unit: Unit, period: Period) -> dict[str, int]:
    """Feedback of a period by how it was collected (web, kiosk, sms …), largest first."""
    columns = MIX_COLUMNS[COLLECTION]
    rows = period_rows(feedback_day, [period], columns, lambda table: [in_subtree(unit, table.c.unit_id)])
    sums = session.exec(select(*[func.coalesce(func.sum(rows.c[name]), 0) for name in columns])).one()
    counted = [(collection, int(count)) for collection, count in zip(MIX_VALUES[COLLECTION], sums) if count]
    return dict(sorted(counted, key=lambda item: -item[1]))
