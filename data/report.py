"""The printable report of a unit and period, built once and rendered twice (the /report page and the PDF of the CLI),
and the director's comment kept with it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, update
from sqlmodel import Session, select

from auth.access import Viewer, can, require
from auth.roles import Permission
from board.handling import screened_text
from board.periods import Period, period_key
from board.stages import IN_DEVELOPMENT
from data.audit import record
from data.models import Action, Theme, Unit
from data.report_tables import ReportComment
from data.rollup import MonthFigures, Rollup, RollupNode, compute_rollup, monthly_trend_of, rollup_around
from data.editing import RowState, StaleEdit
from data.units import UnknownUnit, find_unit
from data.settings import Settings

COMMENT_MOST = 4000  # characters: a few paragraphs for the meeting


class CommentTooLong(ValueError):
    """The comment is longer than COMMENT_MOST characters; nothing was written."""


@dataclass(frozen=True)
class ThemeLine:
    title: str
    unit_name: str
    stage: str


@dataclass(frozen=True)
class ActionLine:
    taken_on: date
    text: str
    theme_title: str
    unit_name: str


@dataclass(frozen=True)
class Report:
    """Everything a report shows: the figures of the node and the level below, the trend, the full lists, the comment."""

    rollup: Rollup
    node: RollupNode
    kind: str
    months: list[MonthFigures]
    themes: list[ThemeLine]
    actions: list[ActionLine]
    comment: ReportComment | None

    @property
    def children(self) -> list[RollupNode]:
        """The nodes of the level below, in tree order."""
        return self.rollup.children(self.node.code)


def themes_and_actions(session: Session, unit: Unit, period: Period) -> tuple[list[ThemeLine], list[ActionLine]]:
    """All of a subtree's themes in development now and all actions taken in the period (a report lists them in full)."""
    in_scope = Theme.unit_id.in_(select(Unit.id).where(Unit.path.startswith(unit.path)))
    themes = session.exec(
        select(Theme.title, Unit.name_fi, Theme.stage).join(Unit, Unit.id == Theme.unit_id)
        .where(in_scope, Theme.stage.in_([s.value for s in IN_DEVELOPMENT]))
        .order_by(Unit.path, Theme.stage_since, Theme.id)).all()
    actions = session.exec(
        select(Action.taken_on, Action.text, Theme.title, Unit.name_fi)
        .join(Theme, Theme.id == Action.theme_id).join(Unit, Unit.id == Theme.unit_id)
        .where(and_(in_scope, Action.taken_on >= period.first, Action.taken_on <= period.last))
        .order_by(Action.taken_on.desc(), Action.id.desc())).all()
    return [ThemeLine(*row) for row in themes], [ActionLine(*row) for row in actions]


def node_items(session: Session, *, viewer: Viewer, unit_code: str,
               period: Period) -> tuple[list[ThemeLine], list[ActionLine]]:
    """The drill-through of a roll-up node: its subtree's themes in development and the period's actions."""
    unit = find_unit(session, unit_code)
    require(viewer, Permission.VIEW_ROLLUP, unit.path, target=unit.code)
    return themes_and_actions(session, unit, period)


def _comment_row(session: Session, unit: Unit, kind: str, period: Period) -> ReportComment | None:
    return session.exec(select(ReportComment).where(
        ReportComment.unit_id == unit.id, ReportComment.kind == kind,
        ReportComment.period_key == period_key(kind, period)).execution_options(populate_existing=True)).first()


def report_comment(session: Session, *, viewer: Viewer, unit_code: str, kind: str,
                   period: Period) -> ReportComment | None:
    """The comment kept with a unit's report of the period, for those who may read the report."""
    unit = find_unit(session, unit_code)
    require(viewer, Permission.VIEW_ROLLUP, unit.path, target=unit.code)
    return _comment_row(session, unit, kind, period)


def save_report_comment(session: Session, *, viewer: Viewer, unit_code: str, kind: str, period: Period, text: str,
                        seen_version: int | None, now: datetime) -> ReportComment:
    """Keep the director's comment with the report of the period: screened, audited, no lost update (StaleEdit)."""
    unit = find_unit(session, unit_code)
    require(viewer, Permission.VIEW_ROLLUP, unit.path, target=unit.code)
    cleaned = screened_text(text)
    if len(cleaned) > COMMENT_MOST:
        raise CommentTooLong(len(cleaned))
    row = _comment_row(session, unit, kind, period)
    key = period_key(kind, period)
    if row is None and seen_version is None:
        row = ReportComment(unit_id=unit.id, kind=kind, period_key=key, text=cleaned, updated_at=now,
                            updated_by=viewer.label)
        session.add(row)
        session.flush()
        before = None
    elif row is None or seen_version is None or row.version != seen_version:
        # Someone wrote a comment first (or removed it): show theirs rather than overwrite it.
        raise StaleEdit([RowState("report_comment", row.id if row else 0, row.version if row else None,
                                  {"text": row.text if row else ""})])
    else:
        before = {"text": row.text}
        table = ReportComment.__table__
        result = session.execute(update(table).where(table.c.id == row.id, table.c.version == seen_version)
                                 .values(text=cleaned, updated_at=now, updated_by=viewer.label,
                                         version=table.c.version + 1))
        session.refresh(row)
        if result.rowcount != 1:
            raise StaleEdit([RowState("report_comment", row.id, row.version, {"text": row.text})])
    record(session, actor=viewer.label, action="report.comment", entity="report_comment", entity_id=str(row.id),
           unit_id=unit.id, now=now, before=before, after={"text": cleaned, "unit": unit.code, "period": key})
    return row


def _build(session: Session, result: Rollup, unit: Unit, kind: str, period: Period, *, today: date,
           settings: Settings) -> Report:
    themes, actions = themes_and_actions(session, unit, period)
    months = monthly_trend_of(session, unit, last_day=min(period.last, today), settings=settings)
    return Report(rollup=result, node=result.node(unit.code), kind=kind, months=months, themes=themes,
                  actions=actions, comment=_comment_row(session, unit, kind, period))


def build_report(session: Session, *, viewer: Viewer, unit_code: str, kind: str, period: Period, now: datetime,
                 today: date, settings: Settings) -> Report:
    """The report of a node the viewer may roll up, hidden figures as in the viewer's widest roll-up."""
    result = rollup_around(session, viewer=viewer, unit_code=unit_code, period=period, kind=kind, now=now,
                           settings=settings)
    return _build(session, result, find_unit(session, unit_code), kind, period, today=today, settings=settings)


def build_report_unchecked(session: Session, *, unit_code: str, kind: str, period: Period, now: datetime,
                           today: date, settings: Settings) -> Report:
    """The report for the command line (no signed-in viewer): hidden figures as seen from the top of the tree."""
    unit = find_unit(session, unit_code)
    top_id = int(unit.path.strip("/").split("/")[0])
    top = session.get(Unit, top_id) or unit
    result = compute_rollup(session, top, period=period, kind=kind, now=now, settings=settings)
    return _build(session, result, unit, kind, period, today=today, settings=settings)


def may_read_feedback(session: Session, *, viewer: Viewer, unit_code: str) -> bool:
    """Whether the drill-through may lead to the feedback itself: the viewer may read the unit's feedback."""
    try:
        unit = find_unit(session, unit_code)
    except UnknownUnit:
        return False
    return can(viewer, Permission.VIEW_FEEDBACK, unit.path)
