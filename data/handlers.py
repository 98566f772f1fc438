"""A unit's feedback handlers (palautteenkäsittelijät), set on /admin by an admin or the unit's supervisor."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from auth.access import AccessDenied, Viewer, can
from auth.roles import Permission
from board.notices import InvalidAddress, handler_address
from data import audit
from data.models import Unit
from data.notify_tables import FeedbackHandler, NotifyRun
from data.organisation import active_units, unit_by_code

# Who may set a unit's handlers: the county's or area's admin, or the unit's supervisor.
SETTERS = (Permission.MANAGE_GRANTS, Permission.HANDLE_FEEDBACK)


class HandlerError(ValueError):
    """The handler cannot be added or removed as asked; `reason` is a text key's last part."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class HandlerRow:
    id: int
    unit_code: str
    unit_name: str
    address: str
    created_at: datetime
    created_by: str


@dataclass(frozen=True)
class RunSummary:
    """The last notify run as /admin shows it: failures only of the units the viewer may see."""

    started_at: datetime
    sent: int
    failed: int
    problem: str | None
    failures: tuple[dict, ...]


def may_set_handlers(viewer: Viewer, unit: Unit) -> bool:
    """An admin of the unit's subtree or a supervisor of the unit sets its handlers; nobody else."""
    return not viewer.is_kiosk and any(can(viewer, permission, unit.path) for permission in SETTERS)


def handler_units(session: Session, *, viewer: Viewer) -> list[Unit]:
    """The active units whose handlers the viewer may set, in tree order."""
    return [unit for unit in active_units(session) if may_set_handlers(viewer, unit)]


def list_handlers(session: Session, *, viewer: Viewer, language: str = "fi") -> list[HandlerRow]:
    """The handlers of every unit the viewer may set handlers of, by unit and address."""
    units = {unit.id: unit for unit in handler_units(session, viewer=viewer)}
    if not units:
        return []
    handlers = session.exec(select(FeedbackHandler).where(FeedbackHandler.unit_id.in_(list(units)))
                            .order_by(FeedbackHandler.unit_id, FeedbackHandler.address)).all()
    return [HandlerRow(id=h.id, unit_code=units[h.unit_id].code, unit_name=units[h.unit_id].name(language),
                       address=h.address, created_at=h.created_at, created_by=h.created_by) for h in handlers]


def _settable_unit(session: Session, viewer: Viewer, unit_code: str) -> Unit:
    unit = unit_by_code(session, (unit_code or "").strip())
    if unit is None or not unit.active:
        raise HandlerError("unknown_unit")
    if not may_set_handlers(viewer, unit):
        raise AccessDenied(Permission.HANDLE_FEEDBACK, unit.code)
    return unit


def add_handler(session: Session, *, viewer: Viewer, unit_code: str, address: str, now: datetime) -> FeedbackHandler:
    """Add an e-mail address as the unit's handler; one address once per unit. Audited."""
    unit = _settable_unit(session, viewer, unit_code)
    try:
        # An address is a staff mailbox by design, so it is not screened for contacts (like a grant).
        address = handler_address(address)
    except InvalidAddress:
        raise HandlerError("invalid_address") from None
    known = session.exec(select(FeedbackHandler).where(FeedbackHandler.unit_id == unit.id,
                                                       FeedbackHandler.address == address)).first()
    if known is not None:
        raise HandlerError("already")
    handler = FeedbackHandler(unit_id=unit.id, address=address, created_at=now, created_by=viewer.label)
    session.add(handler)
    session.flush()
    audit.record(session, actor=viewer.label, action="handler.add", entity="feedback_handler",
                 entity_id=str(handler.id), unit_id=unit.id, now=now,
                 after={"unit": unit.code, "address": address})
    return handler


def remove_handler(session: Session, *, viewer: Viewer, handler_id: int, now: datetime) -> None:
    """Remove a handler; what was already sent to the address stays recorded, so a re-added one is not woken twice."""
    handler = session.get(FeedbackHandler, handler_id)
    if handler is None:
        # Removed by someone else in between: nothing to do, and the user is told.
        raise HandlerError("gone")
    unit = session.get(Unit, handler.unit_id)
    if not may_set_handlers(viewer, unit):
        raise AccessDenied(Permission.HANDLE_FEEDBACK, unit.code)
    session.delete(handler)
    audit.record(session, actor=viewer.label, action="handler.remove", entity="feedback_handler",
                 entity_id=str(handler_id), unit_id=unit.id, now=now,
                 before={"unit": unit.code, "address": handler.address})


def last_notify_run(session: Session, *, viewer: Viewer) -> RunSummary | None:
    """The newest notify run, or None; its failures are shown only for units the viewer sets handlers of."""
    run = session.exec(select(NotifyRun).order_by(NotifyRun.started_at.desc(), NotifyRun.id.desc())).first()
    if run is None:
        return None
    own = {unit.code for unit in handler_units(session, viewer=viewer)}
    failures = tuple(f for f in run.failures or () if f.get("unit") in own)
    return RunSummary(started_at=run.started_at, sent=run.sent, failed=run.failed, problem=run.problem,
                      failures=failures)
