"""Identity codes and contacts never reach a table (issue 12): not from an imported file, its name or
its keys, and not from anything staff type — checked in every table, audit rows included."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlmodel import select

from auth.roles import Role
from board.handling import InvalidHandling
from board.identity import EMAIL_MASK, HETU_MASK, PHONE_MASK, fold
from board.kanban import WipLimits
from board.periods import Period
from board.replies import ReplyPolicy
from board.stages import Stage
from data.db import session_scope
from data.export import export_feedback
from data.imports import import_feedback
from data.models import Action, AuditEvent, ImportReject, ImportRun, Theme
from data.public import public_actions
from data.actions import add_action, edit_action, publish_action, published_actions
from data.handling import attach_to_theme, mark_no_reply_needed, mark_replied
from data.kiosk import create_kiosk_link
from data.themes import create_theme, edit_theme, move_theme
from tests.conftest import NOW
from tests.factories import add_feedback, add_theme, make_tree, person
from tests.factories import add_action as stored_action
from tests.import_support import database_text, native_csv, native_row

CODE = "131052-308T"
# What testers saw get through, and what of each must never be found in the database.
DISGUISES = [
    pytest.param(f"hetu{CODE}", CODE, id="code touching letters"),
    pytest.param("131052\u00ad-308T", CODE, id="soft hyphen"),
    pytest.param("１３１０５２-３０８T", CODE, id="full-width digits"),
    pytest.param("soita 358401234567", "401234567", id="358 without plus"),
    pytest.param("soita +358(0)401234567", "401234567", id="trunk zero in brackets"),
    pytest.param("soita 040/1234567", "1234567", id="slash after area code"),
    pytest.param("posti m@ex.fi", "m@ex.fi", id="e-mail"),
]
NEEDLES = (CODE, "401234567", "1234567", "m@ex.fi")


@pytest.fixture
def county(engine):
    with session_scope(engine, write=True) as session:
        make_tree(session, NOW)
    return engine


def stored(engine) -> str:
    """Every value of every table, folded as the screen folds it, so no disguise hides a leak."""
    return fold(database_text(engine))


def assert_nothing_leaked(engine) -> None:
    text = stored(engine)
    assert [needle for needle in NEEDLES if needle in text] == []


def run_import(engine, rows, *, file_name="palaute.csv"):
    with session_scope(engine, write=True) as session:
        return import_feedback(session, actor=None, content=native_csv(rows).encode("utf-8"),
                               file_name=file_name, now=NOW)


# --- Imports -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("fields", "column", "reason"), [
    ({"source_id": "m@ex.fi"}, "source_id", "import.reason.contact_in_key"),
    ({"source_id": "0401234567"}, "source_id", "import.reason.contact_in_key"),
    ({"source_id": "+358 40 1234567"}, "source_id", "import.reason.contact_in_key"),
    ({"service_code": "m@ex.fi"}, "service_code", "import.reason.contact_in_key"),
    ({"service_code": "040/1234567"}, "service_code", "import.reason.contact_in_key"),
    ({"source_id": f"hetu{CODE}"}, "source_id", "import.reason.identity_code_in_key"),
    ({"service_code": "131052\u00ad-308T"}, "service_code", "import.reason.identity_code_in_key"),
])
def test_a_key_column_holding_a_code_or_contact_rejects_its_row_and_is_kept_only_masked(
        county, fields, column, reason):
    summary = run_import(county, [native_row("ok1"), native_row("bad", **fields)])
    assert (summary.inserted, summary.rejected, summary.redacted) == (1, 1, 1)
    with session_scope(county) as session:
        reject = session.exec(select(ImportReject)).one()
    assert (reject.column, reject.reason) == (column, reason)
    assert any(mask in reject.data[column] for mask in (HETU_MASK, EMAIL_MASK, PHONE_MASK))
    assert_nothing_leaked(county)


def test_a_file_named_after_a_customer_is_stored_masked_in_the_run_and_its_audit_row(county):
    run_import(county, [native_row("f1")], file_name=f"asiakas_{CODE}.csv")
    with session_scope(county) as session:
        run = session.exec(select(ImportRun)).one()
        audit = session.exec(select(AuditEvent).where(AuditEvent.entity == "import_run")).one()
    assert run.file_name == f"asiakas_{HETU_MASK}.csv"
    assert audit.after["file"] == f"asiakas_{HETU_MASK}.csv"
    assert_nothing_leaked(county)


@pytest.mark.parametrize(("text", "needle"), DISGUISES)
def test_a_disguised_code_or_contact_in_feedback_text_is_masked_and_not_exported(county, text, needle):
    summary = run_import(county, [native_row("t1", free_text=f"Asiakas {text} kiittää", open_answer=text)])
    assert (summary.inserted, summary.redacted) == (1, 1)
    assert needle not in stored(county)
    out = io.StringIO()
    with session_scope(county) as session:
        export_feedback(session, viewer=None, unit_code="C", period=Period(NOW.date() - timedelta(days=9),
                        NOW.date()), policy=ReplyPolicy(), out=out)
    assert out.getvalue().count("\n") == 2 and needle not in fold(out.getvalue())


# --- What staff type ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "needle"), DISGUISES)
def test_theme_texts_staff_type_are_stored_and_audited_masked(county, text, needle):
    with session_scope(county, write=True) as session:
        supervisor = person(session, Role.SUPERVISOR, "U1")
        theme = create_theme(session, viewer=supervisor, unit_code="U1", title=f"Asiakas {text} soitti",
                             description=f"Kuvaus: {text}", owner=text, now=NOW)
        theme_id, version = theme.id, theme.version
    assert needle not in stored(county)
    with session_scope(county, write=True) as session:
        edit_theme(session, viewer=supervisor, theme_id=theme_id, seen_version=version, title=f"Uusi {text}",
                   description=f"Toinen {text}", owner=f"Omistaja {text}", now=NOW)
    with session_scope(county) as session:
        theme = session.get(Theme, theme_id)
        assert "[" in theme.title and "[" in theme.description and "[" in theme.owner
    assert needle not in stored(county)


@pytest.mark.parametrize(("target", "note"), [(Stage.ESCALATED, "escalated_to"), (Stage.NOT_PURSUED, "reason")])
def test_the_note_of_an_escalation_or_a_theme_not_pursued_is_stored_and_audited_masked(county, target, note):
    with session_scope(county, write=True) as session:
        supervisor = person(session, Role.SUPERVISOR, "U1")
        theme = add_theme(session, "U1", Stage.IDENTIFIED, NOW)
        move_theme(session, viewer=supervisor, theme_id=theme.id, seen_version=theme.version, target=target,
                   wip=WipLimits(), now=NOW, **{note: f"Asiakas {CODE}, puh. 040/1234567"})
        theme = session.get(Theme, theme.id)
        assert (theme.escalated_to or theme.not_pursued_reason) == f"Asiakas {HETU_MASK}, puh. {PHONE_MASK}"
    assert_nothing_leaked(county)


def test_feedback_handling_texts_and_a_new_theme_title_are_stored_and_audited_masked(county):
    with session_scope(county, write=True) as session:
        supervisor = person(session, Role.SUPERVISOR, "U1")
        first = add_feedback(session, "U1", NOW - timedelta(days=2), reply_requested=True)
        second = add_feedback(session, "U1", NOW - timedelta(days=2), reply_requested=True)
        mark_no_reply_needed(session, viewer=supervisor, feedback_id=first.id, seen_version=first.version,
                             reason=f"Soitin numeroon 358401234567, asiakas {CODE}", now=NOW)
        mark_replied(session, viewer=supervisor, feedback_id=second.id, seen_version=second.version,
                     replied_at=NOW, replied_by="m@ex.fi", now=NOW)
        attach_to_theme(session, viewer=supervisor, feedback_id=second.id, new_theme_title=f"hetu{CODE}", now=NOW)
    assert_nothing_leaked(county)


def test_a_kiosk_label_is_stored_and_audited_masked(county):
    with session_scope(county, write=True) as session:
        supervisor = person(session, Role.SUPERVISOR, "U1")
        create_kiosk_link(session, viewer=supervisor, unit_code="U1", label=f"Näyttö {CODE}", now=NOW,
                          valid_days=30)
    assert_nothing_leaked(county)


# --- Public texts ------------------------------------------------------------------------------------

@pytest.mark.parametrize("public_text", [
    f"Asiakas {CODE} toivoi iltavastaanottoa",
    "Kysy lisää: 040/1234567",
    "Palaute osoitteesta m@ex.fi",
    "Asiakas 131052-308A toivoi",         # a code with a wrong check character is still someone's
])
def test_a_public_text_with_anything_personal_is_stored_masked_and_never_published(county, public_text):
    with session_scope(county, write=True) as session:
        supervisor = person(session, Role.SUPERVISOR, "U1")
        theme = add_theme(session, "U1", Stage.IN_GROUP, NOW)
        action = add_action(session, viewer=supervisor, theme_id=theme.id, taken_on=date(2026, 11, 20),
                            text=f"Sisäinen: {public_text}", public_text=public_text, now=NOW)
        action_id, version = action.id, action.version
    with session_scope(county, write=True) as session, pytest.raises(InvalidHandling) as refused:
        publish_action(session, viewer=supervisor, action_id=action_id, seen_version=version, publish=True, now=NOW)
    assert refused.value.reason == "public_text_personal"
    with session_scope(county) as session:
        assert session.get(Action, action_id).published_at is None
        assert public_actions(session, language="fi") == [] and published_actions(session) == []
    assert_nothing_leaked(county)


def test_a_published_action_cannot_be_edited_to_hold_a_contact(county):
    with session_scope(county, write=True) as session:
        supervisor = person(session, Role.SUPERVISOR, "U1")
        theme = add_theme(session, "U1", Stage.IN_GROUP, NOW)
        action = stored_action(session, theme, date(2026, 11, 20), "Lisättiin ilta-aikoja",
                               public_text="Lisäsimme ilta-aikoja.", published=True)
        action_id, version = action.id, action.version
    with session_scope(county, write=True) as session, pytest.raises(InvalidHandling) as refused:
        edit_action(session, viewer=supervisor, action_id=action_id, seen_version=version,
                    taken_on=date(2026, 11, 20), text="Lisättiin ilta-aikoja",
                    public_text="Lisäsimme ilta-aikoja, kysy m@ex.fi", now=NOW)
    assert refused.value.reason == "public_text_personal"
    with session_scope(county) as session:
        assert [a.text for a in public_actions(session, language="fi")] == ["Lisäsimme ilta-aikoja."]


def test_a_text_published_before_screening_is_left_off_the_public_page(county):
    with session_scope(county, write=True) as session:
        theme = add_theme(session, "U1", Stage.DONE, NOW, owner=f"Sari {CODE}")
        stored_action(session, theme, date(2026, 11, 19), "vanha", public_text=f"Asiakas {CODE} kiitti",
                      published=True)
        stored_action(session, theme, date(2026, 11, 20), "uusi", public_text="Lisäsimme ilta-aikoja.",
                      published=True)
    with session_scope(county) as session:
        assert [a.public_text for a in published_actions(session)] == ["Lisäsimme ilta-aikoja."]
        assert [a.text for a in public_actions(session, language="fi")] == ["Lisäsimme ilta-aikoja."]


def test_a_key_stored_before_keys_were_screened_leaves_the_export_masked(county):
    with session_scope(county, write=True) as session:
        row = add_feedback(session, "U1", NOW - timedelta(days=1), service_code="040/1234567")
        row.source_id = "m@ex.fi"
        session.flush()
    out = io.StringIO()
    with session_scope(county) as session:
        assert export_feedback(session, viewer=None, unit_code="C", period=None, policy=ReplyPolicy(), out=out) == 1
    assert EMAIL_MASK in out.getvalue() and PHONE_MASK in out.getvalue()
    assert "m@ex.fi" not in out.getvalue() and "1234567" not in out.getvalue()
