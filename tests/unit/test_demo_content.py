"""The demo county's actions in Swedish and English: real translations, and a few deliberately left out."""
from __future__ import annotations

import re

import pytest

from board.handling import check_publishable
from data.demo_content import ACTIONS, UNTRANSLATED

PUBLIC_TEXTS = [(fi, sv, en) for planned in ACTIONS.values() for _, fi, sv, en in planned]
TRANSLATIONS = [(language, fi, text) for fi, sv, en in PUBLIC_TEXTS
                for language, text in (("sv", sv), ("en", en)) if text is not UNTRANSLATED]

# Little words every sentence of the language has and the other two never use: a column filled in
# the wrong language (English under Swedish, or the Finnish copied over) has none of them.
OWN_WORDS = {
    "sv": {"och", "att", "du", "dig", "din", "vi", "nu", "är", "på", "för", "som", "har", "med", "en"},
    "en": {"the", "and", "to", "of", "you", "your", "we", "now", "is", "are", "a"},
}
LETTERS = {"sv": set("abcdefghijklmnopqrstuvwxyzåäöé"), "en": set("abcdefghijklmnopqrstuvwxyz")}


def words(text: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]+", text.casefold()))


def test_every_action_has_a_finnish_public_text():
    assert len(PUBLIC_TEXTS) >= 80
    assert all(fi and fi == fi.strip() for fi, _, _ in PUBLIC_TEXTS)


@pytest.mark.parametrize("language, finnish, text", TRANSLATIONS, ids=lambda value: str(value)[:30])
def test_a_translation_is_a_publishable_text_in_its_own_language(language, finnish, text):
    assert text == check_publishable(text), "empty, padded, too long or personal"
    assert text != finnish
    assert {c for c in text.casefold() if c.isalpha()} <= LETTERS[language], text
    assert words(text) & OWN_WORDS[language], f"not {language}: {text}"
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
