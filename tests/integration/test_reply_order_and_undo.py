"""Replies in order and marks undone: "Odottaa vastausta" most urgent first, a mark taken back — on both backends."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from auth.access import AccessDenied
from auth.roles import Role
from board.handling import InvalidHandling
from board.replies import ReplyPolicy
from data.editing import StaleEdit
from data.handling import mark_no_reply_needed, mark_replied, undo_mark
from data.inbox import Deadline, InboxFilters, ReplyStatus, inbox
from data.metrics import reply_figures
from data.models import AuditEvent, Feedback
from data.organisation import unit_by_code
from tests.conftest import NOW
from tests.factories import add_feedback, make_tree, person

YESTERDAY = NOW - timedelta(days=1)


@pytest.fixture
def tree(session):
    make_tree(session, NOW)
    return session


@pytest.fixture
def supervisor(tree):
    return person(tree, Role.SUPERVISOR, "S")


@pytest.fixture
def waiting(tree):
    """A reply asked for on 1.11. in U1, overdue now."""
    return add_feedback(tree, "U1", datetime(2026, 11, 1, 8, 0), reply_requested=True, nps=4).id


def _audit(session):
    return session.exec(select(AuditEvent).where(AuditEvent.entity == "feedback").order_by(AuditEvent.id)).all()


@pytest.mark.parametrize("filters", [InboxFilters(status=ReplyStatus.AWAITING), InboxFilters(deadline=Deadline.DUE_SOON),
                                     InboxFilters(deadline=Deadline.OVERDUE)], ids=["awaiting", "due_soon", "overdue"])
def test_replies_awaiting_are_listed_by_due_date_most_urgent_first_with_the_days_left(tree, supervisor, settings,
                                                                                     filters):
    for day in (5, 1, 9, 3, 10, 8):  # 1.-9.11. overdue on 23.11., 10.11. is due on 24.11.
        add_feedback(tree, "U1", datetime(2026, 11, day, 8, 0), reply_requested=True)
    page = inbox(tree, viewer=supervisor, filters=filters, now=NOW, settings=settings)
    days = [row.days_left for row in page.rows]
    assert days == sorted(days) and len(days) >= 1
    assert [row.due_at for row in page.rows] == sorted(row.due_at for row in page.rows)


def test_all_feedback_is_still_newest_first(tree, supervisor, settings):
    for day in (5, 1, 9):
        add_feedback(tree, "U1", datetime(2026, 11, day, 8, 0), reply_requested=True)
    page = inbox(tree, viewer=supervisor, filters=InboxFilters(), now=NOW, settings=settings)
    assert [row.received_at.day for row in page.rows] == [9, 5, 1]


@pytest.mark.parametrize("mark, action", [("reply", "feedback.reply_unsent"),
                                          ("no_reply", "feedback.no_reply_undone")])
def test_a_mark_undone_puts_the_reply_back_to_awaiting_with_an_audit_row(tree, supervisor, waiting, mark, action):
    unit = unit_by_code(tree, "U1")
    if mark == "reply":
        mark_replied(tree, viewer=supervisor, feedback_id=waiting, seen_version=1, replied_at=YESTERDAY, now=NOW)
    else:
        mark_no_reply_needed(tree, viewer=supervisor, feedback_id=waiting, seen_version=1, reason="Ei tarvetta",
                             now=NOW)
    assert reply_figures(tree, unit, now=NOW, policy=ReplyPolicy()).overdue == 0
    state = undo_mark(tree, viewer=supervisor, feedback_id=waiting, seen_version=2, now=NOW)
    assert state.version == 3
    assert (state.values["replied_at"], state.values["replied_by"], state.values["no_reply_reason"]) == (None,) * 3
    assert reply_figures(tree, unit, now=NOW, policy=ReplyPolicy()).overdue == 1
    last = _audit(tree)[-1]
    assert (last.action, last.actor, last.entity_id) == (action, supervisor.label, str(waiting))
    assert set(last.after.values()) == {None} and last.before


def test_an_undo_based_on_an_old_version_is_refused_and_changes_nothing(tree, supervisor, waiting):
    mark_replied(tree, viewer=supervisor, feedback_id=waiting, seen_version=1, replied_at=YESTERDAY, now=NOW)
    with pytest.raises(StaleEdit) as stale:
        undo_mark(tree, viewer=supervisor, feedback_id=waiting, seen_version=1, now=NOW)
    assert stale.value.current.version == 2 and len(_audit(tree)) == 1


def test_a_reply_still_awaiting_has_no_mark_to_undo(tree, supervisor, waiting):
    with pytest.raises(InvalidHandling) as refused:
        undo_mark(tree, viewer=supervisor, feedback_id=waiting, seen_version=1, now=NOW)
    assert refused.value.reason == "nothing_to_undo" and _audit(tree) == []


@pytest.mark.parametrize("role, unit", [(Role.TEAM, "U1"), (Role.SUPERVISOR, "U3")])
def test_only_a_supervisor_of_the_feedbacks_unit_may_undo_a_mark(tree, supervisor, waiting, role, unit):
    mark_replied(tree, viewer=supervisor, feedback_id=waiting, seen_version=1, replied_at=YESTERDAY, now=NOW)
    with pytest.raises(AccessDenied):
        undo_mark(tree, viewer=person(tree, role, unit), feedback_id=waiting, seen_version=2, now=NOW)
    assert tree.get(Feedback, waiting).replied_at is not None


# --------------------------------------------------------------------------- the source record, one click away

PROFILE = '''name = "{name}"
description = "Testikysely"
source = "{name}"
{link}
[columns]
source_id = ["Tunnus"]
unit_code = ["Yksikkö"]
received_at = ["Aika"]
'''


@pytest.fixture
def profiles(tmp_path, monkeypatch):
    """A profiles folder of our own: kysely links to its records, paperi does not."""
    import data.feedback_files as feedback_files
    (tmp_path / "kysely.toml").write_text(
        PROFILE.format(name="kysely", link='record_url = "https://kysely.example/responses/{source_id}"'),
        encoding="utf-8")
    (tmp_path / "paperi.toml").write_text(PROFILE.format(name="paperi", link=""), encoding="utf-8")
    monkeypatch.setattr(feedback_files, "PROFILES", tmp_path)
    return tmp_path


def _from(session, feedback: Feedback, source: str, source_id: str) -> int:
    feedback.source, feedback.source_id = source, source_id
    session.flush()
    return feedback.id


def test_each_item_of_a_source_with_a_link_template_links_to_its_record(tree, supervisor, settings, profiles):
    linked = _from(tree, add_feedback(tree, "U1", datetime(2026, 11, 20, 8, 0)), "kysely", "R 7/8")
    plain = _from(tree, add_feedback(tree, "U1", datetime(2026, 11, 21, 8, 0)), "paperi", "P1")
    rows = {row.id: row for row in inbox(tree, viewer=supervisor, filters=InboxFilters(), now=NOW,
                                         settings=settings).rows}
    assert rows[linked].record_url == "https://kysely.example/responses/R%207%2F8"
    assert rows[plain].record_url is None


def test_a_profile_with_a_bad_link_template_is_refused_when_it_loads_and_gives_no_links(profiles):
    from data.feedback_files import load_profile
    from data.inbox import source_record_links
    (profiles / "kysely.toml").write_text(
        PROFILE.format(name="kysely", link='record_url = "http://kysely.example/{source_id}"'), encoding="utf-8")
    with pytest.raises(ValueError, match="profile kysely: .*https"):
        load_profile("kysely")
    assert source_record_links() == {}
