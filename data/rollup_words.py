"""The roll-up's figures in words, in a given language: changes, NPS, reply rates, the rows of the table, the
names of periods. Shared by the pages (/rollup, /report) and the report's PDF of the command line."""
from __future__ import annotations

from datetime import date

from board.likert import STATEMENT_KEYS
from board.periods import Period, calendar_period, iso_week_of, quarter_of
from board.report_periods import CALENDAR_KINDS, is_whole
from board.significance import Difference
from data import texts as fmt
from data.rollup import Rollup, RollupNode
from data.texts import t


def change_text(difference: Difference | None, language: str = "fi") -> str:
    """A change in points; a real one (interval excludes zero) gets ▲ or ▼, the rest stay plain."""
    if difference is None:
        return "–"
    shown = fmt.signed(difference.change, 1, language)
    if not difference.significant:
        return shown
    return t("rollup.change.real" if difference.change > 0 else "rollup.change.real_down", language, change=shown)


def nps_text(node: RollupNode, language: str = "fi") -> str:
    """NPS with one decimal, or "* (n 3)" when hidden."""
    if node.nps_shown is None:
        return t("rollup.key.hidden", language, n=fmt.number(node.nps.n, language=language))
    return fmt.number(node.nps.score, 1, language)


def interval_text(node: RollupNode, language: str = "fi") -> str:
    if node.nps_shown is None:
        return ""
    lo, hi = node.nps.ci95
    return f"{fmt.number(lo, 0, language)} … {fmt.number(hi, 0, language)}"


def _pct(value: float | None, language: str) -> str:
    return "–" if value is None else f"{fmt.number(value, 1, language)} %"


def lowest_statement_key(node: RollupNode, min_n: int) -> str | None:
    """The statement with the lowest share agreeing that may be shown (the first of equals), None when none may."""
    shown = [(value, i, key) for i, key in enumerate(STATEMENT_KEYS)
             if (value := node.agree_shown(key, min_n)) is not None]
    return min(shown)[2] if shown else None


def lowest_statement_name(node: RollupNode, min_n: int, language: str = "fi") -> str:
    """The name of the lowest statement ("Tiedonsaanti"), or "" when none may be shown."""
    key = lowest_statement_key(node, min_n)
    return "" if key is None else t(f"inbox.statement.{key}", language)


def _lowest_text(node: RollupNode, min_n: int, language: str) -> str:
    value = node.lowest_statement(min_n)
    if value is None:
        return "–"
    return f"{_pct(value, language)} · {lowest_statement_name(node, min_n, language)}"


def in_time_text(node: RollupNode, language: str = "fi") -> str:
    """Answered in time of the requests already due: "8 / 10"; the not-yet-due are not in it."""
    return t("rollup.key.in_time_value", language, in_time=fmt.number(node.replies_due_in_time, language=language),
             requested=fmt.number(node.replies_due, language=language))


def huddles_text(node: RollupNode, language: str = "fi") -> str:
    """Working days with a huddle over the working days so far, summed over the node's boards: "12 / 20"."""
    if not node.huddle_days:
        return "–"
    return t("rollup.huddles_value", language, held=fmt.number(node.huddles_held, language=language),
             days=fmt.number(node.huddle_days, language=language))


def display_rows(rollup: Rollup, nodes: list[RollupNode], *, language: str = "fi", indent: bool = False,
                 codes: bool = False, levels: bool = False) -> list[dict]:
    """One formatted row per node for st.dataframe and st.table; names indented by depth in a whole-tree view,
    with the unit code and the level when asked; a year's table has one comparison column, not two equal ones."""
    base_depth = min((node.depth for node in nodes), default=0)
    rows = []
    for node in nodes:
        pad = "\u2003" * (node.depth - base_depth) if indent else ""
        row = {}
        if levels:
            row[t("rollup.col.level", language)] = t(f"rollup.level.{node.level}", language)
        if codes:
            row[t("rollup.col.code", language)] = node.code
        rows.append(row)
        row.update({
            t("rollup.col.name", language): pad + node.name(language),
            t("rollup.col.n", language): fmt.number(node.nps.n, language=language),
            t("rollup.col.nps", language): nps_text(node, language),
            t("rollup.col.interval", language): interval_text(node, language),
            t("rollup.col.vs_previous", language): change_text(node.vs_previous, language),
            t("rollup.col.vs_year", language): change_text(node.vs_year_ago, language),
            t("rollup.col.volume", language): fmt.number(node.current.volume, language=language),
            t("rollup.col.lowest", language): _lowest_text(node, rollup.min_n, language),
            t("rollup.col.requested", language): fmt.number(node.replies_requested, language=language),
            t("rollup.col.in_time_due", language): in_time_text(node, language),
            t("rollup.col.not_yet_due", language): fmt.number(node.replies_not_yet_due, language=language),
            t("rollup.col.overdue", language): fmt.number(node.overdue, language=language),
            t("rollup.col.median", language): "–" if node.median_reply_days is None
            else fmt.number(node.median_reply_days, 1, language),
            t("rollup.col.development", language): fmt.number(node.in_development, language=language),
            t("rollup.col.actions", language): fmt.number(node.actions_done, language=language),
            t("rollup.col.huddles", language): huddles_text(node, language),
        })
        if rollup.kind == "year":
            row.pop(t("rollup.col.vs_year", language))
    return rows




def short_range(period: Period, language: str) -> str:
    """Days of one year without the year: 1.–2.12. or 1.10.–2.12. (English 1/12–2/12)."""
    first, last = period.first, period.last
    if language == "en":
        return f"{first.day}/{first.month}–{last.day}/{last.month}"
    if first.month == last.month:
        return f"{first.day}.–{last.day}.{last.month}."
    return f"{first.day}.{first.month}.–{last.day}.{last.month}."


def shown_name(kind: str, period: Period, language: str, today: date) -> str:
    """The name of the period shown: a running one (today in it, its last day included) says it is incomplete,
    "12/2026 (1.–2.12., kesken)"."""
    running = kind in CALENDAR_KINDS and period.first <= today <= period.last
    if is_whole(period, kind) and not running:
        return period_name(kind, period, language)
    whole = calendar_period(kind, period.first)
    return t("rollup.running", language, name=period_name(kind, whole, language), days=short_range(period, language))


def comparison_label(kind: str, period: Period, previous: Period, year_ago: Period, language: str,
                     today: date) -> str:
    """What the figures are compared with; a year has one comparison, named once."""
    if kind == "year" and previous == year_ago:
        return t("rollup.period_label_year", language, period=shown_name(kind, period, language, today),
                 previous=period_name(kind, previous, language))
    return t("rollup.period_label", language, period=shown_name(kind, period, language, today),
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
