"""A reply assigned to a colleague (issue 15): who may be assigned, assigning and un-assigning, "Minulle".

Only a person with supervisor access to the feedback's unit may be assigned: a supervisor grant on the
unit or above it whose principal names one person (an e-mail or a sign-in subject; an Entra group's
object id names many, and its members are not known here). Each change is one transaction with the
version the user saw (StaleEdit otherwise) and an audit row.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, select

from auth.access import Viewer, can, require
from auth.roles import Permission, Role
from board.handling import InvalidHandling
from data.audit import record
from data.editing import RowState, check_seen, load_with_unit, row_state, versioned_update
from data.handling import FEEDBACK_STATE
from data.models import AccessGrant, Feedback, SignInSession, Unit

# An Entra group's object id: a GUID. A person's `sub` in Entra is not one, nor is an e-mail.
_GROUP_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)


@dataclass(frozen=True)
class Assignee:
    """A person a reply may be assigned to: the principal of their supervisor grant, and a name to show."""

    principal: str
    name: str


def is_person(principal: str) -> bool:
    """A grant principal names one person unless it is a group's object id (a GUID)."""
    return bool(principal.strip()) and not _GROUP_ID.match(principal.strip())


def my_identities(viewer: Viewer) -> list[str]:
    """What an assignment to the viewer may say, lower-cased: their sign-in subject and trusted e-mails."""
    return sorted({value.lower() for value in (viewer.subject, *viewer.emails) if value})


def assigned_to_me(viewer: Viewer):
    """The SQL condition of the inbox's "Minulle": the reply is assigned to one of the viewer's identities."""
    return func.lower(Feedback.assigned_to).in_(my_identities(viewer))


def _names(session: Session, principals: set[str]) -> dict[str, str]:
    """The name each principal signed in with (by subject or e-mail, the newest sign-in); demo people by persona."""
    from data.demo import DEMO_PERSONAS  # the demo county's people have no sign-in sessions
    lowered = sorted({p.lower() for p in principals})
    names = {p.principal.lower(): p.name for p in DEMO_PERSONAS}
    if lowered:
        rows = session.exec(
            select(SignInSession.subject, SignInSession.email, SignInSession.name)
            .where(or_(func.lower(SignInSession.subject).in_(lowered), func.lower(SignInSession.email).in_(lowered)))
            .order_by(SignInSession.started_at, SignInSession.id)).all()
        for subject, email, name in rows:
            for key in (subject.lower(), (email or "").lower()):
                if key in lowered and name:
                    names[key] = name
    return {p: names.get(p.lower(), p) for p in principals}


def assignees(session: Session, *, viewer: Viewer, units: list[Unit]) -> dict[str, list[Assignee]]:
    """For each unit the viewer handles feedback of, the people with supervisor access to it, by name; one query."""
    handled = [unit for unit in units if can(viewer, Permission.HANDLE_FEEDBACK, unit.path)]
    if not handled:
        return {}
    grants = session.exec(
        select(AccessGrant.principal, Unit.path).join(Unit, Unit.id == AccessGrant.unit_id)
        .where(AccessGrant.role == Role.SUPERVISOR.value, Unit.active)).all()
    people = [(principal.strip(), path) for principal, path in grants if is_person(principal)]
    names = _names(session, {principal for principal, _ in people})
    found: dict[str, list[Assignee]] = {}
    for unit in handled:
        chosen: dict[str, Assignee] = {}
        for principal, path in people:
            if unit.path.startswith(path):
                chosen.setdefault(principal.lower(), Assignee(principal, names[principal]))
        found[unit.code] = sorted(chosen.values(), key=lambda a: (a.name.lower(), a.principal.lower()))
    return found


def assign_reply(session: Session, *, viewer: Viewer, feedback_id: int, seen_version: int, assignee: str | None,
                 now: datetime) -> RowState:
    """Assign a feedback's reply to a person with supervisor access to its unit, or un-assign it (None). Audited."""
    feedback, unit = load_with_unit(session, Feedback, "feedback", feedback_id)
    require(viewer, Permission.HANDLE_FEEDBACK, unit.path, target=unit.code)
    check_seen(feedback, "feedback", FEEDBACK_STATE, seen_version)
    if assignee is None or not assignee.strip():
        wanted = {"assigned_to": None, "assigned_name": None}
    else:
        candidates = {a.principal.lower(): a for a in assignees(session, viewer=viewer, units=[unit])[unit.code]}
        person = candidates.get(assignee.strip().lower())
        if person is None:
            raise InvalidHandling("not_assignable", f"{assignee!r} has no supervisor access to {unit.code}")
        wanted = {"assigned_to": person.principal, "assigned_name": person.name[:200]}
    before = {"assigned_to": feedback.assigned_to, "assigned_name": feedback.assigned_name}
    if before == wanted:
        return row_state(feedback, "feedback", FEEDBACK_STATE)
    versioned_update(session, feedback, "feedback", FEEDBACK_STATE, seen_version, wanted)
    action = "feedback.unassigned" if wanted["assigned_to"] is None else "feedback.assigned"
    record(session, actor=viewer.label, action=action, entity="feedback", entity_id=str(feedback.id),
           unit_id=unit.id, now=now, before=before, after=wanted)
    return row_state(feedback, "feedback", FEEDBACK_STATE)
