"""The catalogues: every key in every language with the same placeholders; t() and formats follow the reader."""
from __future__ import annotations

from datetime import date, datetime
from string import Formatter

import pytest

from pages.ui import format as fmt
from pages.ui import language, texts
from pages.ui.texts import CATALOGUES, FI, t

OTHERS = [code for code in CATALOGUES if code != "fi"]


def literal(text: str) -> str:
    return "".join(part for part, _, _, _ in Formatter().parse(text))


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


def test_there_is_a_catalogue_for_each_language_of_the_picker():
    assert tuple(CATALOGUES) == language.LANGUAGES


@pytest.mark.parametrize("code", OTHERS)
def test_every_finnish_key_is_translated(code):
    assert sorted(set(FI) - set(CATALOGUES[code])) == []


@pytest.mark.parametrize("code", OTHERS)
def test_no_language_has_keys_finnish_lacks(code):
    assert sorted(set(CATALOGUES[code]) - set(FI)) == []


@pytest.mark.parametrize("code", OTHERS)
def test_placeholders_are_the_same_in_every_language(code):
    differing = {key: (sorted(placeholders(FI[key])), sorted(placeholders(text)))
                 for key, text in CATALOGUES[code].items()
                 if key in FI and placeholders(text) != placeholders(FI[key])}
    assert differing == {}


@pytest.mark.parametrize("code", list(CATALOGUES))
def test_no_text_is_empty(code):
    assert [key for key, text in CATALOGUES[code].items() if not text.strip()] == []


@pytest.mark.parametrize("code", OTHERS)
def test_swedish_and_english_are_not_left_in_finnish(code):
    # Names, numbers and symbols read the same in every language; anything longer must differ.
    same = {"app.title", "signin.title", "language.fi", "language.sv", "language.en", "kanban.fig.nps",
            "kanban.history.empty", "inbox.item.no_nps", "inbox.item.statement_low"}  # ":orange[…]" is markdown
    untranslated = [key for key, text in CATALOGUES[code].items()
                    if key not in same and text == FI[key] and sum(ch.isalpha() for ch in literal(text)) > 4]
    assert untranslated == []


@pytest.mark.parametrize(("code", "expected"), [
    ("fi", "Suositteluindeksi (NPS), 30 pv"),
    ("sv", "Rekommendationsindex NPS, 30 d"),
    ("en", "Net Promoter Score (NPS), 30 days"),
])
def test_t_gives_the_text_in_the_language_asked(code, expected):
    assert t("huddle.nps.title", code) == expected


def test_t_fills_in_the_values():
    assert t("inbox.page", "sv", page=2, pages=5) == "Sida 2 / 5"


def test_outside_a_page_run_the_language_is_finnish():
    assert language.current() == "fi"
    assert t("nav.inbox") == "Palautteet"


def test_a_missing_text_is_an_error_in_tests_and_finnish_otherwise(monkeypatch):
    monkeypatch.setitem(texts.SV, "nav.inbox", None)
    monkeypatch.delitem(texts.SV, "nav.inbox")
    with pytest.raises(KeyError, match="nav.inbox"):
        t("nav.inbox", "sv")
    monkeypatch.setattr(texts, "STRICT", False)
    assert t("nav.inbox", "sv") == "Palautteet"


@pytest.mark.parametrize(("code", "number", "signed", "day", "weekday", "clock"), [
    ("fi", "1\u00a0234,5", "−3,5", "23.11.2026", "maanantai 23.11.2026", "10.05"),
    ("sv", "1\u00a0234,5", "−3,5", "23.11.2026", "måndag 23.11.2026", "10:05"),
    ("en", "1,234.5", "−3.5", "23/11/2026", "Monday 23/11/2026", "10:05"),
])
def test_numbers_and_dates_follow_the_language(code, number, signed, day, weekday, clock):
    assert fmt.number(1234.5, 1, code) == number
    assert fmt.signed(-3.5, 1, code) == signed
    assert fmt.day(date(2026, 11, 23), code) == day
    assert fmt.weekday_and_day(date(2026, 11, 23), code) == weekday
    assert fmt.clock(datetime(2026, 11, 23, 8, 5), code) == clock
