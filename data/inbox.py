"""The inbox: the feedback a supervisor may read, filtered in SQL, newest first, with each reply's status."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import and_, func, or_, true
from sqlmodel import Session, select

from board.handling import LOW_STATEMENT_MAX, nps_group_filter_values
from board.likert import STATEMENT_KEYS
from board.periods import Period
from board.record_links import record_url
from board.replies import days_left, due_soon_cutoff, is_due_soon, is_overdue, overdue_cutoff, reply_due
from auth.access import AccessDenied, Viewer
from auth.roles import Permission
from data.assignment import assigned_to_me, my_identities
from data.feedback_files import load_profile, profile_names
from data.models import Feedback, Theme, ThemeFeedback, Unit
from data.settings import Settings
from data.units import scope_units, unit_for, unit_name_column


INBOX_PAGE = 50
# Results counted past the page being read: beyond this the inbox says "over N" instead of counting
# every match of a year of a large county (an exact count of 500 000 rows costs seconds, this ~ms).
COUNT_MOST = 1000
log = logging.getLogger(__name__)


class ReplyStatus(StrEnum):
    """Where a feedback's reply stands; derived from reply_requested, replied_at and no_reply_reason."""

    AWAITING = "awaiting"
    REPLIED = "replied"
    NO_REPLY_NEEDED = "no_reply_needed"
    NOT_REQUESTED = "not_requested"


class Deadline(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"


@dataclass(frozen=True)
class InboxFilters:
    """What the supervisor narrows the inbox to; None (or False, or empty) means no filter."""

    status: ReplyStatus | None = None
    reply_requested: bool | None = None
    deadline: Deadline | None = None
    unit_code: str | None = None
    channel: str | None = None
    collection: str | None = None
    nps_group: str | None = None          # promoter, passive, detractor
    low_statement: bool = False           # some national statement answered 1-2
    period: Period | None = None          # Helsinki calendar days of received_at
    text: str | None = None               # in open_answer or free_text, any case
    mine: bool = False                    # "Minulle": replies assigned to the viewer


@dataclass(frozen=True)
class InboxRow:
    id: int
    version: int
    unit_code: str
    unit_name: str
    received_at: datetime
    channel: str | None
    collection: str | None
    nps: int | None
    statements: dict[str, int | None]
    open_answer: str | None
    free_text: str | None
    reply_requested: bool
    status: ReplyStatus
    replied_at: datetime | None
    replied_by: str | None
    no_reply_reason: str | None
    due_at: datetime | None               # when a reply was requested
    days_left: int | None                 # while awaiting a reply: 0 due today, negative late
    overdue: bool
    due_soon: bool
    theme_ids: tuple[int, ...]
    theme_titles: tuple[str, ...]
    quote: bool
    record_url: str | None = None         # the record in its source system, when its profile links there
    assigned_to: str | None = None        # the colleague the reply is assigned to (a grant principal)
    assigned_name: str | None = None
    assigned_to_me: bool = False


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    total: int
    limit: int
    offset: int
    more: bool = False                     # there are more than `total` results (counting stopped there)


def source_record_links() -> dict[str, str]:
    """The record link template of each source whose import profile gives one (the first profile wins)."""
    links: dict[str, str] = {}
    for name in profile_names():
        try:
            profile = load_profile(name)
        except ValueError as bad:  # refused where the profile is used for an import; no link meanwhile
            log.warning("import profile %s left out of the inbox's links: %s", name, bad)
            continue
        if profile.source and profile.record_url:
            links.setdefault(profile.source, profile.record_url)
    return links


def _status_condition(status: ReplyStatus):
    unsent = and_(Feedback.replied_at.is_(None), Feedback.no_reply_reason.is_(None))
    return {
        ReplyStatus.REPLIED: Feedback.replied_at.is_not(None),
        ReplyStatus.NO_REPLY_NEEDED: and_(Feedback.replied_at.is_(None), Feedback.no_reply_reason.is_not(None)),
        ReplyStatus.AWAITING: and_(Feedback.reply_requested, unsent),
        ReplyStatus.NOT_REQUESTED: and_(Feedback.reply_requested.is_(False), unsent),
    }[ReplyStatus(status)]


def reply_status(*, reply_requested: bool, replied_at: datetime | None, no_reply_reason: str | None) -> ReplyStatus:
    """A sent reply counts first, then "no reply needed", then whether a reply was asked for."""
    if replied_at is not None:
        return ReplyStatus.REPLIED
    if no_reply_reason is not None:
        return ReplyStatus.NO_REPLY_NEEDED
    return ReplyStatus.AWAITING if reply_requested else ReplyStatus.NOT_REQUESTED


def _like_escaped(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _glob_any_case(text: str) -> str:
    """A SQLite GLOB pattern matching `text` anywhere in any letter case, ä/Ä and å/Å included."""
    # SQLite's LIKE and lower() fold only ASCII letters; a GLOB class such as [äÄ] folds any.
    parts = []
    for char in text:
        variants = {v for v in (char, char.lower(), char.upper()) if len(v) == 1}
        if len(variants) > 1:
            parts.append("[" + "".join(sorted(variants)) + "]")
        elif char in "*?[":
            parts.append(f"[{char}]")
        else:
            parts.append(char)
    return "*" + "".join(parts) + "*"


def _text_condition(session: Session, text: str, *, counting_by_unit: bool = False):
    columns = (Feedback.open_answer, Feedback.free_text)
    if session.get_bind().dialect.name == "sqlite":
        pattern = _glob_any_case(text)
        return or_(*[column.op("GLOB")(pattern) for column in columns])
    pattern = _like_escaped(text)
    if counting_by_unit:
        # Counted through each unit's own index, never the trigram ones: to count a thousand matches of a common
        # word those gather the whole table's hundreds of thousands first (seconds), and PostgreSQL's estimate
        # of them is far too cheap. coalesce() only hides the column from them: NULL matched no pattern before,
        # '' matches none either (the pattern holds the typed, non-empty text).
        columns = tuple(func.coalesce(column, "") for column in columns)
    return or_(*[column.ilike(pattern, escape="\\") for column in columns])


def _unit_conditions(session: Session, viewer: Viewer, filters: InboxFilters) -> list:
    """SQL conditions on Unit: the units whose feedback the inbox may show (the viewer's scope, the chosen subtree)."""
    scope = scope_units(viewer, Permission.VIEW_FEEDBACK)
    if scope is None:
        raise AccessDenied(Permission.VIEW_FEEDBACK, "scope")
    conditions = [scope]
    if filters.unit_code:
        chosen = unit_for(session, viewer, Permission.VIEW_FEEDBACK, filters.unit_code)
        conditions.append(Unit.path.startswith(chosen.path))
    return conditions


def _row_conditions(session: Session, viewer: Viewer, filters: InboxFilters, now: datetime, settings: Settings,
                    counting_by_unit: bool = False) -> list:
    conditions = []
    if filters.status is not None:
        conditions.append(_status_condition(filters.status))
    if filters.reply_requested is not None:
        conditions.append(Feedback.reply_requested.is_(bool(filters.reply_requested)))
    if filters.deadline is not None:
        late_before = overdue_cutoff(now, settings.reply_policy)
        soon_before = due_soon_cutoff(now, settings.reply_policy)
        window = (Feedback.received_at < late_before if Deadline(filters.deadline) is Deadline.OVERDUE
                  else and_(Feedback.received_at >= late_before, Feedback.received_at < soon_before))
        conditions += [_status_condition(ReplyStatus.AWAITING), window]
    if filters.channel:
        conditions.append(Feedback.channel == filters.channel)
    if filters.collection:
        conditions.append(Feedback.collection == filters.collection)
    if filters.nps_group:
        conditions.append(Feedback.nps.in_(list(nps_group_filter_values(filters.nps_group))))
    if filters.low_statement:
        conditions.append(or_(*[getattr(Feedback, key) <= LOW_STATEMENT_MAX for key in STATEMENT_KEYS]))
    if filters.period is not None:
        start, end = filters.period.utc_bounds()
        conditions += [Feedback.received_at >= start, Feedback.received_at < end]
    if filters.text and filters.text.strip():
        conditions.append(_text_condition(session, filters.text.strip(), counting_by_unit=counting_by_unit))
    if filters.mine:
        conditions.append(assigned_to_me(viewer))
    return conditions


def _unit_by_unit(session: Session, unit_conditions: list) -> bool:
    """Whether the inbox is best read unit by unit: on PostgreSQL, when the viewer's units are so few among all
    that reading each one's rows by its index on (unit, time) beats walking the whole table's newest rows."""
    if session.get_bind().dialect.name != "postgresql":
        return False  # SQLite has no LATERAL
    scoped, every = session.exec(select(func.count().filter(and_(*unit_conditions)), func.count())
                                 .select_from(Unit)).one()
    # Walking all rows newest first reads ~every/scoped rows per match, unit by unit ~scoped: the cheaper wins.
    return scoped * scoped <= every


def _unit_firsts(unit_conditions: list, row_conditions: list, ascending: bool, most: int):
    """(the viewer's units, each unit's first `most` matches in the inbox's order): a unit's index on (unit, time)
    finds its own rows without reading the others', and stops early (a common search word or NPS group would make
    PostgreSQL gather every match of the whole table from its trigram or NPS index first)."""
    units = select(Unit.id.label("unit_id")).where(*unit_conditions).subquery("scoped_unit")
    firsts = (select(Feedback.id, Feedback.received_at).where(Feedback.unit_id == units.c.unit_id, *row_conditions)
              .order_by(*_order(Feedback.received_at, Feedback.id, ascending)).limit(most).lateral("unit_first"))
    return units, firsts


def _count_unit_by_unit(unit_conditions: list, row_conditions: list, ascending: bool, most: int):
    """The matches counted up to `most`, unit by unit."""
    units, firsts = _unit_firsts(unit_conditions, row_conditions, ascending, most)
    return select(firsts.c.id).select_from(units).join(firsts, true()).limit(most).subquery()


def _page_unit_by_unit(unit_conditions: list, row_conditions: list, ascending: bool, limit: int, offset: int):
    """The ids of the page's rows: each unit's first offset+limit matches in the page's order, merged."""
    units, firsts = _unit_firsts(unit_conditions, row_conditions, ascending, offset + limit)
    return (select(firsts.c.id).select_from(units).join(firsts, true())
            .order_by(*_order(firsts.c.received_at, firsts.c.id, ascending)).limit(limit).offset(offset))


def _order(received_at, row_id, ascending: bool) -> tuple:
    return (received_at.asc(), row_id.asc()) if ascending else (received_at.desc(), row_id.desc())


def inbox(session: Session, *, viewer: Viewer, filters: InboxFilters, now: datetime, settings: Settings,
          limit: int = INBOX_PAGE, offset: int = 0, language: str = "fi") -> InboxPage:
    """The feedback the viewer may read, filtered in SQL: newest first, replies awaiting most urgent first."""
    unit_conditions = _unit_conditions(session, viewer, filters)
    by_unit = _unit_by_unit(session, unit_conditions)
    row_conditions = _row_conditions(session, viewer, filters, now, settings)
    conditions = [Feedback.unit_id.in_(select(Unit.id).where(*unit_conditions)), *row_conditions]
    # Awaiting replies come most urgent first: the due time follows the arrival, so the oldest is due first.
    urgent_first = filters.status is ReplyStatus.AWAITING or filters.deadline is not None or filters.mine
    order = _order(Feedback.received_at, Feedback.id, urgent_first)
    limit, offset = max(0, limit), max(0, offset)
    cap = offset + limit + COUNT_MOST
    page = select(Feedback, Unit.code, unit_name_column(language)).join(Unit, Unit.id == Feedback.unit_id)
    if by_unit:
        counted = _count_unit_by_unit(unit_conditions, _row_conditions(session, viewer, filters, now, settings, True),
                                      urgent_first, cap + 1)
        ids = _page_unit_by_unit(unit_conditions, row_conditions, urgent_first, limit, offset)
        page = page.where(Feedback.id.in_(ids.scalar_subquery()))
    else:
        counted = select(Feedback.id).where(*conditions).limit(cap + 1).subquery()
        page = page.where(*conditions).limit(limit).offset(offset)
    found = session.exec(page.order_by(*order)).all()
    if len(found) < limit and (found or offset == 0):
        total = offset + len(found)  # a page not filled holds the last matches: nothing more to count
    else:
        total = min(session.exec(select(func.count()).select_from(counted)).one(), cap + 1)
    ids = [feedback.id for feedback, _, _ in found]
    themes: dict[int, list[tuple[int, str]]] = {}
    if ids:
        links = session.exec(select(ThemeFeedback.feedback_id, Theme.id, Theme.title)
                             .join(Theme, Theme.id == ThemeFeedback.theme_id)
                             .where(ThemeFeedback.feedback_id.in_(ids)).order_by(Theme.id)).all()
        for feedback_id, theme_id, title in links:
            themes.setdefault(feedback_id, []).append((theme_id, title))
    policy = settings.reply_policy
    links = source_record_links() if found else {}
    mine = set(my_identities(viewer))
    rows = []
    for feedback, code, name in found:
        status = reply_status(reply_requested=feedback.reply_requested, replied_at=feedback.replied_at,
                              no_reply_reason=feedback.no_reply_reason)
        due = reply_due(feedback.received_at, policy) if feedback.reply_requested else None
        awaiting = status is ReplyStatus.AWAITING
        rows.append(InboxRow(
            id=feedback.id, version=feedback.version, unit_code=code, unit_name=name,
            received_at=feedback.received_at, channel=feedback.channel, collection=feedback.collection,
            nps=feedback.nps, statements={key: getattr(feedback, key) for key in STATEMENT_KEYS},
            open_answer=feedback.open_answer, free_text=feedback.free_text,
            reply_requested=feedback.reply_requested, status=status, replied_at=feedback.replied_at,
            replied_by=feedback.replied_by, no_reply_reason=feedback.no_reply_reason, due_at=due,
            days_left=days_left(due, now) if awaiting else None,
            overdue=awaiting and is_overdue(requested=True, replied_at=None, received_at=feedback.received_at,
                                            now=now, policy=policy),
            due_soon=awaiting and is_due_soon(requested=True, replied_at=None, received_at=feedback.received_at,
                                              now=now, policy=policy),
            theme_ids=tuple(i for i, _ in themes.get(feedback.id, ())),
            theme_titles=tuple(title for _, title in themes.get(feedback.id, ())),
            quote=feedback.quote_picked_at is not None,
            record_url=record_url(links[feedback.source], feedback.source_id) if feedback.source in links else None,
            assigned_to=feedback.assigned_to, assigned_name=feedback.assigned_name,
            assigned_to_me=(feedback.assigned_to or "").lower() in mine,
        ))
    return InboxPage(rows=rows, total=min(int(total), cap), limit=limit, offset=offset, more=total > cap)
