"""The kanban: a unit's themes by stage, with their feedback figures before and after development and WIP limits."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func
from sqlmodel import Session, select

from board.likert import AGREE_MIN, STATEMENT_KEYS, LikertSummary, likert_summary
from board.nps import NpsResult, nps
from board.stages import EXITS, FLOW, Stage, days_in_stage
from data.metrics import _count_if, _nps_columns
from auth.access import Viewer, can
from auth.roles import Permission
from data.models import Feedback, Theme, ThemeFeedback, Unit
from data.organisation import in_subtree
from data.settings import Settings
from data.units import unit_for, unit_name_column


STAGE_ORDER = (*FLOW, *EXITS)


@dataclass(frozen=True)
class ThemeFigures:
    """The linked feedback on one side of the development start: how many, NPS and statements."""

    feedback: int
    nps: NpsResult
    likert: dict[str, LikertSummary]

    def agree_pct(self, key: str) -> float | None:
        return self.likert[key].agree_pct


@dataclass(frozen=True)
class KanbanCard:
    id: int
    version: int
    unit_code: str
    unit_name: str
    title: str
    description: str
    owner: str | None
    stage: Stage
    stage_since: datetime
    days_in_stage: int
    escalated_to: str | None
    not_pursued_reason: str | None
    development_started_at: datetime | None
    feedback_count: int
    before: ThemeFigures | None   # None until the theme has gone to the development group
    after: ThemeFigures | None
    priority: int | None = None   # the place in "Tunnistettu" a duel's result gave (issue 20)
    # The title in Swedish and English (optional; issue 17).
    title_sv: str | None = None
    title_en: str | None = None
    # An escalated or not-pursued theme's target or reason shown on the public page (issue 17).
    reason_published: bool = False


@dataclass(frozen=True)
class KanbanColumn:
    stage: Stage
    cards: list[KanbanCard]
    limit: int | None
    over: bool          # some unit of the board holds more cards in the stage than its limit

    @property
    def count(self) -> int:
        return len(self.cards)


@dataclass(frozen=True)
class KanbanView:
    unit_code: str
    unit_name: str
    columns: list[KanbanColumn]   # the four flow stages, then the two exits
    can_edit: bool

    def column(self, stage: Stage) -> KanbanColumn:
        return next(column for column in self.columns if column.stage == Stage(stage))


_BEFORE, _AFTER = 0, 1


def _theme_figures(session: Session, unit: Unit,
                   min_n: int) -> tuple[dict[int, int], dict[tuple[int, int], ThemeFigures]]:
    """Per theme of the subtree: linked feedback count, and figures before/after its development start."""
    part = case((Theme.development_started_at.is_(None), None),
                (Feedback.received_at < Theme.development_started_at, _BEFORE), else_=_AFTER).label("part")
    likert_columns = []
    for key in STATEMENT_KEYS:
        column = getattr(Feedback, key)
        likert_columns += [func.count(column), func.coalesce(func.sum(column), 0), _count_if(column >= AGREE_MIN)]
    rows = session.exec(
        select(ThemeFeedback.theme_id, part, func.count(), *_nps_columns(), *likert_columns)
        .select_from(ThemeFeedback)
        .join(Theme, Theme.id == ThemeFeedback.theme_id)
        .join(Feedback, Feedback.id == ThemeFeedback.feedback_id)
        .where(in_subtree(unit, Theme.unit_id))
        .group_by(ThemeFeedback.theme_id, "part")
    ).all()
    counts: dict[int, int] = {}
    figures: dict[tuple[int, int], ThemeFigures] = {}
    for theme_id, side, volume, promoters, passives, detractors, *likert_values in rows:
        counts[theme_id] = counts.get(theme_id, 0) + int(volume)
        if side is None:
            continue
        values = [int(v) for v in likert_values]
        figures[(theme_id, int(side))] = ThemeFigures(
            feedback=int(volume),
            nps=nps(promoters=int(promoters), passives=int(passives), detractors=int(detractors), min_n=min_n),
            likert={key: likert_summary(key, n=values[3 * i], total=values[3 * i + 1], agreeing=values[3 * i + 2])
                    for i, key in enumerate(STATEMENT_KEYS)},
        )
    return counts, figures


def _empty_figures(min_n: int) -> ThemeFigures:
    return ThemeFigures(0, nps(promoters=0, passives=0, detractors=0, min_n=min_n),
                        {key: likert_summary(key, n=0, total=0, agreeing=0) for key in STATEMENT_KEYS})


def kanban(session: Session, *, viewer: Viewer, unit_code: str, now: datetime, settings: Settings,
           language: str = "fi") -> KanbanView:
    """The themes of a unit's subtree by stage with their feedback figures and each stage's WIP limit."""
    unit = unit_for(session, viewer, Permission.VIEW_KANBAN, unit_code)
    themes = session.exec(
        select(Theme, Unit.code, unit_name_column(language)).join(Unit, Unit.id == Theme.unit_id)
        .where(in_subtree(unit, Theme.unit_id))
        .order_by(Theme.stage_since, Theme.id)
    ).all()
    counts, figures = _theme_figures(session, unit, settings.min_n)
    empty = _empty_figures(settings.min_n)
    cards: dict[Stage, list[KanbanCard]] = {stage: [] for stage in STAGE_ORDER}
    per_unit: dict[tuple[int, Stage], int] = {}
    for theme, code, name in themes:
        stage = Stage(theme.stage)
        split = theme.development_started_at is not None
        cards[stage].append(KanbanCard(
            id=theme.id, version=theme.version, unit_code=code, unit_name=name, title=theme.title,
            description=theme.description, owner=theme.owner, stage=stage, stage_since=theme.stage_since,
            days_in_stage=days_in_stage(theme.stage_since, now), escalated_to=theme.escalated_to,
            not_pursued_reason=theme.not_pursued_reason, development_started_at=theme.development_started_at,
            feedback_count=counts.get(theme.id, 0),
            before=figures.get((theme.id, _BEFORE), empty) if split else None,
            after=figures.get((theme.id, _AFTER), empty) if split else None,
            priority=theme.priority,
            title_sv=theme.title_sv, title_en=theme.title_en,
            reason_published=(theme.reason_published_at is not None
                              and theme.reason_published_at >= theme.stage_since),
        ))
        per_unit[(theme.unit_id, stage)] = per_unit.get((theme.unit_id, stage), 0) + 1
    # "Tunnistettu" in the order a duel's result gave (issue 20), the themes without a place after them by age.
    cards[Stage.IDENTIFIED].sort(key=lambda card: (card.priority is None, card.priority or 0))
    wip = settings.wip_limits
    columns = [
        KanbanColumn(stage, cards[stage], wip.limit(stage),
                     any(wip.is_over(s, n) for (_, s), n in per_unit.items() if s == stage))
        for stage in STAGE_ORDER
    ]
    return KanbanView(unit.code, unit.name(language), columns, can(viewer, Permission.EDIT_THEMES, unit.path))
