"""The demo county's actions and theme titles in Swedish and English: real translations, and a few
deliberately left out."""
from __future__ import annotations

import re

import pytest

from board.handling import check_publishable, check_theme_title
from data.demo_content import ACTIONS, THEMES, UNTRANSLATED

PUBLIC_TEXTS = [(fi, sv, en) for planned in ACTIONS.values() for _, fi, sv, en in planned]
TRANSLATIONS = [(language, fi, text) for fi, sv, en in PUBLIC_TEXTS
                for language, text in (("sv", sv), ("en", en)) if text is not UNTRANSLATED]
TITLES = [(theme.title, theme.title_sv, theme.title_en) for themes in THEMES.values() for theme in themes]
TITLE_TRANSLATIONS = [(language, fi, text) for fi, sv, en in TITLES
                      for language, text in (("sv", sv), ("en", en)) if text is not UNTRANSLATED]

# Little words every sentence of the language has and the other two never use: a column filled in
# the wrong language (English under Swedish, or the Finnish copied over) has none of them.
OWN_WORDS = {
    "sv": {"och", "att", "du", "dig", "din", "vi", "nu", "är", "på", "för", "som", "har", "med", "en"},
    "en": {"the", "and", "to", "of", "you", "your", "we", "now", "is", "are", "a"},
}
# A title is a noun phrase: its little words are mostly prepositions ("Svar på ringklockan").
TITLE_WORDS = {
    "sv": OWN_WORDS["sv"] | {"i", "av", "om", "till", "vid", "utan", "mellan", "inom", "över", "när", "den", "de",
                             "kan", "eller"},
    "en": OWN_WORDS["en"] | {"in", "on", "for", "at", "with", "without", "about", "between", "from", "their", "or",
                             "can", "be"},
}
# A title of up to this many words may be content words only ("Sena kvällsbesök", "Clear discharge instructions").
SHORT_TITLE_WORDS = 4
# The wall board's theme card cuts a bold title with an ellipsis after about 46 characters (seen at 1920×1080):
# a translation is no longer than this, or than its Finnish title.
TITLE_FITS = 44
OTHER = {"sv": "en", "en": "sv"}
LETTERS = {"sv": set("abcdefghijklmnopqrstuvwxyzåäöé"), "en": set("abcdefghijklmnopqrstuvwxyz")}


def words(text: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]+", text.casefold()))


def test_every_action_has_a_finnish_public_text():
    assert len(PUBLIC_TEXTS) >= 80
    assert all(fi and fi == fi.strip() for fi, _, _ in PUBLIC_TEXTS)


@pytest.mark.parametrize("language, finnish, text", TRANSLATIONS, ids=lambda value: str(value)[:30])
def test_a_translation_is_a_publishable_text_in_its_own_language(language, finnish, text):
    assert text == check_publishable(text), "empty, padded, too long or personal"
    assert_translated(language, finnish, text)
    assert words(text) & OWN_WORDS[language], f"not {language}: {text}"


def assert_translated(language: str, finnish: str, text: str) -> None:
    assert text != finnish
    assert {c for c in text.casefold() if c.isalpha()} <= LETTERS[language], text
    # A Finnish word of four letters or more left in the translation is an unfinished one.
    assert not {w for w in words(finnish) if len(w) >= 4} & words(text), text


def test_swedish_and_english_differ_where_both_are_written():
    assert all(sv != en for _, sv, en in PUBLIC_TEXTS if sv and en)


@pytest.mark.parametrize("column, language, share", [(1, "sv", 1 / 8), (2, "en", 1 / 6)])
def test_about_the_intended_share_is_left_untranslated(column, language, share):
    missing = sum(1 for texts in PUBLIC_TEXTS if texts[column] is UNTRANSLATED)
    assert missing / len(PUBLIC_TEXTS) == pytest.approx(share, abs=0.03), f"{missing} lack {language}"


def test_some_actions_lack_both_translations_and_most_have_both():
    both_missing = [fi for fi, sv, en in PUBLIC_TEXTS if sv is UNTRANSLATED and en is UNTRANSLATED]
    both_written = [fi for fi, sv, en in PUBLIC_TEXTS if sv and en]
    assert 1 <= len(both_missing) < len(PUBLIC_TEXTS) / 10
    assert len(both_written) > len(PUBLIC_TEXTS) * 2 / 3


# ---------------------------------------------------------------- theme titles (the wall board's "Themes in progress")

def test_every_theme_has_a_unique_finnish_title():
    assert len(TITLES) >= 60
    assert len({fi for fi, _, _ in TITLES}) == len(TITLES)


@pytest.mark.parametrize("language, finnish, title", TITLE_TRANSLATIONS, ids=lambda value: str(value)[:30])
def test_a_title_translation_is_a_title_in_its_own_language(language, finnish, title):
    assert title == check_theme_title(title), "empty, padded or too long"
    assert_translated(language, finnish, title)
    assert not words(title) & OWN_WORDS[OTHER[language]], f"not {language}: {title}"
    if len(words(title)) > SHORT_TITLE_WORDS:
        assert words(title) & TITLE_WORDS[language], f"not {language}: {title}"
    assert len(title) <= max(TITLE_FITS, len(finnish)), f"cut short on the wall board: {title}"


def test_swedish_and_english_titles_differ_where_both_are_written():
    assert all(sv != en for _, sv, en in TITLES if sv and en)


@pytest.mark.parametrize("column, language", [(1, "sv"), (2, "en")])
def test_about_one_title_in_ten_is_left_untranslated(column, language):
    missing = sum(1 for titles in TITLES if titles[column] is UNTRANSLATED)
    assert missing / len(TITLES) == pytest.approx(1 / 10, abs=0.03), f"{missing} lack {language}"


def test_a_few_titles_lack_both_translations():
    assert 1 <= sum(1 for _, sv, en in TITLES if sv is UNTRANSLATED and en is UNTRANSLATED) <= 3
