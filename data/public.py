"""The public page: published actions and the public figures, for anyone; no sign-in, no feedback text."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from auth.access import Viewer, require
from auth.roles import Permission
from board.content_language import InLanguage
from board.identity import looks_personal, screen
from board.likert import STATEMENT_KEYS
from board.nps import nps
from board.privacy import is_too_few, suppressed_siblings
from board.quarters import Quarter
from data.audit import record
from data.aggregate_tables import feedback_day
from data.period_sums import period_rows
from data.models import Action, AppSetting, Theme, ThemeFeedback, Unit
from data.actions import ACTION_STATE, PUBLIC_TEXT_COLUMNS, load_action, public_text_in
from data.editing import check_seen, versioned_update

STAFF_NAMES = "public.show_staff_names"
AREA_LEVEL = "result_area"
UNIT_LEVEL = "unit"
ACTIONS_SHOWN = 12


class UnknownTopic(ValueError):
    """A topic that is not one of the national statements."""


@dataclass(frozen=True)
class Place:
    """A unit or area as the public sees it: its code and its name in the reader's language."""

    code: str
    name: str


@dataclass(frozen=True)
class PublicAction:
    """One "you said, we did" item: only its public words, never the feedback behind it."""

    id: int
    taken_on: date
    unit: Place
    area: Place | None
    topic: str | None
    text: str
    owner: str | None
    # The language `text` is written in: the reader's, or "fi" (to be marked as Finnish) where theirs is missing.
    text_language: str = "fi"
    answers: int = 0  # how many pieces of feedback it answers: a count only, never their text


@dataclass(frozen=True)
class QuarterFigures:
    """A place's public figures of one quarter; `nps` and a share are None when hidden ("*")."""

    quarter: Quarter
    n_nps: int
    nps: float | None
    nps_hidden: bool
    agree_pct: dict[str, float | None]
    agree_n: dict[str, int]


@dataclass(frozen=True)
class PlaceFigures:
    """The figures of one place over the quarters asked for, oldest first."""

    place: Place
    quarters: list[QuarterFigures]


def check_topic(topic: str | None) -> str | None:
    """An action's topic: one of the national statement keys, or none."""
    value = (topic or "").strip() or None
    if value is not None and value not in STATEMENT_KEYS:
        raise UnknownTopic(value)
    return value


def set_action_topic(session: Session, *, viewer: Viewer, action_id: int, seen_version: int, topic: str | None,
                     now: datetime) -> None:
    """Say which national statement an action concerns (or none); versioned and audited like its other edits."""
    action, _, unit = load_action(session, action_id)
    require(viewer, Permission.EDIT_THEMES, unit.path, target=unit.code)
    check_seen(action, "action", ACTION_STATE, seen_version)
    wanted = check_topic(topic)
    before = action.topic
    if before == wanted:
        return
    versioned_update(session, action, "action", ACTION_STATE, seen_version, {"topic": wanted})
    record(session, actor=viewer.label, action="action.topic", entity="action", entity_id=str(action.id),
           unit_id=unit.id, now=now, before={"topic": before}, after={"topic": wanted})


# --- Settings --------------------------------------------------------------------------------------

def show_staff_names(session: Session) -> bool:
    """Whether the public page names the staff responsible for an action (off unless an admin turns it on)."""
    setting = session.get(AppSetting, STAFF_NAMES)
    return setting is not None and setting.value == "1"


def set_show_staff_names(session: Session, *, viewer: Viewer, show: bool, now: datetime) -> bool:
    """Turn staff names on the public page on or off (admin of the whole county); audited."""
    root = session.exec(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id)).first()
    require(viewer, Permission.CONFIGURE, root.path if root else "", target=root.code if root else "")
    setting = session.get(AppSetting, STAFF_NAMES)
    before = setting is not None and setting.value == "1"
    if before == show:
        return show
    if setting is None:
        setting = AppSetting(key=STAFF_NAMES, value="", updated_at=now, updated_by=viewer.label, version=0)
    setting.value, setting.updated_at, setting.updated_by = ("1" if show else "0"), now, viewer.label
    setting.version += 1
    session.add(setting)
    record(session, actor=viewer.label, action="setting.change", entity="app_setting", entity_id=STAFF_NAMES,
           now=now, before={"value": before}, after={"value": show})
    return show


# --- Places -----------------------------------------------------------------------------------------

def _place(unit: Unit, language: str) -> Place:
    return Place(unit.code, unit.name(language))


def public_areas(session: Session, *, language: str) -> list[Place]:
    """The active result areas, by name in the reader's language."""
    units = session.exec(select(Unit).where(Unit.active, Unit.level == AREA_LEVEL)).all()
    return sorted((_place(u, language) for u in units), key=lambda p: p.name.casefold())


def public_units(session: Session, *, language: str, area_code: str | None = None) -> list[Place]:
    """The active units (of an area, when given), by name in the reader's language."""
    query = select(Unit).where(Unit.active, Unit.level == UNIT_LEVEL)
    if area_code:
        area = session.exec(select(Unit).where(Unit.code == area_code)).first()
        if area is None:
            return []
        query = query.where(Unit.path.startswith(area.path))
    return sorted((_place(u, language) for u in session.exec(query).all()), key=lambda p: p.name.casefold())


# --- Published actions ------------------------------------------------------------------------------

def _action_conditions(session: Session, place, *, area_code: str | None, unit_code: str | None,
                       topic: str | None, search: str | None, quarter: Quarter | None) -> list | None:
    """The filters of the public action list as SQL conditions; None when an area or unit is unknown."""
    conditions = [Action.published_at.is_not(None), Action.public_text.is_not(None)]
    for code in (area_code, unit_code):
        if code:
            chosen = session.exec(select(Unit).where(Unit.code == code)).first()
            if chosen is None:
                return None
            conditions.append(place.path.startswith(chosen.path))
    if topic:
        conditions.append(Action.topic == topic)
    words = (search or "").strip().casefold()
    if words:
        # The words are looked for in every language's text, so a Finnish word finds a Swedish reader's action.
        conditions.append(or_(*(func.lower(getattr(Action, column)).contains(words, autoescape=True)
                                for column in PUBLIC_TEXT_COLUMNS.values())))
    if quarter is not None:
        conditions += [Action.taken_on >= quarter.period().first, Action.taken_on <= quarter.period().last]
    return conditions


def public_actions(session: Session, *, language: str, area_code: str | None = None,
                   unit_code: str | None = None, topic: str | None = None, search: str | None = None,
                   quarter: Quarter | None = None, limit: int = ACTIONS_SHOWN, offset: int = 0) -> list[PublicAction]:
    """Published actions with a public text, newest first, filtered by area, unit, topic, words and quarter,
    each in the reader's language or else in Finnish."""
    area = aliased(Unit)
    place = aliased(Unit)
    conditions = _action_conditions(session, place, area_code=area_code, unit_code=unit_code, topic=topic,
                                    search=search, quarter=quarter)
    if conditions is None:
        return []
    owners = show_staff_names(session)
    # How many pieces of feedback the action answers: those linked to its theme (a count, never a text).
    answers = (select(func.count()).select_from(ThemeFeedback)
               .where(ThemeFeedback.theme_id == Theme.id).correlate(Theme).scalar_subquery())
    rows = session.exec(
        select(Action, place, area, Theme.owner, answers)
        .join(Theme, Theme.id == Action.theme_id)
        .join(place, place.id == Theme.unit_id)
        .outerjoin(area, and_(area.level == AREA_LEVEL, place.path.startswith(area.path)))
        .where(*conditions)
        .order_by(Action.taken_on.desc(), Action.published_at.desc(), Action.id.desc())
        .limit(limit).offset(max(0, offset))
    ).all()
    # Texts published before public texts were screened: one that looks personal is left out, and an
    # owner (a staff member's name, typed by hand) is shown screened.
    return [
        PublicAction(id=action.id, taken_on=action.taken_on, unit=_place(unit, language),
                     area=_place(in_area, language) if in_area else None, topic=action.topic,
                     text=text.text, owner=screen(owner).text if owners and owner else None,
                     text_language=text.language, answers=int(count or 0))
        for action, unit, in_area, owner, count, text in ((*row, public_text_in(row[0], language)) for row in rows)
        if text is not None and not looks_personal(text.text)
    ]


def public_action_text(session: Session, *, action_id: int, language: str) -> InLanguage | None:
    """A published action's public text for a reader of `language` and the language it is in; None if unpublished."""
    action = session.get(Action, action_id)
    if action is None or action.published_at is None:
        return None
    text = public_text_in(action, language)
    return None if text is None or looks_personal(text.text) else text


def count_public_actions(session: Session, *, area_code: str | None = None, unit_code: str | None = None,
                         topic: str | None = None, search: str | None = None, quarter: Quarter | None = None) -> int:
    """How many published actions the same filters find: the public list's pages are counted from it."""
    place = aliased(Unit)
    conditions = _action_conditions(session, place, area_code=area_code, unit_code=unit_code, topic=topic,
                                    search=search, quarter=quarter)
    if conditions is None:
        return 0
    return int(session.exec(select(func.count(Action.id)).join(Theme, Theme.id == Action.theme_id)
                            .join(place, place.id == Theme.unit_id).where(*conditions)).one())


# --- Public figures ---------------------------------------------------------------------------------

def public_figures(session: Session, *, language: str, quarters: list[Quarter], min_n: int,
                   area_code: str | None = None) -> tuple[PlaceFigures | None, list[PlaceFigures]]:
    """The county (or an area) and its areas (or units) per quarter, small numbers hidden with their siblings."""
    if area_code:
        parent = session.exec(select(Unit).where(Unit.code == area_code)).first()
        if parent is None:
            return None, []
        children = session.exec(select(Unit).where(Unit.active, Unit.level == UNIT_LEVEL,
                                                   Unit.path.startswith(parent.path))).all()
    else:
        parent = session.exec(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id)).first()
        children = session.exec(select(Unit).where(Unit.active, Unit.level == AREA_LEVEL)).all()
    if parent is None:
        return None, []
    counts = _quarter_counts(session, parent, children, quarters)
    parent_figures = _figures(parent, counts, quarters, language, min_n, hidden=None)
    hidden = _hidden_siblings(parent, children, counts, quarters, min_n)
    rows = [_figures(child, counts, quarters, language, min_n, hidden=hidden) for child in children]
    return parent_figures, sorted(rows, key=lambda r: r.place.name.casefold())


def _quarter_counts(session: Session, parent: Unit, children: list[Unit],
                    quarters: list[Quarter]) -> dict[tuple[int, int], tuple]:
    """Per (place id, quarter index): NPS counts and, per statement, answers and agreeing; summed in SQL from the
    aggregates per child place (whose subtrees do not overlap) and quarter, the parent being all of them together
    with its answers in no child."""
    periods = [q.period() for q in quarters]
    names = ["promoters", "passives", "detractors",
             *(f"{key}_{part}" for key in STATEMENT_KEYS for part in ("n", "agree"))]
    summed = period_rows(feedback_day, periods, names)
    place = case(*[(Unit.path.startswith(child.path), child.id) for child in children], else_=parent.id)
    bucket = case(*[(summed.c.day <= p.last, i) for i, p in enumerate(periods)])
    tagged = (select(place.label("place"), bucket.label("bucket"), *[summed.c[name] for name in names])
              .join(Unit, Unit.id == summed.c.unit_id).where(Unit.path.startswith(parent.path)).subquery("tagged"))
    rows = session.exec(
        select(tagged.c.place, tagged.c.bucket, *[func.sum(tagged.c[name]) for name in names])
        .group_by(tagged.c.place, tagged.c.bucket)
    ).all()
    counts: dict[tuple[int, int], tuple] = {}
    for place_id, i, *values in rows:
        if i is None:
            continue
        values = tuple(int(v) for v in values)
        whole = counts.get((parent.id, int(i)), _empty())
        counts[(parent.id, int(i))] = tuple(a + b for a, b in zip(whole, values))
        if place_id != parent.id:
            counts[(int(place_id), int(i))] = values
    return {key: value for key, value in counts.items() if any(value)}


def _empty() -> tuple:
    return (0,) * (3 + 2 * len(STATEMENT_KEYS))


# The parent's answers that no shown row holds (closed units, answers on the parent itself): a sibling
# that is never shown, so the small-number rule must count it, or a small remainder is the parent's
# total minus the shown rows.
NOT_SHOWN = ""


def _hidden_siblings(parent: Unit, children: list[Unit], counts: dict, quarters: list[Quarter],
                     min_n: int) -> dict:
    """Per (quarter index, figure): the sibling codes hidden by the small-number rule."""
    hidden = {}
    for i in range(len(quarters)):
        values = {child.code: counts.get((child.id, i), _empty()) for child in children}
        shown_total = [sum(column) for column in zip(_empty(), *values.values())]
        values[NOT_SHOWN] = tuple(whole - shown for whole, shown in
                                  zip(counts.get((parent.id, i), _empty()), shown_total))
        hidden[(i, "nps")] = suppressed_siblings({code: sum(v[:3]) for code, v in values.items()}, min_n)
        for k, key in enumerate(STATEMENT_KEYS):
            hidden[(i, key)] = suppressed_siblings({code: v[3 + 2 * k] for code, v in values.items()}, min_n)
    return hidden


def _figures(unit: Unit, counts: dict, quarters: list[Quarter], language: str, min_n: int,
             hidden: dict | None) -> PlaceFigures:
    result = []
    for i, quarter in enumerate(quarters):
        promoters, passives, detractors, *statements = counts.get((unit.id, i), _empty())
        score = nps(promoters=promoters, passives=passives, detractors=detractors, min_n=min_n)
        nps_hidden = score.n > 0 and (score.score is None or unit.code in (hidden or {}).get((i, "nps"), ()))
        agree, agree_n = {}, {}
        for k, key in enumerate(STATEMENT_KEYS):
            n, agreeing = statements[2 * k], statements[2 * k + 1]
            shown = not is_too_few(n, min_n) and unit.code not in (hidden or {}).get((i, key), ())
            agree[key] = round(100 * agreeing / n, 1) if shown else None
            agree_n[key] = n
        result.append(QuarterFigures(quarter=quarter, n_nps=score.n,
                                     nps=None if nps_hidden or score.score is None else round(score.score, 1),
                                     nps_hidden=nps_hidden, agree_pct=agree, agree_n=agree_n))
    return PlaceFigures(place=_place(unit, language), quarters=result)
