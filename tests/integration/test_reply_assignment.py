"""A reply assigned to a colleague: who may be assigned, "Minulle", audit and stale edits — on both backends."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from auth.access import AccessDenied, Viewer
from auth.roles import Role
from board.handling import InvalidHandling
from data.access import add_grant, viewer_for
from data.assignment import assign_reply, assignees
from data.editing import StaleEdit
from data.inbox import InboxFilters, inbox
from data.models import AuditEvent
from data.organisation import unit_by_code
from data.sign_ins import begin_sign_in
from tests.conftest import NOW
from tests.factories import add_feedback, make_tree, person

COLLEAGUE = "Sanna.Sairaanhoitaja@Hva.example"
GROUP = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"


@pytest.fixture
def tree(session):
    make_tree(session, NOW)
    for principal, role, unit in [("supervisor@U1", "supervisor", "U1"), (COLLEAGUE, "supervisor", "S"),
                                  (GROUP, "supervisor", "U1"), ("team@U1", "team", "U1"),
                                  ("director@A", "director", "A"), ("supervisor@U2", "supervisor", "U2")]:
        add_grant(session, actor=None, principal=principal, role=role, unit_code=unit, now=NOW)
    return session


@pytest.fixture
def supervisor(tree):
    return viewer_for(tree, subject="supervisor@U1", name="Esihenkilö U1", principals=["supervisor@U1"])


@pytest.fixture
def colleague(tree):
    # Signs in with an opaque subject; the grant names her e-mail, which the token carries in lower case.
    return viewer_for(tree, subject="opaque-sub-42", name="Sanna S.", principals=["opaque-sub-42"],
                      emails=[COLLEAGUE.lower()])


@pytest.fixture
def waiting(tree):
    return add_feedback(tree, "U1", datetime(2026, 11, 20, 8, 0), reply_requested=True, nps=3).id


def test_the_people_to_assign_are_those_with_supervisor_access_to_the_unit_never_a_group(tree, supervisor):
    begin_sign_in(tree, viewer=Viewer(subject="opaque-sub-42", name="Sanna Sairaanhoitaja",
                                      emails=(COLLEAGUE.lower(),)),
                  token_hash="h" * 64, issued_at=NOW, now=NOW, max_age=timedelta(hours=12))
    found = assignees(tree, viewer=supervisor, units=[unit_by_code(tree, "U1"), unit_by_code(tree, "U2")])
    # U2 is not the supervisor's to handle: no list for it.
    assert list(found) == ["U1"]
    assert [(a.principal, a.name) for a in found["U1"]] == [(COLLEAGUE, "Sanna Sairaanhoitaja"),
                                                           ("supervisor@U1", "supervisor@U1")]


def test_a_reply_assigned_to_a_colleague_is_hers_under_minulle_and_audited(tree, supervisor, colleague, waiting,
                                                                           settings):
    state = assign_reply(tree, viewer=supervisor, feedback_id=waiting, seen_version=1, assignee=COLLEAGUE.upper(),
                         now=NOW)
    assert state.version == 2 and state.values["assigned_name"] == COLLEAGUE
    mine = inbox(tree, viewer=colleague, filters=InboxFilters(mine=True), now=NOW, settings=settings)
    assert [(r.id, r.assigned_to_me, r.assigned_to) for r in mine.rows] == [(waiting, True, COLLEAGUE)]
    assert inbox(tree, viewer=supervisor, filters=InboxFilters(mine=True), now=NOW, settings=settings).rows == []
    assign_reply(tree, viewer=colleague, feedback_id=waiting, seen_version=2, assignee=None, now=NOW)
    assert inbox(tree, viewer=colleague, filters=InboxFilters(mine=True), now=NOW, settings=settings).rows == []
    audit = tree.exec(select(AuditEvent).where(AuditEvent.entity == "feedback").order_by(AuditEvent.id)).all()
    assert [(a.action, a.actor, a.before["assigned_to"], a.after["assigned_to"]) for a in audit] == [
        ("feedback.assigned", "supervisor@U1", None, COLLEAGUE),
        ("feedback.unassigned", "opaque-sub-42", COLLEAGUE, None)]


@pytest.mark.parametrize("who", [GROUP, "team@U1", "director@A", "supervisor@U2", "someone@else.example"])
def test_only_a_person_with_supervisor_access_to_the_unit_can_be_assigned(tree, supervisor, waiting, who):
    with pytest.raises(InvalidHandling) as refused:
        assign_reply(tree, viewer=supervisor, feedback_id=waiting, seen_version=1, assignee=who, now=NOW)
    assert refused.value.reason == "not_assignable"
    assert tree.exec(select(AuditEvent).where(AuditEvent.entity == "feedback")).all() == []


def test_an_assignment_over_a_change_seen_by_nobody_is_refused_as_stale(tree, supervisor, colleague, waiting):
    assign_reply(tree, viewer=colleague, feedback_id=waiting, seen_version=1, assignee=COLLEAGUE, now=NOW)
    with pytest.raises(StaleEdit) as stale:
        assign_reply(tree, viewer=supervisor, feedback_id=waiting, seen_version=1, assignee="supervisor@U1", now=NOW)
    assert stale.value.current.version == 2 and stale.value.current.values["assigned_name"] == COLLEAGUE


@pytest.mark.parametrize("role", [Role.TEAM, Role.DIRECTOR])
def test_who_cannot_handle_the_unit_s_feedback_cannot_assign(tree, waiting, role):
    with pytest.raises(AccessDenied):
        assign_reply(tree, viewer=person(tree, role, "U1"), feedback_id=waiting, seen_version=1,
                     assignee="supervisor@U1", now=NOW)


def test_assigning_the_same_person_again_changes_nothing(tree, supervisor, waiting):
    assign_reply(tree, viewer=supervisor, feedback_id=waiting, seen_version=1, assignee="supervisor@U1", now=NOW)
    again = assign_reply(tree, viewer=supervisor, feedback_id=waiting, seen_version=2, assignee="supervisor@U1",
                         now=NOW)
    assert again.version == 2
    assert len(tree.exec(select(AuditEvent).where(AuditEvent.entity == "feedback")).all()) == 1
