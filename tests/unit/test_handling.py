from datetime import UTC, datetime, timedelta

import pytest

from board.handling import (
    CLOCK_SKEW,
    LOW_STATEMENT_MAX,
    InvalidHandling,
    check_no_reply_reason,
    check_public_text,
    check_publishable,
    check_reply_sent,
    check_theme_title,
    is_low_statement,
    nps_group_filter_values,
)
from board.identity import HETU_MASK, PHONE_MASK
from board.nps import nps_group

TICK = timedelta(microseconds=1)
RECEIVED = datetime(2026, 11, 2, 8, 0)  # naive UTC, 10:00 in Helsinki
NOW = datetime(2026, 11, 5, 12, 0)


def test_clock_skew_allowed_is_five_minutes():
    assert CLOCK_SKEW == timedelta(minutes=5)


@pytest.mark.parametrize(
    ("replied_at", "reason"),
    [
        (RECEIVED, None),  # replied the moment it arrived
        (RECEIVED + timedelta(hours=3), None),
        (NOW, None),
        (NOW + timedelta(minutes=5), None),  # another clock five minutes ahead
        (NOW + timedelta(minutes=5) + TICK, "reply_in_future"),
        (NOW + timedelta(days=1), "reply_in_future"),
        (RECEIVED - TICK, "reply_before_feedback"),
        (RECEIVED - timedelta(days=1), "reply_before_feedback"),
    ],
)
def test_a_reply_is_dated_between_the_feedback_and_now_with_five_minutes_of_skew(replied_at, reason):
    if reason is None:
        check_reply_sent(replied_at=replied_at, received_at=RECEIVED, now=NOW)
        return
    with pytest.raises(InvalidHandling) as caught:
        check_reply_sent(replied_at=replied_at, received_at=RECEIVED, now=NOW)
    assert caught.value.reason == reason


def test_a_reply_to_feedback_that_arrived_within_the_skew_may_be_dated_now():
    received = NOW + timedelta(minutes=3)  # stamped by a clock running ahead
    check_reply_sent(replied_at=received, received_at=received, now=NOW)


def test_an_aware_reply_time_is_compared_as_utc():
    eleven_helsinki = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    check_reply_sent(replied_at=eleven_helsinki, received_at=RECEIVED, now=NOW)
    with pytest.raises(InvalidHandling):
        check_reply_sent(replied_at=RECEIVED.replace(tzinfo=UTC) - TICK, received_at=RECEIVED, now=NOW)


def test_invalid_handling_is_a_value_error_with_its_reason_in_the_message():
    with pytest.raises(ValueError, match="reply_in_future"):
        check_reply_sent(replied_at=NOW + timedelta(hours=1), received_at=RECEIVED, now=NOW)


TEXT_RULES = [
    pytest.param(check_no_reply_reason, 400, "reason_missing", id="no-reply reason"),
    pytest.param(check_theme_title, 200, "title_missing", id="theme title"),
    pytest.param(check_public_text, 1000, "public_text_missing", id="public text"),
]


@pytest.mark.parametrize(("check", "most", "missing"), TEXT_RULES)
@pytest.mark.parametrize(
    ("text", "stripped"),
    [
        ("Asiakas ei jättänyt yhteystietoja", "Asiakas ei jättänyt yhteystietoja"),
        ("  Jonotusaika puhelimessa \n", "Jonotusaika puhelimessa"),
        ("x", "x"),
        ("rivi 1\nrivi 2", "rivi 1\nrivi 2"),
    ],
)
def test_a_text_is_accepted_and_returned_stripped(check, most, missing, text, stripped):
    assert check(text) == stripped


@pytest.mark.parametrize(("check", "most", "missing"), TEXT_RULES)
@pytest.mark.parametrize("text", ["", " ", "\n\t  \r\n", "\u00a0"])
def test_a_blank_text_is_missing(check, most, missing, text):
    with pytest.raises(InvalidHandling) as caught:
        check(text)
    assert caught.value.reason == missing


@pytest.mark.parametrize(("check", "most", "missing"), TEXT_RULES)
def test_a_text_may_be_exactly_as_long_as_its_limit_after_stripping(check, most, missing):
    assert check("ä" * most) == "ä" * most
    assert check("  " + "ä" * most + "\n") == "ä" * most


@pytest.mark.parametrize(("check", "most", "missing"), TEXT_RULES)
def test_a_text_one_character_over_its_limit_is_too_long(check, most, missing):
    with pytest.raises(InvalidHandling) as caught:
        check("ä" * (most + 1))
    assert caught.value.reason == "too_long"


def test_publishing_without_any_public_text_is_refused():
    with pytest.raises(InvalidHandling) as caught:
        check_public_text(None)
    assert caught.value.reason == "public_text_missing"


@pytest.mark.parametrize(("check", "most", "missing"), TEXT_RULES)
def test_a_typed_text_comes_back_with_its_identity_code_and_phone_masked(check, most, missing):
    assert check(" Asiakas 131052-308T, puh. 040/1234567 ") == f"Asiakas {HETU_MASK}, puh. {PHONE_MASK}"


@pytest.mark.parametrize(("check", "most", "missing"), TEXT_RULES)
def test_the_masked_text_is_what_must_fit_its_limit(check, most, missing):
    with pytest.raises(InvalidHandling) as caught:
        check("ä" * (most - 11) + "131052-308T")   # fits as typed, not once masked
    assert caught.value.reason == "too_long"


@pytest.mark.parametrize(("text", "reason"), [
    ("Lisäsimme iltavastaanoton torstaisin.", None),
    ("Asiakas 131052-308T toivoi", "public_text_personal"),
    (f"Asiakas {HETU_MASK} toivoi", "public_text_personal"),
    ("Kysy lisää m@ex.fi", "public_text_personal"),
    ("Asiakas 131052-308A toivoi", "public_text_personal"),
    ("", "public_text_missing"),
])
def test_only_a_public_text_with_nothing_personal_may_be_published(text, reason):
    if reason is None:
        assert check_publishable(text) == text
        return
    with pytest.raises(InvalidHandling) as caught:
        check_publishable(text)
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    ("group", "scores"),
    [("promoter", [9, 10]), ("passive", [7, 8]), ("detractor", [0, 1, 2, 3, 4, 5, 6])],
)
def test_an_nps_group_filter_selects_the_answers_of_that_group(group, scores):
    assert list(nps_group_filter_values(group)) == scores


@pytest.mark.parametrize("score", range(11))
def test_every_nps_answer_is_in_the_filter_of_its_own_group_only(score):
    groups = [group for group in ("promoter", "passive", "detractor") if score in nps_group_filter_values(group)]
    assert groups == [nps_group(score)]


@pytest.mark.parametrize("group", ["", "Promoter", "promoters", "all", "neutral"])
def test_an_unknown_nps_group_is_refused(group):
    with pytest.raises(ValueError):
        nps_group_filter_values(group)


def test_a_statement_answered_low_is_at_most_two():
    assert LOW_STATEMENT_MAX == 2


@pytest.mark.parametrize(("value", "low"), [(1, True), (2, True), (3, False), (4, False), (5, False), (None, False)])
def test_a_statement_answered_1_or_2_is_low_and_an_unanswered_one_is_not(value, low):
    assert is_low_statement(value) is low


@pytest.mark.parametrize("value", [0, 6, -1, True, 2.0, "2"])
def test_a_statement_answer_outside_1_to_5_is_refused(value):
    with pytest.raises(ValueError):
        is_low_statement(value)
