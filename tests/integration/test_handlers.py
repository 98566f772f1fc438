"""A unit's feedback handlers: set by an admin of the subtree or the unit's supervisor, audited, one address once."""
from __future__ import annotations

import pytest
from sqlmodel import select

from auth.access import AccessDenied
from auth.roles import Role
from data.handlers import HandlerError, add_handler, list_handlers, remove_handler
from data.models import AuditEvent
from tests.conftest import NOW
from tests.factories import make_tree, person


@pytest.fixture
def tree(session):
    make_tree(session, NOW)
    return session


@pytest.mark.parametrize(("role", "granted_on", "unit", "allowed"), [
    (Role.ADMIN, "C", "U1", True),
    (Role.SUPERVISOR, "U1", "U1", True),
    (Role.SUPERVISOR, "U2", "U1", False),
    (Role.TEAM, "U1", "U1", False),
    (Role.DIRECTOR, "C", "U1", False),
])
def test_an_admin_or_the_units_supervisor_sets_its_handlers_nobody_else(tree, role, granted_on, unit, allowed):
    viewer = person(tree, role, granted_on)
    if allowed:
        add_handler(tree, viewer=viewer, unit_code=unit, address="h@hva.fi", now=NOW)
        assert [h.address for h in list_handlers(tree, viewer=viewer)] == ["h@hva.fi"]
    else:
        with pytest.raises(AccessDenied):
            add_handler(tree, viewer=viewer, unit_code=unit, address="h@hva.fi", now=NOW)


@pytest.mark.parametrize(("address", "reason"), [("H@hva.fi", "already"), ("ei osoite", "invalid_address")])
def test_the_same_address_twice_or_no_address_is_refused(tree, address, reason):
    admin = person(tree, Role.ADMIN, "C")
    add_handler(tree, viewer=admin, unit_code="U1", address="h@hva.fi", now=NOW)
    with pytest.raises(HandlerError) as refused:
        add_handler(tree, viewer=admin, unit_code="U1", address=address, now=NOW)
    assert refused.value.reason == reason


def test_adding_and_removing_a_handler_is_audited_and_a_second_removal_is_told(tree):
    supervisor = person(tree, Role.SUPERVISOR, "U1")
    handler = add_handler(tree, viewer=supervisor, unit_code="U1", address="h@hva.fi", now=NOW)
    remove_handler(tree, viewer=supervisor, handler_id=handler.id, now=NOW)
    audited = tree.exec(select(AuditEvent).where(AuditEvent.entity == "feedback_handler")).all()
    assert [(a.action, a.actor, (a.after or a.before)["address"]) for a in audited] == [
        ("handler.add", "supervisor@U1", "h@hva.fi"), ("handler.remove", "supervisor@U1", "h@hva.fi")]
    with pytest.raises(HandlerError) as refused:
        remove_handler(tree, viewer=supervisor, handler_id=handler.id, now=NOW)
    assert refused.value.reason == "gone"


def test_a_supervisor_of_another_unit_cannot_remove_a_handler(tree):
    handler = add_handler(tree, viewer=person(tree, Role.ADMIN, "C"), unit_code="U1", address="h@hva.fi", now=NOW)
    with pytest.raises(AccessDenied):
        remove_handler(tree, viewer=person(tree, Role.SUPERVISOR, "U2"), handler_id=handler.id, now=NOW)
    assert list_handlers(tree, viewer=person(tree, Role.SUPERVISOR, "U2")) == []
