"""The organisation's units as the services see them: finding one, the viewer's units, scope conditions."""
from __future__ import annotations


from sqlalchemy import func, or_
from sqlmodel import Session

from auth.access import Viewer, can, require, scope_paths
from auth.roles import Permission
from data.models import Unit
from data.organisation import active_units, unit_by_code


class UnknownUnit(LookupError):
    """No active unit has this code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def find_unit(session: Session, code: str) -> Unit:
    """The active unit with this code; an unknown or inactive code raises UnknownUnit."""
    unit = unit_by_code(session, code.strip())
    if unit is None or not unit.active:
        raise UnknownUnit(code)
    return unit


def list_units(session: Session, *, viewer: Viewer, permission: Permission = Permission.VIEW_HUDDLE) -> list[Unit]:
    """The active units in the viewer's scope for a permission, in tree order."""
    return [u for u in active_units(session) if can(viewer, permission, u.path)]


def unit_for(session: Session, viewer: Viewer, permission: Permission, unit_code: str) -> Unit:
    unit = find_unit(session, unit_code)
    require(viewer, permission, unit.path, target=unit.code)
    return unit


def scope_units(viewer: Viewer, permission: Permission):
    """SQL condition on Unit: the subtrees where the viewer has the permission (None: nowhere)."""
    roots = scope_paths(viewer, permission)
    return or_(*[Unit.path.startswith(root) for root in roots]) if roots else None


def unit_name_column(language: str):
    """The unit's name in a language as a column: its Finnish name where that language's is empty."""
    if language not in ("sv", "en"):
        return Unit.name_fi
    return func.coalesce(func.nullif(getattr(Unit, f"name_{language}"), ""), Unit.name_fi)
