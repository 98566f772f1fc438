import pickle
from dataclasses import FrozenInstanceError
from datetime import datetime

import pytest

from board.kanban import (
    MOVES,
    NOTE_MAX,
    OPEN,
    IllegalMove,
    WipLimits,
    check_move,
    entered_development,
    parse_wip_limits,
)
from board.stages import Stage

IDENTIFIED, IN_GROUP, TRIAL, DONE, ESCALATED, NOT_PURSUED = (
    Stage.IDENTIFIED,
    Stage.IN_GROUP,
    Stage.TRIAL,
    Stage.DONE,
    Stage.ESCALATED,
    Stage.NOT_PURSUED,
)
COLUMNS = (IDENTIFIED, IN_GROUP, TRIAL, DONE, ESCALATED, NOT_PURSUED)

# Every move, written out by hand: "=" the same stage, "ok" allowed, "-" not allowed.
# fmt: off
TABLE = {
    #               tunnistettu  ryhmällä  kokeilussa  valmis  siirretty  ei_edeta
    IDENTIFIED:  (  "=",         "ok",     "-",        "-",    "ok",      "ok"),
    IN_GROUP:    (  "ok",        "=",      "ok",       "ok",   "ok",      "ok"),
    TRIAL:       (  "-",         "ok",     "=",        "ok",   "ok",      "ok"),
    DONE:        (  "-",         "ok",     "-",        "=",    "-",       "-"),
    ESCALATED:   (  "ok",        "-",      "-",        "-",    "=",       "-"),
    NOT_PURSUED: (  "ok",        "-",      "-",        "-",    "-",       "="),
}
# fmt: on
PAIRS = [(current, target, TABLE[current][COLUMNS.index(target)]) for current in COLUMNS for target in COLUMNS]
NOTES = {"escalated_to": "Alueellinen ajanvarauksen kehittämishanke", "reason": "Ei toistu enää"}


def test_the_table_covers_all_36_pairs_of_stages():
    assert len(PAIRS) == 36
    assert set(TABLE) == set(Stage)


@pytest.mark.parametrize(
    ("current", "target", "verdict"),
    [pair for pair in PAIRS if pair[2] == "ok"],
    ids=[f"{current}->{target}" for current, target, verdict in PAIRS if verdict == "ok"],
)
def test_a_card_may_make_the_moves_the_table_allows(current, target, verdict):
    check_move(current, target, **NOTES)


@pytest.mark.parametrize(
    ("current", "target", "verdict"),
    [pair for pair in PAIRS if pair[2] != "ok"],
    ids=[f"{current}->{target}" for current, target, verdict in PAIRS if verdict != "ok"],
)
def test_every_other_move_is_illegal_even_with_the_notes_given(current, target, verdict):
    with pytest.raises(IllegalMove) as caught:
        check_move(current, target, **NOTES)
    assert caught.value.reason == {"=": "same_stage", "-": "not_allowed"}[verdict]
    assert (caught.value.current, caught.value.target) == (current, target)


def test_moves_lists_exactly_the_moves_of_the_table():
    expected = {
        current: {target for target, verdict in zip(COLUMNS, row) if verdict == "ok"} for current, row in TABLE.items()
    }
    assert {current: set(targets) for current, targets in MOVES.items()} == expected


def test_open_stages_are_the_flow_before_done():
    assert OPEN == (IDENTIFIED, IN_GROUP, TRIAL)


def test_an_illegal_move_is_a_value_error_naming_both_stages():
    with pytest.raises(ValueError, match="tunnistettu to valmis: not_allowed"):
        check_move(IDENTIFIED, DONE)


def test_stored_stage_values_are_accepted_and_reported_as_stages():
    check_move("kokeilussa", "valmis")
    with pytest.raises(IllegalMove) as caught:
        check_move("valmis", "kokeilussa")
    assert caught.value.current is DONE
    assert caught.value.target is TRIAL


@pytest.mark.parametrize(
    ("current", "target"), [(DONE, ESCALATED), (DONE, NOT_PURSUED), (ESCALATED, NOT_PURSUED), (NOT_PURSUED, ESCALATED)]
)
def test_a_move_not_allowed_is_reported_as_such_before_any_missing_note(current, target):
    with pytest.raises(IllegalMove) as caught:
        check_move(current, target)
    assert caught.value.reason == "not_allowed"


TOO_LONG = "x" * (NOTE_MAX + 1)
NOTE_CASES = [
    (None, "missing"),
    ("", "missing"),
    ("   ", "missing"),
    ("\n\t ", "missing"),
    ("x", None),
    ("  Alueen hanke  ", None),
    ("x" * NOTE_MAX, None),
    ("  " + "x" * NOTE_MAX + "\n", None),  # counted after stripping
    (TOO_LONG, "too_long"),
    (" " + TOO_LONG, "too_long"),
]


@pytest.mark.parametrize("current", OPEN)
@pytest.mark.parametrize(("escalated_to", "problem"), NOTE_CASES)
def test_escalating_needs_where_to_in_at_most_400_characters(current, escalated_to, problem):
    if problem is None:
        check_move(current, ESCALATED, escalated_to=escalated_to)
        return
    with pytest.raises(IllegalMove) as caught:
        check_move(current, ESCALATED, escalated_to=escalated_to, reason="a reason is not where to")
    assert caught.value.reason == {"missing": "escalation_target_missing", "too_long": "too_long"}[problem]


@pytest.mark.parametrize("current", OPEN)
@pytest.mark.parametrize(("reason", "problem"), NOTE_CASES)
def test_not_pursuing_needs_a_reason_of_at_most_400_characters(current, reason, problem):
    if problem is None:
        check_move(current, NOT_PURSUED, reason=reason)
        return
    with pytest.raises(IllegalMove) as caught:
        check_move(current, NOT_PURSUED, reason=reason, escalated_to="where to is not a reason")
    assert caught.value.reason == {"missing": "reason_missing", "too_long": "too_long"}[problem]


def test_a_note_is_checked_only_for_the_exit_that_needs_it():
    check_move(IN_GROUP, TRIAL, escalated_to=TOO_LONG, reason="   ")
    check_move(ESCALATED, IDENTIFIED, escalated_to="", reason=TOO_LONG)


# --- work-in-progress limits ---

LIMITS = WipLimits({IN_GROUP: 5, TRIAL: 3})


def test_no_limits_means_no_stage_is_limited():
    for stage in Stage:
        assert WipLimits().limit(stage) is None
        assert not WipLimits().would_exceed(stage, 1000)


@pytest.mark.parametrize(("stage", "limit"), [(IDENTIFIED, None), (IN_GROUP, 5), (TRIAL, 3), (DONE, None)])
def test_a_stage_has_the_limit_it_was_given(stage, limit):
    assert LIMITS.limit(stage) == limit


@pytest.mark.parametrize(
    ("stage", "cards", "exceeds"),
    [
        (TRIAL, 0, False),
        (TRIAL, 2, False),  # the third card fills the stage exactly
        (TRIAL, 3, True),  # a fourth would be one too many
        (TRIAL, 7, True),  # already over
        (IN_GROUP, 4, False),
        (IN_GROUP, 5, True),
        (IDENTIFIED, 500, False),  # no limit
    ],
)
def test_one_more_card_exceeds_the_limit_only_when_the_stage_is_full(stage, cards, exceeds):
    assert LIMITS.would_exceed(stage, cards) is exceeds


@pytest.mark.parametrize(("cards", "over"), [(0, False), (3, False), (4, True)])
def test_a_stage_is_over_its_limit_when_it_holds_more_cards_than_the_limit(cards, over):
    assert LIMITS.is_over(TRIAL, cards) is over


@pytest.mark.parametrize("stage", [TRIAL, IDENTIFIED])
def test_a_negative_count_of_cards_is_refused(stage):
    with pytest.raises(ValueError):
        LIMITS.would_exceed(stage, -1)
    with pytest.raises(ValueError):
        LIMITS.is_over(stage, -1)


@pytest.mark.parametrize(
    "limits",
    [{DONE: 3}, {ESCALATED: 1}, {NOT_PURSUED: 1}, {TRIAL: 0}, {TRIAL: -2}, {TRIAL: True}, {TRIAL: 2.5}, {TRIAL: "3"}],
)
def test_only_open_stages_have_limits_and_a_limit_is_a_whole_number_of_at_least_one(limits):
    with pytest.raises(ValueError):
        WipLimits(limits)


def test_limits_are_equal_hashable_picklable_and_read_only():
    limits = WipLimits({"kokeilussa": 3, "kehittamisryhmalla": 5})
    assert limits == LIMITS
    assert hash(limits) == hash(LIMITS)
    assert pickle.loads(pickle.dumps(limits)) == limits
    with pytest.raises(TypeError):
        limits.limits[TRIAL] = 9
    with pytest.raises(FrozenInstanceError):
        limits.limits = {}


def test_limits_do_not_follow_later_changes_to_the_mapping_they_were_made_from():
    given = {TRIAL: 3}
    limits = WipLimits(given)
    given[TRIAL] = 9
    assert limits.limit(TRIAL) == 3


@pytest.mark.parametrize(
    ("text", "limits"),
    [
        ("", {}),
        ("   ", {}),
        ("kehittamisryhmalla=5, kokeilussa=3", {IN_GROUP: 5, TRIAL: 3}),
        ("kokeilussa=3,kehittamisryhmalla=5", {IN_GROUP: 5, TRIAL: 3}),
        ("  Kokeilussa =  1 ", {TRIAL: 1}),
        ("tunnistettu=20", {IDENTIFIED: 20}),
        ("kokeilussa=3,", {TRIAL: 3}),  # a trailing comma is harmless
        ("tunnistettu=20, kehittamisryhmalla=5, kokeilussa=3", {IDENTIFIED: 20, IN_GROUP: 5, TRIAL: 3}),
    ],
)
def test_a_limits_setting_lists_stage_equals_limit_separated_by_commas(text, limits):
    assert parse_wip_limits(text) == WipLimits(limits)


@pytest.mark.parametrize(
    ("text", "bad_part"),
    [
        ("kokeilu=3", "kokeilu=3"),
        ("kehittamisryhmalla=5, valmis=2", "valmis=2"),
        ("siirretty=1", "siirretty=1"),
        ("ei_edeta=1", "ei_edeta=1"),
        ("=3", "=3"),
        ("kokeilussa", "kokeilussa"),
        ("kokeilussa 3", "kokeilussa 3"),
        ("kokeilussa=", "kokeilussa="),
        ("kokeilussa=x", "kokeilussa=x"),
        ("kokeilussa=2.5", "kokeilussa=2.5"),
        ("kokeilussa=1_0", "kokeilussa=1_0"),
        ("kokeilussa=3=4", "kokeilussa=3=4"),
        ("kokeilussa=0", "kokeilussa=0"),
        ("kokeilussa=-1", "kokeilussa=-1"),
        ("kokeilussa=3, kehittamisryhmalla=5, kokeilussa=4", "kokeilussa=4"),
    ],
)
def test_a_bad_limits_setting_is_refused_naming_the_bad_part(text, bad_part):
    with pytest.raises(ValueError, match=f"'{bad_part}'"):
        parse_wip_limits(text)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("kokeilu=3", "not an open stage"),
        ("valmis=3", "not an open stage"),
        ("kokeilussa", "stage=limit"),
        ("kokeilussa=x", "not a whole number"),
        ("kokeilussa=0", "at least 1"),
        ("kokeilussa=1, kokeilussa=1", "twice"),
    ],
)
def test_a_bad_limits_setting_says_what_is_wrong(text, words):
    with pytest.raises(ValueError, match=words):
        parse_wip_limits(text)


# --- before and after development ---

MAY_4 = datetime(2026, 5, 4, 6, 0)
MAY_11 = datetime(2026, 5, 11, 6, 0)
JUNE_1 = datetime(2026, 6, 1, 6, 0)
JUNE_8 = datetime(2026, 6, 8, 6, 0)
JULY_6 = datetime(2026, 7, 6, 6, 0)


@pytest.mark.parametrize(
    ("history", "entered"),
    [
        ([], None),
        ([(MAY_4, IDENTIFIED)], None),
        ([(MAY_4, IDENTIFIED), (MAY_11, NOT_PURSUED)], None),
        ([(MAY_4, IDENTIFIED), (MAY_11, IN_GROUP)], MAY_11),
        # Out of order, and sent back to the group after a failed trial: the first entry counts.
        ([(JUNE_8, IN_GROUP), (MAY_4, IDENTIFIED), (JUNE_1, TRIAL), (MAY_11, IN_GROUP)], MAY_11),
        # Reopened after done: development began at the first entry, not the reopening.
        ([(JULY_6, IN_GROUP), (JUNE_1, DONE), (MAY_11, IN_GROUP), (MAY_4, IDENTIFIED)], MAY_11),
        ([(MAY_4, IN_GROUP)], MAY_4),  # made straight into the group
        (((MAY_4, "tunnistettu"), (MAY_11, "kehittamisryhmalla")), MAY_11),  # a tuple of stored values
    ],
)
def test_development_began_when_the_theme_first_entered_the_group(history, entered):
    assert entered_development(history) == entered
