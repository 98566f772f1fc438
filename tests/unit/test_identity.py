"""Screening free text: identity codes in every form are masked, dates, amounts and numbers are not."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from board.identity import EMAIL_MASK, HETU_MASK, PHONE_MASK, is_identity_code, screen, screen_many
from tests.import_support import HETUS, hetu

# 300 real NHS Friends and Family Test rows (see tests/fixtures/imports/README.md).
NHS_SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "imports" / "nhs_fft_comments_sample.csv"


@pytest.mark.parametrize("code", HETUS)
def test_every_form_of_a_valid_identity_code_is_masked_inside_text(code):
    screened = screen(f"Asiakas {code}, soittakaa.")
    assert screened.text == f"Asiakas {HETU_MASK}, soittakaa."
    assert screened.identity_codes == 1 and screened.redacted


@pytest.mark.parametrize("text", [
    "131052-308A",             # wrong check character
    "310252-308T",             # no 31 February
    "131052G308T",             # not a century sign
    "käynti 12.10.2023 klo 9-11",
    "maksoin 1 200,50 € ja 45,90 €",
    "viite 1234567890",
    "2023-10-12",
    "131052-308T1",            # part of a longer number
    "tilausnumero 131052308T",
])
def test_text_without_a_valid_identity_code_is_left_alone(text):
    screened = screen(text)
    assert screened.identity_codes == 0
    assert HETU_MASK not in screened.text


@pytest.mark.parametrize("text, masked", [
    ("vastatkaa maija.meikalainen@example.fi kiitos", f"vastatkaa {EMAIL_MASK} kiitos"),
    ("soita 040 123 4567", f"soita {PHONE_MASK}"),
    ("numero +358 40 1234567.", f"numero {PHONE_MASK}."),
    ("puh. 09-1234567", f"puh. {PHONE_MASK}"),
    ("(09) 123 4567", PHONE_MASK),
])
def test_e_mail_addresses_and_phone_numbers_in_free_text_are_masked(text, masked):
    assert screen(text).text == masked


def test_a_temporary_identity_code_is_an_identity_code():
    assert is_identity_code(hetu("010120", "A", 901))
    assert is_identity_code(hetu("010120", "a", 901).lower())


def test_the_real_nhs_free_text_holds_no_identity_code_and_nothing_is_masked_as_one():
    with NHS_SAMPLE.open(encoding="utf-8") as handle:
        texts = [value for row in csv.DictReader(handle) for value in row.values() if value]
    assert len(texts) > 900
    screened = [screen(text) for text in texts]
    assert sum(s.identity_codes for s in screened) == 0
    assert [s.text for s in screened if s.redacted] == []


SCREENED_TOGETHER = [
    "", "Kiitos!", "hei 131052-308T kävin", "soita 040 123 4567", "a@b.fi", "ＡＢＣ＠ｅｘａｍｐｌｅ．ｆｉ",
    "Ääkköset ja １３１０５２−３０８Ｔ", "ﬁﬂ ligatures grow then 131052\u00ad-308T", "ei mitään 12", "123 45 6",
    "1234567", "klo 14 0401234567", "\u200b\u200b131052-308T", "line one\nline two 040-1234567", "9" * 30,
]


def test_texts_screened_together_come_out_exactly_as_each_screened_alone():
    texts = SCREENED_TOGETHER + [hetu_text for hetu_text in (f"nro {code} ok" for code in HETUS)]
    assert screen_many(texts) == [screen(text) for text in texts]
    assert screen_many(list(reversed(texts))) == [screen(text) for text in reversed(texts)]
    assert any(result.identity_codes for result in screen_many(texts))


def test_screening_together_finds_a_code_in_the_last_text_and_in_a_lone_one():
    assert screen_many(["ok", "ok", "131052-308T"])[-1].identity_codes == 1
    assert screen_many(["131052-308T"])[0].text == HETU_MASK
    assert screen_many([]) == []


@pytest.mark.parametrize("key", ["b00000012", "123456789", "131052-308T", "asiakas 040 1234567", "x@y.fi",
                                 "131052-308X", "00358401234567"])
def test_keys_with_many_digits_are_screened_together_exactly_as_alone(key):
    texts = ["alku", key, "loppu 12"]
    assert screen_many(texts) == [screen(text) for text in texts]
