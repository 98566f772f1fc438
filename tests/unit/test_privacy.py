import pytest

from board.identity import EMAIL_MASK, HETU_MASK, PHONE_MASK, Screened, fold, looks_personal, screen
from board.privacy import is_too_few, suppressed_siblings


@pytest.mark.parametrize(
    ("n", "min_n", "too_few"),
    [
        (0, 5, True),
        (1, 5, True),
        (4, 5, True),
        (5, 5, False),
        (59_000, 5, False),
        (9, 10, True),
        (10, 10, False),
        (1, 1, False),
        (1, 0, False),
        (0, 0, True),  # no answers give no share to show
    ],
)
def test_a_share_of_fewer_answers_than_the_threshold_is_not_shown(n, min_n, too_few):
    assert is_too_few(n, min_n) is too_few


@pytest.mark.parametrize(("n", "min_n"), [(-1, 5), (5, -1)])
def test_negative_counts_are_refused(n, min_n):
    with pytest.raises(ValueError):
        is_too_few(n, min_n)


@pytest.mark.parametrize(
    ("counts", "hidden"),
    [
        ({"a": 40, "b": 12, "c": 30}, set()),
        ({"a": 40, "b": 3, "c": 30}, {"b", "c"}),  # the next smallest goes too
        ({"a": 40, "b": 3, "c": 2}, {"b", "c"}),  # two hidden can't be told apart
        ({"a": 40, "b": 3, "c": 0}, {"a", "b"}),  # an empty sibling hides nothing
        ({"a": 3}, {"a"}),
        ({"a": 0, "b": 0}, set()),
        ({"a": 7, "b": 4, "c": 7}, {"a", "b"}),  # a tie takes one, in a stable order
        ({}, set()),
    ],
)
def test_when_one_sibling_is_hidden_the_next_smallest_is_hidden_too(counts, hidden):
    assert suppressed_siblings(counts, 5) == hidden


# --- Screening: what testers saw get through (issue 12). The rules live in board/identity.py. -------

FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")


@pytest.mark.parametrize(("typed", "stored"), [
    ("hetu131052-308T", f"hetu{HETU_MASK}"),                          # letters touching the code
    ("Asiakas 131052-308T soitti", f"Asiakas {HETU_MASK} soitti"),
    ("131052\u00ad-308T", HETU_MASK),                                 # a soft hyphen inside
    ("131\u200b052-308T", HETU_MASK),                                 # a zero-width space inside
    ("131052-308T".translate(FULL_WIDTH), HETU_MASK),                 # full-width digits and hyphen
    ("١٣١٠٥٢-٣٠٨T", HETU_MASK),                                       # Arabic-Indic digits
    ("asiakas_131052-308T.csv", f"asiakas_{HETU_MASK}.csv"),          # a file name
    ("358401234567", PHONE_MASK),                                     # country code without "+"
    ("+358(0)401234567", PHONE_MASK),                                 # the trunk zero in brackets
    ("+358 (0)40 123 4567", PHONE_MASK),
    ("040/1234567", PHONE_MASK),                                      # a slash after the area code
    ("0401234567".translate(FULL_WIDTH), PHONE_MASK),
    ("klo 14 0401234567", f"klo 14 {PHONE_MASK}"),                    # a number after another one
    ("m@ex.fi", EMAIL_MASK),
    ("m＠ex.fi", EMAIL_MASK),                                         # a full-width at sign
])
def test_an_identity_code_or_contact_in_any_disguise_is_masked(typed, stored):
    screened = screen(typed)
    assert screened.text == stored and screened.redacted


@pytest.mark.parametrize("text", [
    "01/01/2024",
    "käynti 12.10.2023 klo 9-11",
    "maksoin 1 200,50 €",
    "viite 1234567890",
    "+358 ei numero",
    "w-0001",
    "131052-308T1",
    "Kiitos, ｈｙｖä palvelu",          # full-width letters: nothing to mask, kept as typed
])
def test_text_without_a_code_or_contact_is_kept_exactly_as_typed(text):
    assert screen(text) == Screened(text)


@pytest.mark.parametrize(("text", "personal"), [
    ("Lisäsimme iltavastaanoton torstaisin.", False),
    ("Aukioloaika 8–16, puhelinaika klo 9-11.", False),
    (f"Asiakas {HETU_MASK} toivoi", True),            # a mask left in place
    (f"Soita {PHONE_MASK}", True),
    ("Asiakas 131052-308T toivoi", True),              # a code not yet screened
    ("Asiakas 131052-308A toivoi", True),              # a code with a wrong check character
    ("kirjoita m@ex", True),                           # an @ that is not quite an address
    ("asiakasnumero 12345678", True),                  # a long run of digits
])
def test_a_public_text_that_holds_anything_personal_is_recognised(text, personal):
    assert looks_personal(text) is personal


def test_folding_keeps_plain_text_and_straightens_digits_and_invisible_characters():
    assert fold("Hyvä palvelu") == "Hyvä palvelu"
    assert fold("１２\u00ad٣") == "123"
