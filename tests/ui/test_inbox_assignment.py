"""Assigning a reply in the inbox (AppTest): the colleague finds it under "Minulle"; a stale assignment is refused."""
from __future__ import annotations

from sqlalchemy import update

from data.access import add_grant
from data.db import session_scope
from data.models import Feedback
from tests.conftest import app_now
from tests.ui.conftest import open_page
from tests.ui.test_inbox_page import INBOX, audit, click, feedback, listed, row  # noqa: F401 (fixture)

COLLEAGUE = "ui:colleague"


def _colleague(county) -> None:
    with session_scope(county, write=True) as session:
        add_grant(session, actor=None, principal=COLLEAGUE, role="supervisor", unit_code="S", now=app_now())
        add_grant(session, actor=None, principal="ui:team-only", role="team", unit_code="U1", now=app_now())


def test_the_supervisor_assigns_a_reply_and_the_colleague_sees_it_under_minulle(feedback, county):
    _colleague(county)
    app = open_page(INBOX, as_="ui:supervisor")
    chooser = app.selectbox(key=f"inbox-assign-to-{feedback['late']}")
    assert sorted(chooser.options) == sorted([COLLEAGUE, "ui:supervisor"])  # never the team, never a director
    chooser.set_value(COLLEAGUE)
    click(app, f"inbox-assign-save-{feedback['late']}")
    assert not app.exception
    assert row(county, feedback["late"]).assigned_to == COLLEAGUE
    assert [a.after["assigned_to"] for a in audit(county, "feedback.assigned")] == [COLLEAGUE]

    mine = open_page(INBOX, as_=COLLEAGUE)
    mine.toggle(key="inbox-f-mine").set_value(True).run()
    assert not mine.exception
    assert listed(mine) == ["late"]

    own = open_page(INBOX, as_="ui:supervisor")
    own.toggle(key="inbox-f-mine").set_value(True).run()
    assert listed(own) == []


def test_the_assignee_frees_the_reply_and_it_leaves_minulle(feedback, county):
    _colleague(county)
    app = open_page(INBOX, as_="ui:supervisor")
    app.selectbox(key=f"inbox-assign-to-{feedback['soon']}").set_value(COLLEAGUE)
    click(app, f"inbox-assign-save-{feedback['soon']}")
    mine = open_page(INBOX, as_=COLLEAGUE)
    mine.toggle(key="inbox-f-mine").set_value(True).run()
    assert listed(mine) == ["soon"]
    click(mine, f"inbox-unassign-{feedback['soon']}")
    assert not mine.exception
    assert listed(mine) == []
    assert row(county, feedback["soon"]).assigned_to is None
    assert len(audit(county, "feedback.unassigned")) == 1


def test_an_assignment_over_someone_else_s_change_is_refused_as_stale(feedback, county):
    _colleague(county)
    app = open_page(INBOX, as_="ui:supervisor")
    app.selectbox(key=f"inbox-assign-to-{feedback['late']}").set_value(COLLEAGUE)
    with session_scope(county, write=True) as session:
        session.execute(update(Feedback).where(Feedback.id == feedback["late"]).values(version=Feedback.version + 1))
    click(app, f"inbox-assign-save-{feedback['late']}")
    assert "Joku muu muutti tätä palautetta juuri" in "\n".join(w.value for w in app.warning)
    assert row(county, feedback["late"]).assigned_to is None
    assert audit(county, "feedback.assigned") == []
