"""The public figures keep the small-number rule when a closed unit's answers still count in its area's total."""
from __future__ import annotations

from datetime import datetime

import pytest

from board.quarters import Quarter
from data.organisation import unit_by_code
from data.public import public_figures
from tests.factories import add_feedback, make_tree

NOW = datetime(2026, 11, 20, 10, 0)
Q4 = Quarter(2026, 4)


def _answers(session, unit, count, *, nps=9, saatavuus=None):
    for _ in range(count):
        add_feedback(session, unit, datetime(2026, 11, 3, 9), nps=nps, saatavuus=saatavuus)


def _close(session, code):
    # What `python -m data units` does to a unit missing from the file: marked inactive, never deleted.
    unit = unit_by_code(session, code)
    unit.active = False
    session.add(unit)
    session.flush()


def _shown(rows):
    return {row.place.code: row.quarters[0].nps for row in rows}


@pytest.mark.parametrize(("closed_n", "figure"), [(3, "nps"), (2, "saatavuus")])
def test_a_closed_units_few_answers_cannot_be_derived_from_the_area_total(session, closed_n, figure):
    make_tree(session, NOW)
    _answers(session, "U1", 20, saatavuus=5)
    _answers(session, "U2", closed_n, nps=0, saatavuus=1)
    _close(session, "U2")
    area, units = public_figures(session, language="fi", quarters=[Q4], min_n=5, area_code="A")
    assert area.quarters[0].n_nps == 20 + closed_n
    # Before: U1 was shown with its n, and the area minus U1 gave the closed unit's figures away.
    assert [row.place.code for row in units] == ["U1"]
    if figure == "nps":
        assert units[0].quarters[0].nps is None and units[0].quarters[0].nps_hidden
    else:
        assert units[0].quarters[0].agree_pct["saatavuus"] is None


def test_a_closed_unit_with_enough_answers_hides_nothing(session):
    make_tree(session, NOW)
    _answers(session, "U1", 20)
    _answers(session, "U2", 7, nps=0)
    _close(session, "U2")
    _, units = public_figures(session, language="fi", quarters=[Q4], min_n=5, area_code="A")
    assert _shown(units) == {"U1": 100.0}


def test_a_closed_area_counts_in_the_county_total_and_hides_the_smallest_open_area(session):
    make_tree(session, NOW)
    _answers(session, "U1", 30)
    _answers(session, "U3", 2, nps=0)
    _close(session, "B")
    _close(session, "U3")
    county, areas = public_figures(session, language="fi", quarters=[Q4], min_n=5)
    assert county.quarters[0].n_nps == 32
    assert _shown(areas) == {"A": None}
