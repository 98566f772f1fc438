"""Every service checks access itself: role × unit × service on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from auth.access import AccessDenied, Viewer
from auth.roles import Role
from data.models import AuditEvent, KioskLink
from data.access import GrantError, add_grant, list_grants, remove_grant, viewer_for
from data.huddle_board import board_title, huddle_board
from data.kiosk import create_kiosk_link, kiosk_viewer, list_kiosk_links, revoke_kiosk_link
from data.units import list_units
from tests.conftest import NOW
from tests.factories import make_tree
from tests.unit.test_access import MATRIX, P

# The tree of tests.factories: C → A → S → U1, U2; C → B → U3. Each viewer holds one grant on S.
GRANT_UNIT = "S"
TARGETS = {"S": True, "U1": True, "A": False, "U3": False, "C": False}  # inside the grant's subtree?


def as_viewer(session, role: Role) -> Viewer:
    add_grant(session, actor=None, principal=f"group-{role.value}", role=role.value, unit_code=GRANT_UNIT, now=NOW)
    return viewer_for(session, subject=f"user-{role.value}", name=role.value, principals=[f"group-{role.value}"])


def _kiosk(session, viewer, code):
    return create_kiosk_link(session, viewer=viewer, unit_code=code, label="Näyttö", now=NOW, valid_days=30)


SERVICES = {
    "huddle_board": (P.VIEW_HUDDLE, lambda s, v, code, settings: huddle_board(
        s, viewer=v, unit_code=code, now=NOW, settings=settings)),
    "board_title": (P.VIEW_HUDDLE, lambda s, v, code, settings: board_title(s, viewer=v, unit_code=code)),
    "add_grant": (P.MANAGE_GRANTS, lambda s, v, code, settings: add_grant(
        s, actor=v, principal="someone@example.fi", role="team", unit_code=code, now=NOW)),
    "create_kiosk_link": (P.MANAGE_KIOSK, lambda s, v, code, settings: _kiosk(s, v, code)),
}


@pytest.mark.parametrize("target, inside", TARGETS.items())
@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("role", list(Role))
def test_a_service_serves_exactly_the_roles_and_units_the_matrix_allows(session, settings, role, service,
                                                                        target, inside):
    make_tree(session, NOW)
    viewer = as_viewer(session, role)
    permission, call = SERVICES[service]
    if inside and permission in MATRIX[role]:
        call(session, viewer, target, settings)
    else:
        with pytest.raises(AccessDenied):
            call(session, viewer, target, settings)


@pytest.mark.parametrize("role", list(Role))
def test_unit_lists_hold_only_the_units_in_scope(session, role):
    make_tree(session, NOW)
    viewer = as_viewer(session, role)
    codes = {u.code for u in list_units(session, viewer=viewer)}
    assert codes == ({"S", "U1", "U2"} if P.VIEW_HUDDLE in MATRIX[role] else set())


def test_a_person_without_grants_sees_no_unit_and_no_board(session, settings):
    make_tree(session, NOW)
    nobody = viewer_for(session, subject="x", name="x", principals=["x@example.fi"])
    assert not nobody.has_access and list_units(session, viewer=nobody) == []
    with pytest.raises(AccessDenied):
        huddle_board(session, viewer=nobody, unit_code="U1", now=NOW, settings=settings)


def test_grants_come_from_groups_subject_or_email_and_skip_inactive_units(session):
    make_tree(session, NOW)
    add_grant(session, actor=None, principal="group-1", role="team", unit_code="U1", now=NOW)
    add_grant(session, actor=None, principal="anna@example.fi", role="director", unit_code="B", now=NOW)
    viewer = viewer_for(session, subject="sub-9", name="Anna", principals=["sub-9", "anna@example.fi", "group-1"])
    assert {(g.role, g.unit_code) for g in viewer.grants} == {(Role.TEAM, "U1"), (Role.DIRECTOR, "B")}
    from data.organisation import unit_by_code
    unit_by_code(session, "U1").active = False
    session.flush()
    viewer = viewer_for(session, subject="sub-9", name="Anna", principals=["sub-9", "anna@example.fi", "group-1"])
    assert {g.unit_code for g in viewer.grants} == {"B"}


@pytest.mark.parametrize("role, unit", [("boss", "U1"), ("team", "NOPE"), ("team", "")])
def test_a_grant_needs_a_known_role_and_unit(session, role, unit):
    make_tree(session, NOW)
    with pytest.raises(GrantError):
        add_grant(session, actor=None, principal="g", role=role, unit_code=unit, now=NOW)


def test_grant_changes_are_audited_and_listed_only_in_the_admins_scope(session):
    make_tree(session, NOW)
    admin = as_viewer(session, Role.ADMIN)
    grant = add_grant(session, actor=admin, principal="g-team", role="team", unit_code="U1", now=NOW)
    add_grant(session, actor=None, principal="g-other", role="team", unit_code="U3", now=NOW)
    assert {g.principal for g in list_grants(session, viewer=admin)} == {"group-admin", "g-team"}
    remove_grant(session, actor=admin, grant_id=grant.id, now=NOW)
    actions = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.entity == "access_grant"))]
    assert actions.count("grant.add") == 3 and actions.count("grant.remove") == 1
    with pytest.raises(AccessDenied):
        remove_grant(session, actor=admin, grant_id=list_grants_all(session, "g-other"), now=NOW)


def list_grants_all(session, principal):
    from data.models import AccessGrant
    return session.exec(select(AccessGrant.id).where(AccessGrant.principal == principal)).one()


def test_the_last_admin_grant_cannot_be_removed(session):
    make_tree(session, NOW)
    admin = as_viewer(session, Role.ADMIN)
    only = list_grants(session, viewer=admin)[0]
    with pytest.raises(GrantError):
        remove_grant(session, actor=admin, grant_id=only.id, now=NOW)


def test_a_kiosk_token_is_stored_hashed_and_opens_only_its_unit(session, settings):
    make_tree(session, NOW)
    supervisor = as_viewer(session, Role.SUPERVISOR)
    token = _kiosk(session, supervisor, "U1")
    stored = session.exec(select(KioskLink)).one()
    assert token not in stored.token_hash and len(token) >= 40
    screen = kiosk_viewer(session, token=token, now=NOW)
    assert screen.is_kiosk
    huddle_board(session, viewer=screen, unit_code="U1", now=NOW, settings=settings)
    for other in ("U2", "S"):
        with pytest.raises(AccessDenied):
            huddle_board(session, viewer=screen, unit_code=other, now=NOW, settings=settings)
    assert kiosk_viewer(session, token=token + "x", now=NOW) is None


def test_a_revoked_or_expired_kiosk_link_stops_working(session):
    make_tree(session, NOW)
    supervisor = as_viewer(session, Role.SUPERVISOR)
    token = _kiosk(session, supervisor, "U1")
    assert kiosk_viewer(session, token=token, now=NOW + timedelta(days=29)) is not None
    assert kiosk_viewer(session, token=token, now=NOW + timedelta(days=30)) is None
    link = list_kiosk_links(session, viewer=supervisor)[0]
    revoke_kiosk_link(session, viewer=supervisor, link_id=link.id, now=NOW)
    assert kiosk_viewer(session, token=token, now=NOW) is None
    actions = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.entity == "kiosk_link"))]
    assert actions == ["kiosk.create", "kiosk.revoke"]


def test_a_team_member_cannot_revoke_a_kiosk_link(session):
    make_tree(session, NOW)
    supervisor = as_viewer(session, Role.SUPERVISOR)
    team = as_viewer(session, Role.TEAM)
    _kiosk(session, supervisor, "U1")
    link = list_kiosk_links(session, viewer=supervisor)[0]
    assert list_kiosk_links(session, viewer=team) == []
    with pytest.raises(AccessDenied):
        revoke_kiosk_link(session, viewer=team, link_id=link.id, now=NOW)


def test_a_denial_of_a_very_long_address_is_audited_without_failing(session):
    from auth.roles import Permission
    from data.access import record_denial
    from tests.factories import person

    make_tree(session, NOW)
    target = "/huddle?unit=" + "X" * 300
    viewer = person(session, Role.TEAM, "U1", name="N" * 300)
    for asked in (target, target + "Y"):
        record_denial(session, viewer=viewer, denied=AccessDenied(Permission.VIEW_HUDDLE, asked), now=NOW)
    session.flush()
    ids = session.exec(select(AuditEvent.entity_id).where(AuditEvent.action == "auth.denied")).all()
    assert len(ids) == 2 and len(set(ids)) == 2 and all(len(i) <= 80 and i.startswith("/huddle?unit=XXX") for i in ids)
