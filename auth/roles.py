"""Who may do what: the roles and the permissions each one gives (DESIGN.md, "Sign-in and access")."""
from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    TEAM = "team"
    SUPERVISOR = "supervisor"
    DIRECTOR = "director"
    ADMIN = "admin"


class Permission(StrEnum):
    VIEW_HUDDLE = "view_huddle"
    VIEW_KANBAN = "view_kanban"
    VIEW_FEEDBACK = "view_feedback"
    HANDLE_FEEDBACK = "handle_feedback"
    EDIT_THEMES = "edit_themes"
    VIEW_ROLLUP = "view_rollup"
    MANAGE_KIOSK = "manage_kiosk"
    MANAGE_GRANTS = "manage_grants"
    IMPORT_FEEDBACK = "import_feedback"
    CONFIGURE = "configure"
    RUN_HUDDLE = "run_huddle"  # ritual14: keep the huddle log (start, end, number present)
    RUN_AREA_DUELS = "run_area_duels"  # issue 20: start and lead a duel of an area (a non-leaf unit)


_TEAM = frozenset({Permission.VIEW_HUDDLE, Permission.VIEW_KANBAN, Permission.RUN_HUDDLE})
_SUPERVISOR = _TEAM | {Permission.VIEW_FEEDBACK, Permission.HANDLE_FEEDBACK, Permission.EDIT_THEMES, Permission.MANAGE_KIOSK,
                           Permission.VIEW_ROLLUP}
_DIRECTOR = _TEAM | {Permission.VIEW_FEEDBACK, Permission.VIEW_ROLLUP, Permission.RUN_AREA_DUELS}
_ADMIN = frozenset({Permission.MANAGE_KIOSK, Permission.MANAGE_GRANTS, Permission.IMPORT_FEEDBACK, Permission.CONFIGURE})

ALLOWED: dict[Role, frozenset[Permission]] = {
    Role.TEAM: _TEAM,
    Role.SUPERVISOR: _SUPERVISOR,
    Role.DIRECTOR: _DIRECTOR,
    Role.ADMIN: _ADMIN,
}


def allows(role: Role, action: Permission) -> bool:
    """A role gives exactly the permissions of its row in ALLOWED; nothing is implied."""
    return action in ALLOWED[role]
