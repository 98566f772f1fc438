"""Access decisions: the role × permission matrix, subtree scopes, kiosk links, failing closed."""
from __future__ import annotations

import pytest

from auth.access import AccessDenied, Grant, Viewer, can, may_anywhere, require, scope_paths
from auth.roles import ALLOWED, Permission, Role

P = Permission
# The matrix of issue #3, written out by hand: a change to ALLOWED must change this table too.
MATRIX = {
    Role.TEAM: {P.VIEW_HUDDLE, P.VIEW_KANBAN, P.RUN_HUDDLE},
    Role.SUPERVISOR: {P.VIEW_HUDDLE, P.VIEW_KANBAN, P.RUN_HUDDLE, P.VIEW_FEEDBACK, P.HANDLE_FEEDBACK, P.EDIT_THEMES,
                      P.MANAGE_KIOSK, P.VIEW_ROLLUP},
    Role.DIRECTOR: {P.VIEW_HUDDLE, P.VIEW_KANBAN, P.RUN_HUDDLE, P.VIEW_FEEDBACK, P.VIEW_ROLLUP, P.RUN_AREA_DUELS},
    Role.ADMIN: {P.MANAGE_KIOSK, P.MANAGE_GRANTS, P.IMPORT_FEEDBACK, P.CONFIGURE},
}
COUNTY, AREA, UNIT, SIBLING, OTHER_AREA = "/1/", "/1/2/", "/1/2/3/", "/1/2/4/", "/1/5/"


def person(*grants: tuple[Role, str]) -> Viewer:
    return Viewer(subject="s", name="n", grants=tuple(Grant(role, "X", path) for role, path in grants))


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("permission", list(Permission))
def test_each_role_gives_exactly_its_permissions_on_its_own_unit(role, permission):
    assert can(person((role, UNIT)), permission, UNIT) is (permission in MATRIX[role])
    assert (permission in ALLOWED[role]) is (permission in MATRIX[role])


@pytest.mark.parametrize(
    "grant_path, target, allowed",
    [
        (UNIT, UNIT, True),
        (AREA, UNIT, True),          # a grant covers the subtree below
        (COUNTY, OTHER_AREA, True),
        (UNIT, AREA, False),         # never upwards
        (UNIT, SIBLING, False),      # never sideways
        (AREA, OTHER_AREA, False),
        ("/1/2/3/", "/1/2/33/", False),  # a path prefix is not a subtree unless it ends at a slash
    ],
)
@pytest.mark.parametrize("role", [Role.TEAM, Role.SUPERVISOR, Role.DIRECTOR])
def test_a_grant_covers_its_unit_and_everything_below_it(role, grant_path, target, allowed):
    assert can(person((role, grant_path)), Permission.VIEW_HUDDLE, target) is allowed


def test_several_grants_add_up():
    viewer = person((Role.TEAM, UNIT), (Role.DIRECTOR, OTHER_AREA))
    assert can(viewer, P.VIEW_ROLLUP, OTHER_AREA + "9/") and not can(viewer, P.VIEW_ROLLUP, UNIT)
    assert scope_paths(viewer, P.VIEW_HUDDLE) == (UNIT, OTHER_AREA)


@pytest.mark.parametrize("permission", list(Permission))
def test_a_signed_in_person_without_grants_may_do_nothing(permission):
    nobody = person()
    assert not nobody.has_access
    assert not can(nobody, permission, COUNTY) and not may_anywhere(nobody, permission)


@pytest.mark.parametrize(
    "permission, target, allowed",
    [(P.VIEW_HUDDLE, UNIT, True), (P.VIEW_HUDDLE, "/1/2/3/7/", False), (P.VIEW_HUDDLE, AREA, False),
     (P.VIEW_KANBAN, UNIT, False), (P.VIEW_FEEDBACK, UNIT, False), (P.MANAGE_KIOSK, UNIT, False)],
)
def test_a_kiosk_link_shows_only_its_own_units_board(permission, target, allowed):
    screen = Viewer(subject="kiosk:1", name="Taukotila", kiosk_unit_path=UNIT)
    assert can(screen, permission, target) is allowed


def test_require_names_what_was_refused():
    with pytest.raises(AccessDenied) as refused:
        require(person((Role.TEAM, UNIT)), P.EDIT_THEMES, UNIT, target="U1")
    assert (refused.value.permission, refused.value.target) == (P.EDIT_THEMES, "U1")
