"""The business clock: real by default, pinned by VARTTI_NOW in demo mode only (tests and demos of a day)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from data.settings import SettingsError, load_settings


@pytest.mark.parametrize(("value", "expected"), [
    ("2027-03-28T02:30", datetime(2027, 3, 28, 0, 30)),  # Helsinki wall time, before the spring change
    ("2027-10-31T03:30", datetime(2027, 10, 31, 0, 30)),  # the repeated hour: its first pass
    ("2027-12-06T00:30+02:00", datetime(2027, 12, 5, 22, 30)),
    ("2028-02-29T10:00:00+00:00", datetime(2028, 2, 29, 10, 0)),
])
def test_vartti_now_pins_the_clock_in_demo_mode(value, expected):
    settings = load_settings({"VARTTI_DEMO": "1", "VARTTI_NOW": value})
    assert settings.now() == expected == settings.now()


def test_without_vartti_now_the_clock_is_the_real_one():
    before = datetime.now(timezone.utc).replace(tzinfo=None)
    now = load_settings({"VARTTI_DEMO": "1"}).now()
    assert before <= now <= datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(seconds=1)


def test_a_production_server_refuses_a_pinned_clock():
    with pytest.raises(SettingsError, match="VARTTI_NOW.*VARTTI_DEMO=1"):
        load_settings({"VARTTI_NOW": "2027-01-01T09:00"})


def test_a_pinned_clock_that_is_no_time_is_named():
    with pytest.raises(SettingsError, match="VARTTI_NOW must be an ISO 8601 time"):
        load_settings({"VARTTI_DEMO": "1", "VARTTI_NOW": "huomenna"})
