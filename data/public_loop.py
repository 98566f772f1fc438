"""The loop in public figures: per place and quarter, the themes worked on and how they ended; counts only."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, literal, or_, union_all
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from auth.access import Viewer
from auth.roles import Permission
from board.identity import looks_personal
from board.quarters import Quarter
from board.stages import EXITS, IN_DEVELOPMENT, Stage
from data.audit import record
from data.editing import check_seen, versioned_update
from data.metrics import _count_if
from data.models import Action, Theme, Unit
from data.public import Place
from data.themes import THEME_STATE, theme_for

# The stages in which a theme is being worked on, or was until it ended.
_WORKED_STAGES = tuple(stage.value for stage in (*IN_DEVELOPMENT, Stage.DONE))


@dataclass(frozen=True)
class Reason:
    """A published escalation target or reason not to pursue, and how many of the quarter's themes gave it."""

    stage: str
    text: str
    themes: int


@dataclass(frozen=True)
class LoopFigures:
    """One place's loop in one quarter: themes worked on, changes made, escalated, not pursued."""

    quarter: Quarter
    worked_on: int
    changed: int
    escalated: int
    not_pursued: int
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class PlaceLoop:
    """The loop figures of one place over the quarters asked for, oldest first."""

    place: Place
    quarters: list[LoopFigures]


def _quarter_table(quarters: list[Quarter]):
    """The quarters as a small table (index, UTC bounds, first and last day) to join with."""
    rows = []
    for i, quarter in enumerate(quarters):
        start, end = quarter.period().utc_bounds()
        rows.append(select(literal(i).label("i"), literal(start).label("start"), literal(end).label("end"),
                           literal(quarter.period().first).label("first"),
                           literal(quarter.period().last).label("last")))
    return union_all(*rows).subquery("q")


def _is_published(action):
    return and_(action.published_at.is_not(None), action.public_text.is_not(None))


def public_loop(session: Session, *, places: list[Unit], quarters: list[Quarter], language: str) -> list[PlaceLoop]:
    """Per place (its whole subtree) and quarter: themes worked on, with a published change, escalated, not pursued.

    A theme is worked on in a quarter when it was in development during it (started before the quarter
    ended and not ended before it began), left the flow in it, or has an action published for it taken in
    it; it led to a change when such an action exists; escalations and decisions not to pursue count in
    the quarter they were made. One grouped query for the counts and one for the published reasons.
    """
    if not places or not quarters:
        return []
    q = _quarter_table(quarters)
    place = aliased(Unit)
    owner = aliased(Unit)
    action = aliased(Action)
    changed = exists().where(action.theme_id == Theme.id, _is_published(action),
                             action.taken_on >= q.c.first, action.taken_on <= q.c.last)
    ended_in = and_(Theme.stage_since >= q.c.start, Theme.stage_since < q.c.end)
    in_development = and_(Theme.stage.in_(_WORKED_STAGES), Theme.development_started_at.is_not(None),
                          Theme.development_started_at < q.c.end,
                          or_(Theme.stage != Stage.DONE.value, Theme.stage_since >= q.c.start))
    exited = and_(Theme.stage.in_([s.value for s in EXITS]), ended_in)
    worked = or_(in_development, exited, changed)
    ids = [p.id for p in places]
    base = (select(place.id, q.c.i)
            .select_from(Theme)
            .join(owner, owner.id == Theme.unit_id)
            .join(place, owner.path.startswith(place.path))
            .join(q, literal(True))
            .where(place.id.in_(ids), Theme.created_at < q.c.end))
    rows = session.exec(
        base.add_columns(_count_if(worked), _count_if(changed),
                         _count_if(and_(Theme.stage == Stage.ESCALATED.value, ended_in)),
                         _count_if(and_(Theme.stage == Stage.NOT_PURSUED.value, ended_in)))
        .group_by(place.id, q.c.i)
    ).all()
    counts = {(int(r[0]), int(r[1])): tuple(int(v) for v in r[2:]) for r in rows}
    reasons = _published_reasons(session, base, exited)
    result = []
    for unit in places:
        figures = []
        for i, quarter in enumerate(quarters):
            worked_on, made, escalated, not_pursued = counts.get((unit.id, i), (0, 0, 0, 0))
            figures.append(LoopFigures(quarter=quarter, worked_on=worked_on, changed=made, escalated=escalated,
                                       not_pursued=not_pursued, reasons=tuple(reasons.get((unit.id, i), ()))))
        result.append(PlaceLoop(place=Place(unit.code, unit.name(language)), quarters=figures))
    return result


def _published_reasons(session: Session, base, exited) -> dict[tuple[int, int], list[Reason]]:
    """Per (place id, quarter index): the published reasons of the themes that left the flow, most given first."""
    text = func.coalesce(Theme.escalated_to, Theme.not_pursued_reason)
    rows = session.exec(
        base.add_columns(Theme.stage, text, func.count())
        .where(exited, Theme.reason_published_at.is_not(None), Theme.reason_published_at >= Theme.stage_since,
               text.is_not(None))
        .group_by(base.selected_columns[0], base.selected_columns[1], Theme.stage, text)
    ).all()
    reasons: dict[tuple[int, int], list[Reason]] = {}
    for place_id, i, stage, words, themes in rows:
        # Written before reasons could be published: one that looks personal stays internal.
        if not looks_personal(words):
            reasons.setdefault((int(place_id), int(i)), []).append(Reason(stage, words, int(themes)))
    for listed in reasons.values():
        listed.sort(key=lambda r: (-r.themes, r.stage, r.text.casefold()))
    return reasons


def publish_theme_reason(session: Session, *, viewer: Viewer, theme_id: int, seen_version: int, publish: bool,
                         now: datetime) -> None:
    """Publish (or withdraw) an escalated or not-pursued theme's target or reason; versioned and audited."""
    theme, unit = theme_for(session, viewer, theme_id, Permission.EDIT_THEMES)
    check_seen(theme, "theme", THEME_STATE, seen_version)
    if Stage(theme.stage) not in EXITS:
        raise ValueError("only an escalated or not pursued theme has a reason to publish")
    published = theme.reason_published_at is not None and theme.reason_published_at >= theme.stage_since
    if published == publish:
        return
    wanted = now if publish else None
    versioned_update(session, theme, "theme", THEME_STATE, seen_version, {"reason_published_at": wanted})
    record(session, actor=viewer.label, action="theme.reason_publish", entity="theme", entity_id=str(theme.id),
           unit_id=unit.id, now=now, before={"published": published}, after={"published": publish})
