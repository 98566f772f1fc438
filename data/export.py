"""Exporting feedback as native CSV plus its reply status and due time, screened and safe to open in a spreadsheet."""
from __future__ import annotations

import csv
from datetime import date, datetime, timezone
from typing import IO, Any

from sqlmodel import Session, select

from auth.access import AccessDenied, Viewer, can
from auth.roles import Permission
from board.identity import screen
from board.periods import HELSINKI, Period
from board.replies import ReplyPolicy, reply_due
from data.feedback_files import NATIVE_FIELDS
from data.inbox import reply_status
from data.models import Feedback, Unit
from data.organisation import unit_by_code
from data.units import UnknownUnit

EXPORT_COLUMNS = (*NATIVE_FIELDS, "status", "due_at")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe (OWASP CSV injection)."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _local_iso(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.replace(tzinfo=timezone.utc).astimezone(HELSINKI).isoformat(timespec="seconds")


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def export_feedback(session: Session, *, viewer: Viewer | None, unit_code: str, period: Period | None,
                    policy: ReplyPolicy, out: IO[str]) -> int:
    """Write the subtree's feedback as native CSV plus status and due_at; returns the row count."""
    unit = unit_by_code(session, unit_code.strip())
    if unit is None or not unit.active:
        raise UnknownUnit(unit_code)
    if viewer is not None and not can(viewer, Permission.VIEW_FEEDBACK, unit.path):
        raise AccessDenied(Permission.VIEW_FEEDBACK, unit.code)
    query = (select(Feedback, Unit.code).join(Unit, Unit.id == Feedback.unit_id)
             .where(Unit.path.startswith(unit.path)))
    if period is not None:
        start, end = period.utc_bounds()
        query = query.where(Feedback.received_at >= start, Feedback.received_at < end)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for feedback, code in session.exec(query.order_by(Feedback.received_at, Feedback.id)
                                       .execution_options(yield_per=2_000)):
        row = {name: getattr(feedback, name, None) for name in NATIVE_FIELDS if name != "unit_code"}
        row["unit_code"] = code
        # Keys too: a row stored before keys were screened leaves with its code or contact masked.
        for name in ("source_id", "service_code", "open_answer", "free_text"):
            row[name] = screen(row[name]).text if row[name] else row[name]
        row["received_at"] = _local_iso(feedback.received_at)
        row["replied_at"] = _local_iso(feedback.replied_at)
        row["status"] = reply_status(reply_requested=feedback.reply_requested, replied_at=feedback.replied_at,
                                     no_reply_reason=feedback.no_reply_reason).value
        row["due_at"] = _local_iso(reply_due(feedback.received_at, policy)) if feedback.reply_requested else ""
        writer.writerow([neutralise(_plain(row[name])) for name in EXPORT_COLUMNS])
        count += 1
    return count
