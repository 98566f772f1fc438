"""A signed-in person's language, remembered across sessions and audited; wall screens keep nothing."""
from __future__ import annotations

import pytest
from sqlmodel import select

from auth.access import Viewer
from data.languages import choose_language, preferred_language
from data.models import AuditEvent
from tests.conftest import NOW

PERSON = Viewer(subject="sari@example.fi", name="Sari")
SCREEN = Viewer(subject="kiosk:1", name="Näyttö", kiosk_unit_path="/1/")


def test_a_person_who_never_chose_has_no_language(session):
    assert preferred_language(session, viewer=PERSON) is None


def test_the_chosen_language_is_remembered_and_audited(session):
    choose_language(session, viewer=PERSON, language="sv", now=NOW)
    choose_language(session, viewer=PERSON, language="en", now=NOW)
    assert preferred_language(session, viewer=PERSON) == "en"
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "preference.language")
                          .order_by(AuditEvent.id)).all()
    assert [(e.actor, e.before, e.after) for e in events] == [
        ("sari@example.fi", None, {"language": "sv"}),
        ("sari@example.fi", {"language": "sv"}, {"language": "en"}),
    ]


def test_choosing_the_same_language_again_changes_nothing(session):
    choose_language(session, viewer=PERSON, language="sv", now=NOW)
    choose_language(session, viewer=PERSON, language="sv", now=NOW)
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "preference.language")).all()) == 1


def test_a_wall_screen_keeps_no_language(session):
    choose_language(session, viewer=SCREEN, language="en", now=NOW)
    assert preferred_language(session, viewer=SCREEN) is None
    assert session.exec(select(AuditEvent)).all() == []


@pytest.mark.parametrize("language", ["de", "", "FI"])
def test_only_the_apps_languages_can_be_chosen(session, language):
    with pytest.raises(ValueError):
        choose_language(session, viewer=PERSON, language=language, now=NOW)
