"""Access decisions: a viewer's grants, each a role on a subtree, checked for every read and write."""
from __future__ import annotations

from dataclasses import dataclass, field

from auth.roles import Permission, Role, allows


class AccessDenied(PermissionError):
    """The viewer may not do this here."""

    def __init__(self, permission: Permission, target: str) -> None:
        super().__init__(f"{permission.value} denied on {target}")
        self.permission = permission
        self.target = target


@dataclass(frozen=True)
class Grant:
    """A role on the subtree of one unit; `unit_path` is that unit's tree path ("/1/4/")."""

    role: Role
    unit_code: str
    unit_path: str


@dataclass(frozen=True)
class Viewer:
    """Whoever is looking: a signed-in person with grants, or a wall screen's kiosk link."""

    subject: str
    name: str
    grants: tuple[Grant, ...] = ()
    kiosk_unit_path: str | None = None
    demo: bool = False
    groups: tuple[str, ...] = field(default=(), compare=False)
    emails: tuple[str, ...] = field(default=(), compare=False)  # trusted e-mails, lower-cased (issue 15)

    @property
    def is_kiosk(self) -> bool:
        return self.kiosk_unit_path is not None

    @property
    def has_access(self) -> bool:
        return bool(self.grants) or self.is_kiosk

    @property
    def label(self) -> str:
        """How the viewer appears in the audit trail."""
        return self.subject


def can(viewer: Viewer, permission: Permission, unit_path: str) -> bool:
    """A kiosk link shows only its own unit's board; a person needs a grant on the unit or above it."""
    if viewer.is_kiosk:
        return permission is Permission.VIEW_HUDDLE and unit_path == viewer.kiosk_unit_path
    return any(allows(g.role, permission) and unit_path.startswith(g.unit_path) for g in viewer.grants)


def require(viewer: Viewer, permission: Permission, unit_path: str, target: str) -> None:
    """Raise AccessDenied unless the viewer has the permission on the unit (fail closed)."""
    if not can(viewer, permission, unit_path):
        raise AccessDenied(permission, target)


def may_anywhere(viewer: Viewer, permission: Permission) -> bool:
    """Whether the viewer has the permission on some unit: what the navigation offers."""
    if viewer.is_kiosk:
        return permission is Permission.VIEW_HUDDLE
    return any(allows(g.role, permission) for g in viewer.grants)


def scope_paths(viewer: Viewer, permission: Permission) -> tuple[str, ...]:
    """The subtree roots where the viewer has the permission (kiosk: its one unit)."""
    if viewer.is_kiosk:
        return (viewer.kiosk_unit_path,) if permission is Permission.VIEW_HUDDLE else ()
    return tuple(sorted({g.unit_path for g in viewer.grants if allows(g.role, permission)}))
