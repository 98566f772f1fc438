"""Handling feedback, one item or many: replies sent, no reply needed, quotes picked, links to themes."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from board.handling import InvalidHandling, check_no_reply_reason, check_reply_sent
from board.periods import as_utc_naive
from auth.access import Viewer, require
from auth.roles import Permission
from data.aggregates import count_reply_mark
from data.audit import record
from data.models import Feedback, Theme, ThemeFeedback, Unit
from data.editing import OWNER_MAX, RowState, StaleEdit, UnknownItem, changes, check_seen, checked_text
from data.editing import load_with_unit, row_state, versioned_update
from data.themes import new_theme


FEEDBACK_STATE = ("replied_at", "replied_by", "no_reply_reason", "quote_picked_at", "assigned_name")


def _feedback_for(session: Session, viewer: Viewer, feedback_id: int) -> tuple[Feedback, Unit]:
    feedback, unit = load_with_unit(session, Feedback, "feedback", feedback_id)
    require(viewer, Permission.HANDLE_FEEDBACK, unit.path, target=unit.code)
    return feedback, unit


def _write_feedback(session: Session, viewer: Viewer, feedback: Feedback, unit: Unit, seen_version: int,
                    wanted: dict[str, Any], action: str, now: datetime) -> RowState:
    before, after = changes(feedback, wanted)
    if after:
        replied_at_before, reason_before = feedback.replied_at, feedback.no_reply_reason
        versioned_update(session, feedback, "feedback", FEEDBACK_STATE, seen_version, after)
        count_reply_mark(session, feedback, replied_at_before=replied_at_before, reason_before=reason_before)
        record(session, actor=viewer.label, action=action, entity="feedback", entity_id=str(feedback.id),
               unit_id=unit.id, now=now, before=before, after=after)
    return row_state(feedback, "feedback", FEEDBACK_STATE)


def _reply_sent(session: Session, viewer: Viewer, feedback: Feedback, unit: Unit, seen_version: int, *,
                replied_at: datetime, replied_by: str | None, now: datetime) -> RowState:
    check_seen(feedback, "feedback", FEEDBACK_STATE, seen_version)
    replied_at = as_utc_naive(replied_at)
    check_reply_sent(replied_at=replied_at, received_at=feedback.received_at, now=now)
    by = checked_text(replied_by if replied_by is not None else viewer.name, most=OWNER_MAX, missing=None,
               what="the replier") or viewer.label
    wanted = {"replied_at": replied_at, "replied_by": by, "no_reply_reason": None}
    return _write_feedback(session, viewer, feedback, unit, seen_version, wanted, "feedback.reply_sent", now)


def _no_reply_needed(session: Session, viewer: Viewer, feedback: Feedback, unit: Unit, seen_version: int, *,
                     reason: str, now: datetime) -> RowState:
    check_seen(feedback, "feedback", FEEDBACK_STATE, seen_version)
    reason = check_no_reply_reason(reason)
    if feedback.replied_at is not None:
        raise InvalidHandling("already_replied", f"feedback {feedback.id} was replied to at {feedback.replied_at}")
    return _write_feedback(session, viewer, feedback, unit, seen_version, {"no_reply_reason": reason},
                           "feedback.no_reply_needed", now)


def _quote(session: Session, viewer: Viewer, feedback: Feedback, unit: Unit, seen_version: int, *,
           picked: bool, now: datetime) -> RowState:
    check_seen(feedback, "feedback", FEEDBACK_STATE, seen_version)
    if picked and not ((feedback.open_answer or "").strip() or (feedback.free_text or "").strip()):
        raise InvalidHandling("nothing_to_quote", f"feedback {feedback.id} has no text to quote")
    if picked == (feedback.quote_picked_at is not None):
        return row_state(feedback, "feedback", FEEDBACK_STATE)
    return _write_feedback(session, viewer, feedback, unit, seen_version,
                           {"quote_picked_at": now if picked else None},
                           "feedback.quote_picked" if picked else "feedback.quote_dropped", now)


def mark_replied(session: Session, *, viewer: Viewer, feedback_id: int, seen_version: int, replied_at: datetime,
                 now: datetime, replied_by: str | None = None) -> RowState:
    """Mark the reply sent (by default by the viewer), dated between the feedback's arrival and now."""
    feedback, unit = _feedback_for(session, viewer, feedback_id)
    return _reply_sent(session, viewer, feedback, unit, seen_version, replied_at=replied_at,
                       replied_by=replied_by, now=now)


def mark_no_reply_needed(session: Session, *, viewer: Viewer, feedback_id: int, seen_version: int, reason: str,
                         now: datetime) -> RowState:
    """Close a feedback without a reply, with a reason; a feedback already replied to cannot be."""
    feedback, unit = _feedback_for(session, viewer, feedback_id)
    return _no_reply_needed(session, viewer, feedback, unit, seen_version, reason=reason, now=now)


def undo_mark(session: Session, *, viewer: Viewer, feedback_id: int, seen_version: int, now: datetime) -> RowState:
    """Undo a mark: a reply sent or "no reply needed" goes back to awaiting (or not requested) as before."""
    feedback, unit = _feedback_for(session, viewer, feedback_id)
    check_seen(feedback, "feedback", FEEDBACK_STATE, seen_version)
    if feedback.replied_at is None and feedback.no_reply_reason is None:
        raise InvalidHandling("nothing_to_undo", f"feedback {feedback.id} has no reply mark to undo")
    action = "feedback.reply_unsent" if feedback.replied_at is not None else "feedback.no_reply_undone"
    wanted = {"replied_at": None, "replied_by": None, "no_reply_reason": None}
    return _write_feedback(session, viewer, feedback, unit, seen_version, wanted, action, now)


def pick_quote(session: Session, *, viewer: Viewer, feedback_id: int, seen_version: int, picked: bool,
               now: datetime) -> RowState:
    """Pick a feedback with text as a customer quote for the huddle board, or drop it."""
    feedback, unit = _feedback_for(session, viewer, feedback_id)
    return _quote(session, viewer, feedback, unit, seen_version, picked=picked, now=now)


def _theme_to_link(session: Session, viewer: Viewer, units: list[Unit], theme_id: int | None,
                   new_theme_title: str | None, now: datetime) -> Theme:
    if (theme_id is None) == (new_theme_title is None):
        raise InvalidHandling("theme_choice", "give either an existing theme or the title of a new one")
    if new_theme_title is not None:
        home = _common_unit(session, units)
        return new_theme(session, viewer, home, title=new_theme_title, description="", owner=None, now=now)
    theme, theme_unit = load_with_unit(session, Theme, "theme", theme_id)
    require(viewer, Permission.EDIT_THEMES, theme_unit.path, target=theme_unit.code)
    for unit in units:
        if not unit.path.startswith(theme_unit.path):
            raise InvalidHandling("theme_elsewhere",
                                  f"theme {theme.id} of {theme_unit.code} cannot collect feedback of {unit.code}")
    return theme


def _common_unit(session: Session, units: list[Unit]) -> Unit:
    """The deepest unit whose subtree holds all of the units."""
    paths = [unit.path.strip("/").split("/") for unit in units]
    common = []
    for ids in zip(*paths):
        if len(set(ids)) > 1:
            break
        common.append(ids[0])
    return session.get(Unit, int(common[-1]))


def _link(session: Session, viewer: Viewer, theme: Theme, feedback: Feedback, now: datetime) -> None:
    exists = session.exec(select(ThemeFeedback).where(ThemeFeedback.theme_id == theme.id,
                                                      ThemeFeedback.feedback_id == feedback.id)).first()
    if exists:
        return
    try:
        with session.begin_nested():
            session.add(ThemeFeedback(theme_id=theme.id, feedback_id=feedback.id))
    except IntegrityError:
        return  # linked by someone else a moment ago: the link is there, as wanted
    record(session, actor=viewer.label, action="theme.link_feedback", entity="theme", entity_id=str(theme.id),
           unit_id=theme.unit_id, now=now, after={"feedback_id": feedback.id})


def attach_to_theme(session: Session, *, viewer: Viewer, feedback_id: int, theme_id: int | None = None,
                    new_theme_title: str | None = None, now: datetime) -> int:
    """Link a feedback to an existing theme of its subtree or to a new theme of its unit; returns the theme id."""
    feedback, unit = _feedback_for(session, viewer, feedback_id)
    theme = _theme_to_link(session, viewer, [unit], theme_id, new_theme_title, now)
    _link(session, viewer, theme, feedback, now)
    return theme.id


class HandleAction(StrEnum):
    REPLY_SENT = "reply_sent"           # details: replied_at, optional replied_by
    NO_REPLY_NEEDED = "no_reply_needed"  # details: reason
    ATTACH = "attach"                   # details: theme_id or new_theme_title
    QUOTE = "quote"                     # details: picked


def handle_many(session: Session, *, viewer: Viewer, items: list[tuple[int, int]], action: str, now: datetime,
                **details: Any) -> list[RowState]:
    """Handle several feedback items (id, seen version) alike: all or nothing; any stale item stops the batch."""
    action = HandleAction(action)
    ids = [feedback_id for feedback_id, _ in items]
    if len(set(ids)) != len(ids):
        raise ValueError("an item appears twice in the batch")
    if not items:
        return []
    seen = dict(items)
    # The rows are locked in id order (PostgreSQL), so the versions checked stay true until commit.
    found = session.exec(
        select(Feedback, Unit).join(Unit, Unit.id == Feedback.unit_id).where(Feedback.id.in_(ids))
        .order_by(Feedback.id).with_for_update(of=Feedback).execution_options(populate_existing=True)
    ).all()
    by_id = {feedback.id: (feedback, unit) for feedback, unit in found}
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise UnknownItem("feedback", missing[0])
    for feedback, unit in found:
        require(viewer, Permission.HANDLE_FEEDBACK, unit.path, target=unit.code)
    stale = [row_state(f, "feedback", FEEDBACK_STATE) for f, _ in found if f.version != seen[f.id]]
    if stale:
        raise StaleEdit(stale)
    results = []
    with session.begin_nested():  # an invalid item undoes the ones before it
        if action is HandleAction.ATTACH:
            theme = _theme_to_link(session, viewer, [unit for _, unit in found], details.get("theme_id"),
                                   details.get("new_theme_title"), now)
        for feedback_id in ids:
            feedback, unit = by_id[feedback_id]
            if action is HandleAction.REPLY_SENT:
                results.append(_reply_sent(session, viewer, feedback, unit, seen[feedback_id],
                                           replied_at=details["replied_at"], replied_by=details.get("replied_by"),
                                           now=now))
            elif action is HandleAction.NO_REPLY_NEEDED:
                results.append(_no_reply_needed(session, viewer, feedback, unit, seen[feedback_id],
                                                reason=details["reason"], now=now))
            elif action is HandleAction.QUOTE:
                results.append(_quote(session, viewer, feedback, unit, seen[feedback_id],
                                      picked=bool(details["picked"]), now=now))
            else:
                _link(session, viewer, theme, feedback, now)
                results.append(row_state(feedback, "feedback", FEEDBACK_STATE))
    return results
