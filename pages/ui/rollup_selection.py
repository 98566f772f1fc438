"""Which node and period the roll-up and the report show, read from the link (`?unit=…&kind=…&period=…`)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import streamlit as st

from board.periods import PERIOD_KINDS, Period, calendar_period, iso_week_of, parse_period_key, period_key, quarter_of
from board.report_periods import is_whole, last_complete, up_to
from pages.ui import format as fmt
from pages.ui.texts import t

DEFAULT_KIND = "quarter"
CUSTOM_DEFAULT_DAYS = 90
# A period from a link must lie in these years: the comparison periods (the one before, a year earlier)
# of anything wider would leave the calendar and crash (OverflowError).
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)


@dataclass(frozen=True)
class Selection:
    unit_code: str | None
    kind: str
    period: Period
    refused: str | None = None  # the link's period when it could not be shown

    def query(self) -> dict[str, str]:
        """The link's query for this selection."""
        query = {"kind": self.kind, "period": period_key(self.kind, self.period)}
        if self.unit_code:
            query["unit"] = self.unit_code
        return query


def default_period(kind: str, today: date) -> Period:
    """The last complete calendar period of a kind (report18); a custom range defaults to the last 90 days."""
    if kind == "custom":
        return Period(today - timedelta(days=CUSTOM_DEFAULT_DAYS - 1), today)
    return last_complete(kind, today)


def from_query(today: date) -> Selection:
    """The selection in the link; a missing or unreadable part falls back to the last complete quarter.

    A period that has not ended is cut at today: the running period's days so far."""
    kind = st.query_params.get("kind") or DEFAULT_KIND
    if kind not in PERIOD_KINDS:
        kind = DEFAULT_KIND
    asked = (st.query_params.get("period") or "").strip()
    refused = None
    try:
        period = up_to(parse_period_key(kind, asked), today)
        if period.first < FIRST_DAY or period.last > LAST_DAY:
            raise ValueError(f"period {asked!r} is outside {FIRST_DAY.year}–{LAST_DAY.year}")
    except (ValueError, OverflowError):
        period = default_period(kind, today)
        refused = asked or None
    unit = (st.query_params.get("unit") or "").strip() or None
    return Selection(unit, kind, period, refused)


def short_range(period: Period, language: str) -> str:
    """Days of one year without the year: 1.–2.12. or 1.10.–2.12. (English 1/12–2/12)."""
    first, last = period.first, period.last
    if language == "en":
        return f"{first.day}/{first.month}–{last.day}/{last.month}"
    if first.month == last.month:
        return f"{first.day}.–{last.day}.{last.month}."
    return f"{first.day}.{first.month}.–{last.day}.{last.month}."


def shown_name(kind: str, period: Period, language: str) -> str:
    """The name of the period shown: a running one says it is incomplete, "12/2026 (1.–2.12., kesken)"."""
    if is_whole(period, kind):
        return period_name(kind, period, language)
    whole = calendar_period(kind, period.first)
    return t("rollup.running", language, name=period_name(kind, whole, language), days=short_range(period, language))


def comparison_label(kind: str, period: Period, previous: Period, year_ago: Period, language: str) -> str:
    """What the figures are compared with; a year has one comparison, named once."""
    if kind == "year" and previous == year_ago:
        return t("rollup.period_label_year", language, period=shown_name(kind, period, language),
                 previous=period_name(kind, previous, language))
    return t("rollup.period_label", language, period=shown_name(kind, period, language),
             previous=period_name(kind, previous, language), year_ago=period_name(kind, year_ago, language))


def period_name(kind: str, period: Period, language: str) -> str:
    """A period as a reader names it: vko 47/2026, 11/2026, Q4/2026, 2026, or 1.10.2026–31.12.2026.

    Part of a calendar period (the same days as a running one) is named by its days: 1.11.2026–2.11.2026."""
    if kind != "custom" and not is_whole(period, kind):
        kind = "custom"
    if kind == "week":
        week = iso_week_of(period.first)
        return t("rollup.week_label", language, week=week.week, year=week.year)
    if kind == "month":
        return f"{period.first.month}/{period.first.year}"
    if kind == "quarter":
        return t("rollup.quarter_label", language, quarter=quarter_of(period.first), year=period.first.year)
    if kind == "year":
        return str(period.first.year)
    return f"{fmt.day(period.first, language)}–{fmt.day(period.last, language)}"
