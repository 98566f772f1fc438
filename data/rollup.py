"""The director's roll-up: every node of a subtree from a few SQL aggregates grouped by unit, pooled up the tree."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from sqlalchemy import and_, case, func
from sqlmodel import Session, select

from auth.access import Viewer, require, scope_paths
from auth.roles import Permission
from board.likert import STATEMENT_KEYS
from board.nps import NpsResult, nps
from board.periods import Period, helsinki_date, months_up_to
from board.report_periods import compared_with
from board.replies import due_soon_cutoff, overdue_cutoff
from board.pooling import pooled_medians, pooled_sums, tree_of
from board.rollup import suppressed_nodes
from board.significance import Difference, nps_difference
from board.stages import IN_DEVELOPMENT
from data.metrics import _count_if, metrics_json
from data.period_counts import _aggregate_scope, _channel_counts, _compared_counts, _reply_hours
from data.aggregate_tables import DAY_COLUMNS, feedback_day
from data.period_sums import period_rows
from data.models import Action, Feedback, Theme, Unit
from data.huddle_rates import huddle_days
from data.reply_rates import reply_deadlines
from data.rollup_figures import (_DETRACTORS, _PROMOTERS, _WIDTH, PeriodFigures, _Columns, _StatementChanges,
                                 period_figures)
from data.units import find_unit
from data.settings import Settings

HOURS_PER_DAY = 24
TREND_MONTHS = 12

@dataclass(frozen=True)
class RollupNode:
    """One node of the tree with its subtree's pooled figures; `suppressed` hides its NPS and shares."""

    code: str
    names: dict[str, str]
    level: str
    depth: int
    parent_code: str | None
    children: tuple[str, ...]
    current: PeriodFigures
    previous: PeriodFigures
    year_ago: PeriodFigures
    vs_previous: Difference | None
    vs_year_ago: Difference | None
    statement_vs_previous: Mapping[str, Difference | None]
    replies_requested: int
    replied: int
    replied_in_time: int
    overdue: int
    due_soon: int
    median_reply_days: float | None
    in_development: int
    actions_done: int
    by_channel: dict[str, int]
    suppressed: bool
    replies_due: int = 0  # requests of the period whose deadline has passed (report18)
    replies_due_in_time: int = 0  # of those, answered in time
    replies_not_yet_due: int = 0  # requests whose deadline is still ahead
    huddles_held: int = 0  # working days with a huddle, summed over the subtree's boards (issue 14)
    huddle_days: int = 0   # working days of the period up to today × the subtree's boards

    def name(self, language: str = "fi") -> str:
        """The node's name in the language, Finnish when missing."""
        return self.names.get(language) or self.names["fi"]

    @property
    def nps(self) -> NpsResult:
        """The period's NPS counts and score, before suppression."""
        return self.current.nps

    @property
    def nps_shown(self) -> float | None:
        """The NPS that may be shown: None when too few answered or hidden for a sibling."""
        return None if self.suppressed else self.current.nps.score

    def agree_shown(self, key: str, min_n: int) -> float | None:
        """A statement's share agreeing that may be shown: None when hidden or too few answered it."""
        summary = self.current.likert[key]
        if self.suppressed or summary.n < max(min_n, 1):
            return None
        return summary.agree_pct

    def lowest_statement(self, min_n: int) -> float | None:
        """The lowest share agreeing of the statements that may be shown."""
        shown = [v for v in (self.agree_shown(key, min_n) for key in STATEMENT_KEYS) if v is not None]
        return min(shown, default=None)

    def metrics_json(self, period: Period) -> dict:
        """The node's figures in the JSON of `python -m data metrics` (before sibling suppression, as there)."""
        return metrics_json(code=self.code, period=period, nps_result=self.current.nps, volume=self.current.volume,
                            likert=self.current.likert, overdue=self.overdue, due_soon=self.due_soon,
                            in_development=self.in_development)


@dataclass(frozen=True)
class Rollup:
    """The roll-up of one subtree for a period, with the periods it is compared against."""

    kind: str
    period: Period
    previous: Period
    year_ago: Period
    root: str
    min_n: int
    nodes: dict[str, RollupNode] = field(default_factory=dict)
    reply_days: int = 14

    def node(self, code: str) -> RollupNode:
        """The node with this code."""
        return self.nodes[code]

    def children(self, code: str) -> list[RollupNode]:
        """The node's children in tree order."""
        return [self.nodes[c] for c in self.nodes[code].children]

    def path_to(self, code: str) -> list[RollupNode]:
        """The nodes from the roll-up's root down to this one."""
        path = []
        node: RollupNode | None = self.nodes[code]
        while node is not None:
            path.append(node)
            node = self.nodes.get(node.parent_code) if node.parent_code else None
        return path[::-1]

    def subtree(self, code: str) -> list[RollupNode]:
        """The node and everything below it, parents before children."""
        found, stack = [], [code]
        while stack:
            current = stack.pop()
            found.append(self.nodes[current])
            stack.extend(reversed(self.nodes[current].children))
        return found


@dataclass(frozen=True)
class MonthFigures:
    """A node's NPS and volume of one calendar month, for the trend chart."""

    month: Period
    volume: int
    nps: NpsResult


def rollup_roots(session: Session, *, viewer: Viewer) -> list[Unit]:
    """The units at the top of the viewer's roll-up scopes, in tree order."""
    roots = scope_paths(viewer, Permission.VIEW_ROLLUP)
    units = session.exec(select(Unit).where(Unit.path.in_(roots), Unit.active).order_by(Unit.path)).all()
    return list(units)


def _rollup_unit(session: Session, viewer: Viewer, unit_code: str) -> Unit:
    unit = find_unit(session, unit_code)
    require(viewer, Permission.VIEW_ROLLUP, unit.path, target=unit.code)
    return unit


def rollup(session: Session, *, viewer: Viewer, unit_code: str, period: Period, kind: str, now: datetime,
           settings: Settings) -> Rollup:
    """Every node of a subtree the viewer may roll up, from a handful of grouped queries whatever the tree's size."""
    root = _rollup_unit(session, viewer, unit_code)
    return compute_rollup(session, root, period=period, kind=kind, now=now, settings=settings)


def rollup_around(session: Session, *, viewer: Viewer, unit_code: str, period: Period, kind: str, now: datetime,
                  settings: Settings) -> Rollup:
    """The roll-up of the viewer's widest scope that holds the unit, so a drill-down hides what the top hides."""
    unit = _rollup_unit(session, viewer, unit_code)
    root = min((r for r in rollup_roots(session, viewer=viewer) if unit.path.startswith(r.path)),
               key=lambda r: len(r.path), default=unit)
    return compute_rollup(session, root, period=period, kind=kind, now=now, settings=settings)


def compute_rollup(session: Session, root: Unit, *, period: Period, kind: str, now: datetime,
                   settings: Settings) -> Rollup:
    """The roll-up of a subtree without an access check: for the service above and the benchmark."""
    previous, year_ago = compared_with(period, kind)  # a running period: the same days of those
    units = list(session.exec(select(Unit).where(Unit.path.startswith(root.path)).order_by(Unit.path)).all())
    in_scope = Unit.path.startswith(root.path)
    feedback_scope = Feedback.unit_id.in_(select(Unit.id).where(in_scope))
    theme_scope = Theme.unit_id.in_(select(Unit.id).where(in_scope))

    per_period = _compared_counts(session, root, [period, previous, year_ago])
    compared = list(per_period)  # the distinct periods, this one first (a year's previous is its year ago)
    hours = _reply_hours(session, root, period)
    awaiting = _awaiting(session, feedback_scope, now, settings)
    deadlines = reply_deadlines(session, root, period, now=now, settings=settings)
    themes = dict(session.exec(
        select(Theme.unit_id, func.count()).where(theme_scope, Theme.stage.in_([s.value for s in IN_DEVELOPMENT]))
        .group_by(Theme.unit_id)).all())
    actions = dict(session.exec(
        select(Theme.unit_id, func.count()).select_from(Action).join(Theme, Theme.id == Action.theme_id)
        .where(theme_scope, Action.taken_on >= period.first, Action.taken_on <= period.last)
        .group_by(Theme.unit_id)).all())
    held, days = huddle_days(session, select(Unit.id).where(in_scope), period, helsinki_date(now))
    # A board: every unit of the lowest level, and any other unit that held a huddle in the period.
    boards = {u.id: int(u.active and (u.level == "unit" or u.id in held)) for u in units}
    channels = _channel_counts(session, root, period)
    channel_names = sorted({name for counts in channels.values() for name in counts})

    # Every unit's own counts side by side in one row; a node's pooled row adds its whole subtree's (array sums).
    by_id = {unit.id: unit for unit in units}
    position = {unit.id: i for i, unit in enumerate(units)}
    tree = tree_of([position[u.parent_id] if u.id != root.id and u.parent_id in position else -1 for u in units])
    columns = _Columns(len(compared), len(channel_names))
    none = [0] * len(DAY_COLUMNS)
    own = [[*(v for p in compared for v in per_period[p].get(u.id, none)), *awaiting.get(u.id, (0, 0)),
            *deadlines.get(u.id, (0, 0, 0)), themes.get(u.id, 0), actions.get(u.id, 0), held.get(u.id, 0),
            boards[u.id], *(channels.get(u.id, {}).get(name, 0) for name in channel_names)] for u in units]
    pooled = pooled_sums(tree, np.array(own, dtype=np.int64).reshape(len(units), columns.width)).tolist()
    policy_hours = settings.reply_policy.days * HOURS_PER_DAY
    unit_ids, buckets, counts = hours
    positions = np.full(max(position) + 1, -1, dtype=np.int64)
    positions[list(position)] = list(position.values())
    nodes = positions[unit_ids]
    mine = nodes >= 0  # the query reads the subtree only; this keeps any other unit out of the pooling anyway
    medians, in_time = pooled_medians(tree, node=nodes[mine], bucket=buckets[mine], count=counts[mine],
                                      below=policy_hours)

    shown = [u for u in units if u.active]
    shown_ids = {u.id for u in shown}
    children = {u.code: [] for u in shown}
    for unit in shown:
        parent = by_id.get(unit.parent_id)
        if unit.id != root.id and parent is not None and parent.id in shown_ids:
            children[parent.code].append(unit.code)
    min_n = settings.min_n
    n_nps = {u.code: sum(pooled[position[u.id]][_PROMOTERS:_DETRACTORS + 1]) for u in shown}
    hidden = suppressed_nodes(children, n_nps, min_n, root.code)
    root_depth = root.path.count("/")
    nodes: dict[str, RollupNode] = {}
    for unit in shown:
        at = position[unit.id]
        row = pooled[at]
        counts = {p: row[columns.period(i):columns.period(i) + _WIDTH] for i, p in enumerate(compared)}
        figures = {p: period_figures(c, min_n) for p, c in counts.items()}
        current, before, year_before = figures[period], figures[previous], figures[year_ago]
        requested, replied, _ = row[columns.period(0) + _WIDTH:columns.period(1)]
        overdue, due_soon, due, due_in_time, not_yet_due, developing, done, huddles, board_count = \
            row[columns.others:columns.channels]
        median_hours = medians[at]
        parent = by_id.get(unit.parent_id)
        is_hidden = unit.code in hidden or current.nps.score is None
        nodes[unit.code] = RollupNode(
            code=unit.code,
            names={"fi": unit.name_fi, "sv": unit.name_sv, "en": unit.name_en},
            level=unit.level,
            depth=unit.path.count("/") - root_depth,
            parent_code=parent.code if parent is not None and unit.id != root.id else None,
            children=tuple(children[unit.code]),
            current=current,
            previous=before,
            year_ago=year_before,
            vs_previous=None if is_hidden else nps_difference(current.nps, before.nps),
            vs_year_ago=None if is_hidden else nps_difference(current.nps, year_before.nps),
            statement_vs_previous=_StatementChanges(counts[period], counts[previous], is_hidden, min_n),
            replies_requested=requested,
            replied=replied,
            replied_in_time=in_time[at],
            overdue=overdue,
            due_soon=due_soon,
            median_reply_days=None if median_hours is None else max(0.0, median_hours) / HOURS_PER_DAY,
            in_development=developing,
            actions_done=done,
            by_channel=dict(sorted(((name, count) for name, count in zip(channel_names, row[columns.channels:])
                                    if count), key=lambda kv: -kv[1])),
            suppressed=unit.code in hidden,
            replies_due=due,
            replies_due_in_time=due_in_time,
            replies_not_yet_due=not_yet_due,
            huddles_held=huddles,
            huddle_days=board_count * days,
        )
    return Rollup(kind=kind, period=period, previous=previous, year_ago=year_ago, root=root.code,
                  min_n=min_n, nodes=nodes, reply_days=settings.reply_policy.days)


def _awaiting(session: Session, feedback_scope, now: datetime, settings: Settings) -> dict[int, tuple[int, int]]:
    late_before = overdue_cutoff(now, settings.reply_policy)
    soon_before = due_soon_cutoff(now, settings.reply_policy)
    rows = session.exec(
        select(Feedback.unit_id, _count_if(Feedback.received_at < late_before),
               _count_if(and_(Feedback.received_at >= late_before, Feedback.received_at < soon_before)))
        .where(feedback_scope, Feedback.reply_requested, Feedback.replied_at.is_(None),
               Feedback.no_reply_reason.is_(None))
        .group_by(Feedback.unit_id)
    ).all()
    return {row[0]: (int(row[1]), int(row[2])) for row in rows}


def monthly_trend(session: Session, *, viewer: Viewer, unit_code: str, last_day, settings: Settings,
                  months: int = TREND_MONTHS) -> list[MonthFigures]:
    """A node's NPS and volume month by month up to the month of `last_day`, in one grouped query."""
    return monthly_trend_of(session, _rollup_unit(session, viewer, unit_code), last_day=last_day, settings=settings,
                            months=months)


def monthly_trend_of(session: Session, unit: Unit, *, last_day, settings: Settings,
                     months: int = TREND_MONTHS) -> list[MonthFigures]:
    """The monthly trend of a unit already checked (or of the command line's report)."""
    periods = months_up_to(last_day, months)
    names = ("volume", "promoters", "passives", "detractors")
    summed = period_rows(feedback_day, periods, names, lambda table: [_aggregate_scope(unit, table)])
    bucket = case(*[(summed.c.day <= p.last, i) for i, p in enumerate(periods)]).label("bucket")
    rows = session.exec(select(bucket, *[func.sum(summed.c[name]) for name in names]).group_by(bucket)).all()
    counts = {int(row[0]): [int(v) for v in row[1:]] for row in rows if row[0] is not None}
    result = []
    for i, month in enumerate(periods):
        volume, promoters, passives, detractors = counts.get(i, [0, 0, 0, 0])
        result.append(MonthFigures(month, volume, nps(promoters=promoters, passives=passives,
                                                      detractors=detractors, min_n=settings.min_n)))
    return result
