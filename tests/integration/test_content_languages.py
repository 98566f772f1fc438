"""Content in the reader's language (issue 17): a Swedish or English reader gets their language, or the
Finnish text said to be Finnish; never silently Finnish. On SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import select

from auth.roles import Role
from board.content_language import InLanguage, in_language
from board.handling import InvalidHandling
from board.stages import Stage
from data.actions import add_action, edit_action, public_text_in, publish_action, published_actions
from data.board_figures import board_signals
from data.huddle import huddle_prompts, huddle_prompts_in, set_huddle_prompt
from data.huddle_board import huddle_board
from data.models import Action, AuditEvent, Theme
from data.public import public_action_text, public_actions
from data.settings import load_settings
from data.themes import edit_theme
from data.translations import missing_translations
from tests.factories import add_theme, make_tree, person

NOW = datetime(2026, 11, 20, 10, 0)


@pytest.fixture
def tree(session):
    make_tree(session, NOW)
    return session


@pytest.fixture
def boss(tree):
    return person(tree, Role.SUPERVISOR, "C")


@pytest.fixture
def published(tree, boss):
    """One action with all three texts, one with Finnish only, one with Swedish only; all published."""
    theme = add_theme(tree, "U1", Stage.DONE, NOW, title="Puhelinjonot")
    other = add_theme(tree, "U3", Stage.DONE, NOW, title="Ajanvaraus")
    made = [
        add_action(tree, viewer=boss, theme_id=theme.id, taken_on=date(2026, 11, 5), text="Sisäinen",
                   public_text="Lisäsimme soittoaikoja",
                   translations={"sv": "Vi lade till telefontider", "en": "We added phone hours"}, now=NOW),
        add_action(tree, viewer=boss, theme_id=theme.id, taken_on=date(2026, 11, 6), text="Sisäinen",
                   public_text="Selkeämmät ohjeet", now=NOW),
        add_action(tree, viewer=boss, theme_id=other.id, taken_on=date(2026, 11, 7), text="Sisäinen",
                   public_text="Ajanvaraus verkossa", translations={"sv": "Tidsbokning på nätet"}, now=NOW),
    ]
    for action in made:
        publish_action(tree, viewer=boss, action_id=action.id, seen_version=action.version, publish=True, now=NOW)
    tree.flush()
    return made


@pytest.mark.parametrize(("texts", "language", "expected"), [
    ({"fi": "Teksti", "sv": "Text", "en": "Words"}, "sv", InLanguage("Text", "sv", False)),
    ({"fi": "Teksti", "sv": "Text", "en": "Words"}, "en", InLanguage("Words", "en", False)),
    ({"fi": "Teksti", "sv": None, "en": "  "}, "en", InLanguage("Teksti", "fi", True)),
    ({"fi": "Teksti", "sv": None}, "sv", InLanguage("Teksti", "fi", True)),
    ({"fi": "Teksti", "sv": "Text"}, "fi", InLanguage("Teksti", "fi", False)),
    ({"fi": None, "sv": "Text"}, "fi", None),
    ({"fi": "Teksti"}, "se", InLanguage("Teksti", "fi", True)),  # Sámi is not a content language yet
])
def test_a_reader_gets_their_language_or_finnish_marked_as_finnish(texts, language, expected):
    assert in_language(texts, language) == expected


@pytest.mark.parametrize(("language", "expected"), [
    ("fi", [("Ajanvaraus verkossa", "fi"), ("Selkeämmät ohjeet", "fi"), ("Lisäsimme soittoaikoja", "fi")]),
    ("sv", [("Tidsbokning på nätet", "sv"), ("Selkeämmät ohjeet", "fi"), ("Vi lade till telefontider", "sv")]),
    ("en", [("Ajanvaraus verkossa", "fi"), ("Selkeämmät ohjeet", "fi"), ("We added phone hours", "en")]),
])
def test_the_public_page_gives_each_action_in_the_readers_language_or_finnish_with_its_language(
        published, tree, language, expected):
    assert [(a.text, a.text_language) for a in public_actions(tree, language=language)] == expected
    assert [(a.public_text, a.text_language) for a in published_actions(tree, language=language)] == expected


def test_the_data_layer_gives_one_published_action_text_and_its_language_and_nothing_unpublished(
        published, tree, boss):
    first = published[0]
    assert public_action_text(tree, action_id=first.id, language="en") == InLanguage("We added phone hours", "en",
                                                                                     False)
    assert public_action_text(tree, action_id=published[1].id, language="sv") == InLanguage("Selkeämmät ohjeet",
                                                                                           "fi", True)
    draft = add_action(tree, viewer=boss, theme_id=first.theme_id, taken_on=date(2026, 11, 8), text="x",
                       public_text="Luonnos", translations={"sv": "Utkast"}, now=NOW)
    assert public_action_text(tree, action_id=draft.id, language="sv") is None


def test_a_swedish_word_finds_the_action_for_a_finnish_reader_too(published, tree):
    assert [a.text for a in public_actions(tree, language="fi", search="telefontider")] == ["Lisäsimme soittoaikoja"]


def test_editing_the_translations_is_versioned_and_audited_and_leaving_them_out_keeps_them(published, tree, boss):
    action = published[1]
    edit_action(tree, viewer=boss, action_id=action.id, seen_version=action.version, taken_on=action.taken_on,
                text="Sisäinen", public_text="Selkeämmät ohjeet", translations={"sv": " Tydligare anvisningar ",
                                                                                   "en": ""}, now=NOW)
    stored = tree.exec(select(Action).where(Action.id == action.id).execution_options(populate_existing=True)).one()
    assert (stored.public_text_sv, stored.public_text_en) == ("Tydligare anvisningar", None)
    event = tree.exec(select(AuditEvent).where(AuditEvent.action == "action.edit")
                      .order_by(AuditEvent.id.desc())).first()
    assert event.after == {"public_text_sv": "Tydligare anvisningar"}
    edit_action(tree, viewer=boss, action_id=action.id, seen_version=stored.version, taken_on=action.taken_on,
                text="Sisäinen 2", public_text="Selkeämmät ohjeet", now=NOW)
    assert public_text_in(stored, "sv").text == "Tydligare anvisningar"


def test_a_published_translation_with_a_phone_number_is_refused(published, tree, boss):
    action = published[0]
    with pytest.raises(InvalidHandling) as refused:
        edit_action(tree, viewer=boss, action_id=action.id, seen_version=action.version, taken_on=action.taken_on,
                    text="Sisäinen", public_text="Lisäsimme soittoaikoja",
                    translations={"en": "Call us on 040 1234567"}, now=NOW)
    assert refused.value.reason == "public_text_personal"


def test_admin_sees_per_unit_and_language_which_published_actions_lack_a_translation(published, tree):
    admin = person(tree, Role.ADMIN, "C")
    rows = [(r.unit_code, r.language, r.missing, r.published) for r in missing_translations(tree, viewer=admin)]
    assert rows == [("U1", "sv", 1, 2), ("U1", "en", 1, 2), ("U3", "en", 1, 1)]
    only_b = person(tree, Role.ADMIN, "B")
    assert [(r.unit_code, r.language) for r in missing_translations(tree, viewer=only_b)] == [("U3", "en")]
    assert missing_translations(tree, viewer=person(tree, Role.SUPERVISOR, "C")) == []


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_missing_translations_name_the_units_in_the_admins_language(published, tree, language):
    # PostgreSQL refused the grouping by a name in another language than Finnish (the name is a coalesce()).
    admin = person(tree, Role.ADMIN, "C")
    rows = missing_translations(tree, viewer=admin, language=language)
    assert [(r.unit_code, r.unit_name, r.language) for r in rows] == [
        ("U1", "Keskustan terveysasema", "sv"), ("U1", "Keskustan terveysasema", "en"),
        ("U3", "Aikuissosiaalityö", "en")]


def test_a_swedish_wall_board_shows_theme_titles_and_actions_in_swedish_or_marked_finnish(published, tree, boss):
    in_development = add_theme(tree, "U1", Stage.TRIAL, NOW, title="Odotusaika")
    translated = add_theme(tree, "U1", Stage.TRIAL, NOW, title="Opasteet")
    edit_theme(tree, viewer=boss, theme_id=translated.id, seen_version=translated.version, title="Opasteet",
               description="", owner=None, translations={"sv": "Skyltar", "en": ""}, now=NOW)
    settings = load_settings({})
    board = huddle_board(tree, viewer=boss, unit_code="U1", now=NOW, settings=settings, language="sv")
    assert {(c.title, c.title_language) for c in board.themes} == {("Odotusaika", "fi"), ("Skyltar", "sv")}
    signals = board_signals(tree, viewer=boss, unit_code="U1", now=NOW, settings=settings, language="sv")
    assert [(a.text, a.text_language) for a in signals.actions] == [("Sisäinen", "fi"),
                                                                   ("Vi lade till telefontider", "sv")]
    finnish = board_signals(tree, viewer=boss, unit_code="U1", now=NOW, settings=settings, language="fi")
    assert [(a.text, a.text_language) for a in finnish.actions] == [("Sisäinen", "fi"), ("Sisäinen", "fi")]
    assert tree.get(Theme, in_development.id).title_sv is None


def test_a_huddle_prompt_in_three_languages_and_its_finnish_fallback(tree, boss):
    set_huddle_prompt(tree, viewer=boss, unit_code="U1", section="voice", text="Mitä asiakkaat sanoivat?",
                      seen_version=None, translations={"sv": "Vad sade kunderna?", "en": ""}, now=NOW)
    assert huddle_prompts_in(tree, viewer=boss, unit_code="U1", language="sv")["voice"] == InLanguage(
        "Vad sade kunderna?", "sv", False)
    assert huddle_prompts_in(tree, viewer=boss, unit_code="U1", language="en")["voice"] == InLanguage(
        "Mitä asiakkaat sanoivat?", "fi", True)
    assert huddle_prompts_in(tree, viewer=boss, unit_code="U1", language="en")["fixed"] is None
    version = huddle_prompts(tree, viewer=boss, unit_code="U1")["voice"][1]
    set_huddle_prompt(tree, viewer=boss, unit_code="U1", section="voice", text="Mitä asiakkaat sanoivat?",
                      seen_version=version, translations={"sv": "Vad sade kunderna?", "en": "What did they say?"},
                      now=NOW)
    assert huddle_prompts_in(tree, viewer=boss, unit_code="U1", language="en")["voice"].text == "What did they say?"
    assert huddle_prompts(tree, viewer=boss, unit_code="U1")["voice"][1] == version + 1
