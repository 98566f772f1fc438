"""The inbox: the feedback a supervisor may read, filtered in SQL, newest first, with each reply's status."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import and_, func, or_
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
from data.organisation import in_subtree
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


def _text_condition(session: Session, text: str):
    columns = (Feedback.open_answer, Feedback.free_text)
    if session.get_bind().dialect.name == "sqlite":
        pattern = _glob_any_case(text)
        return or_(*[column.op("GLOB")(pattern) for column in columns])
    pattern = _like_escaped(text)
    return or_(*[column.ilike(pattern, escape="\\") for column in columns])


def _scope_condition(viewer: Viewer, permission: Permission):
    scope = scope_units(viewer, permission)
    if scope is None:
        raise AccessDenied(permission, "scope")
    return Feedback.unit_id.in_(select(Unit.id).where(scope))


def _inbox_conditions(session: Session, viewer: Viewer, filters: InboxFilters, now: datetime,
                      settings: Settings) -> list:
    conditions = [_scope_condition(viewer, Permission.VIEW_FEEDBACK)]
    if filters.unit_code:
        conditions.append(in_subtree(unit_for(session, viewer, Permission.VIEW_FEEDBACK, filters.unit_code),
                                     Feedback.unit_id))
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
        conditions.append(_text_condition(session, filters.text.strip()))
    if filters.mine:
        conditions.append(assigned_to_me(viewer))
    return conditions


def inbox(session: Session, *, viewer: Viewer, filters: InboxFilters, now: datetime, settings: Settings,
          limit: int = INBOX_PAGE, offset: int = 0, language: str = "fi") -> InboxPage:
    """The feedback the viewer may read, filtered in SQL: newest first, replies awaiting most urgent first."""
    conditions = _inbox_conditions(session, viewer, filters, now, settings)
    # Awaiting replies come most urgent first: the due time follows the arrival, so the oldest is due first.
    urgent_first = filters.status is ReplyStatus.AWAITING or filters.deadline is not None or filters.mine
    order = ((Feedback.received_at.asc(), Feedback.id.asc()) if urgent_first
             else (Feedback.received_at.desc(), Feedback.id.desc()))
    cap = max(0, offset) + max(0, limit) + COUNT_MOST
    counted = select(Feedback.id).where(*conditions).limit(cap + 1).subquery()
    total = min(session.exec(select(func.count()).select_from(counted)).one(), cap + 1)
    found = session.exec(
        select(Feedback, Unit.code, unit_name_column(language)).join(Unit, Unit.id == Feedback.unit_id)
        .where(*conditions)
        .order_by(*order)
        .limit(max(0, limit)).offset(max(0, offset))
    ).all()
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
