from datetime import datetime

import pytest

from board.stages import EXITS, FLOW, IN_DEVELOPMENT, Stage, days_in_stage


@pytest.mark.parametrize(
    ("stage", "stored"),
    [
        (Stage.IDENTIFIED, "tunnistettu"),
        (Stage.IN_GROUP, "kehittamisryhmalla"),
        (Stage.TRIAL, "kokeilussa"),
        (Stage.DONE, "valmis"),
        (Stage.ESCALATED, "siirretty"),
        (Stage.NOT_PURSUED, "ei_edeta"),
    ],
)
def test_a_stage_is_stored_as_its_finnish_value(stage, stored):
    assert stage == stored
    assert Stage(stored) is stage
    assert str(stage) == stored


def test_a_theme_flows_from_identified_to_done():
    assert FLOW == (Stage.IDENTIFIED, Stage.IN_GROUP, Stage.TRIAL, Stage.DONE)


def test_a_theme_can_leave_the_flow_by_escalation_or_by_not_being_pursued():
    assert EXITS == (Stage.ESCALATED, Stage.NOT_PURSUED)


def test_every_stage_is_either_in_the_flow_or_an_exit_exactly_once():
    assert sorted(FLOW + EXITS) == sorted(Stage)
    assert len(set(FLOW + EXITS)) == len(Stage)


def test_in_development_means_strictly_between_identified_and_done():
    assert IN_DEVELOPMENT == FLOW[FLOW.index(Stage.IDENTIFIED) + 1 : FLOW.index(Stage.DONE)]
    assert IN_DEVELOPMENT == (Stage.IN_GROUP, Stage.TRIAL)


@pytest.mark.parametrize(
    ("since", "now", "days"),
    [
        (datetime(2026, 5, 4, 6, 0), datetime(2026, 5, 4, 20, 59), 0),  # 09:00 to 23:59 EEST
        (datetime(2026, 5, 4, 20, 59), datetime(2026, 5, 4, 21, 0), 1),  # 23:59 to 00:00: a new day
        (datetime(2026, 5, 4, 6, 0), datetime(2026, 5, 11, 6, 0), 7),
        (datetime(2026, 1, 14, 22, 0), datetime(2026, 1, 15, 21, 59), 0),  # 00:00 to 23:59 EET
        (datetime(2025, 12, 31, 21, 59), datetime(2025, 12, 31, 22, 0), 1),  # New Year in Helsinki
        (datetime(2026, 3, 28, 22, 0), datetime(2026, 3, 29, 20, 59), 0),  # the 23-hour day
        (datetime(2026, 3, 28, 22, 0), datetime(2026, 3, 29, 21, 0), 1),
        (datetime(2026, 10, 24, 21, 0), datetime(2026, 10, 25, 21, 59), 0),  # the 25-hour day
        (datetime(2026, 10, 24, 21, 0), datetime(2026, 10, 25, 22, 0), 1),
        (datetime(2026, 3, 1, 10, 0), datetime(2026, 11, 1, 10, 0), 245),
        (datetime(2026, 5, 4, 12, 0), datetime(2026, 5, 4, 11, 0), 0),  # clock skew between servers
    ],
)
def test_days_in_stage_counts_helsinki_calendar_days(since, now, days):
    assert days_in_stage(since, now) == days
