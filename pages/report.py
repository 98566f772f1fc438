"""A monthly or quarterly report of a subtree that prints cleanly on A4: `/report?unit=CODE&kind=quarter&period=2026-Q4`."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from auth.access import AccessDenied
from auth.roles import Permission
from board.periods import helsinki_date
from data.db import session_scope
from data.rollup import Rollup, RollupNode, monthly_trend, report_items, rollup_around, rollup_roots
from data.units import UnknownUnit
from pages.ui import format as fmt
from pages.ui import rollup_charts as charts
from pages.ui.context import app_context
from pages.ui.language import current
from pages.ui.refusal import refuse
from pages.ui.rollup_selection import Selection, from_query, period_name
from pages.ui.rollup_table import change_text, display_rows, nps_text
from pages.ui.plain import inert
from pages.ui.texts import t

UI = Path(__file__).parent / "ui"
PRINT_WIDTH = 620  # px: fits an A4 page between its margins, so printing does not shrink the type
REPORT_COLUMNS = ("rollup.col.name", "rollup.col.n", "rollup.col.nps", "rollup.col.interval",
                  "rollup.col.vs_previous", "rollup.col.vs_year", "rollup.col.lowest", "rollup.col.in_time",
                  "rollup.col.overdue", "rollup.col.development", "rollup.col.actions")

context = app_context()
language = current()
now = context.now()
today = helsinki_date(now)


def _title(kind: str) -> str:
    return t({"month": "report.title_month", "quarter": "report.title_quarter"}.get(kind, "report.title_other"),
             language)


def _key_figures(result: Rollup, node: RollupNode) -> None:
    lowest = node.lowest_statement(result.min_n)
    nps_value = nps_text(node, language)
    if node.nps_shown is not None:
        lo, hi = node.nps.ci95
        nps_value += f" (n {fmt.number(node.nps.n, language=language)}, {fmt.number(lo, language=language)} … " \
                     f"{fmt.number(hi, language=language)})"
    rows = [
        (t("rollup.key.nps", language), nps_value),
        (t("rollup.col.vs_previous", language), change_text(node.vs_previous, language)),
        (t("rollup.col.vs_year", language), change_text(node.vs_year_ago, language)),
        (t("rollup.key.volume", language), fmt.number(node.current.volume, language=language)),
        (t("rollup.key.lowest", language), "–" if lowest is None else f"{fmt.number(lowest, 1, language)} %"),
        (t("rollup.key.in_time", language), t("rollup.key.in_time_value", language,
                                              in_time=fmt.number(node.replied_in_time, language=language),
                                              requested=fmt.number(node.replies_requested, language=language))),
        (t("rollup.key.median", language), "–" if node.median_reply_days is None else
         t("rollup.key.median_value", language, days=fmt.number(node.median_reply_days, 1, language))),
        (t("rollup.key.overdue", language), fmt.number(node.overdue, language=language)),
        (t("rollup.key.development", language), fmt.number(node.in_development, language=language)),
        (t("rollup.key.actions", language), fmt.number(node.actions_done, language=language)),
    ]
    with st.container(key="report-keys"):
        st.subheader(t("report.key_figures", language), anchor=False)
        st.table([{t("report.figure", language): name, t("report.value", language): value} for name, value in rows])


def _children(result: Rollup, node: RollupNode) -> None:
    children = result.children(node.code)
    if not children:
        return
    wanted = [t(key, language) for key in REPORT_COLUMNS]
    name = t("rollup.col.name", language)
    # st.table renders its cells as Markdown: the unit names are escaped, the figures are ours.
    rows = [{k: inert(row[k]) if k == name else row[k] for k in wanted}
            for row in display_rows(result, [node] + children, language=language)]
    with st.container(key="report-table"):
        st.subheader(t("report.children", language), anchor=False)
        st.table(rows)


def _charts(result: Rollup, node: RollupNode) -> None:
    with st.container(key="report-break"):
        st.subheader(t("report.charts", language), anchor=False)
    children = result.children(node.code)
    if children:
        st.markdown(f"**{t('rollup.chart.children', language)}**")
        st.altair_chart(charts.children_dots(children, language=language, width=PRINT_WIDTH), width="content", theme=None,
                        alt=t("rollup.chart.children_alt", language))
    with session_scope(context.engine) as session:
        months = monthly_trend(session, viewer=context.viewer, unit_code=node.code,
                               last_day=min(result.period.last, today), settings=context.settings)
    st.markdown(f"**{t('rollup.chart.trend', language, name=inert(node.name(language)))}**")
    st.altair_chart(charts.monthly_trend(months, language=language, width=PRINT_WIDTH), width="content",
                    theme=None, alt=t("rollup.chart.trend_alt", language))
    st.markdown(f"**{t('rollup.chart.statements', language)}**")
    st.altair_chart(charts.statement_profile(node, result.min_n, language=language, width=PRINT_WIDTH),
                    width="content", theme=None, alt=t("rollup.chart.statements_alt", language))
    st.markdown(f"**{t('rollup.chart.channels', language)}**")
    if node.by_channel:
        st.altair_chart(charts.channel_mix(node, language=language, width=PRINT_WIDTH), width="content",
                        theme=None, alt=t("rollup.chart.channels_alt", language))
    else:
        st.write(t("rollup.chart.no_data", language))


def _items(result: Rollup, node: RollupNode) -> None:
    with session_scope(context.engine) as session:
        items = report_items(session, viewer=context.viewer, unit_code=node.code, period=result.period)
    with st.container(key="report-break-items"):
        st.subheader(t("report.themes", language), anchor=False)
    if not items.themes:
        st.write(t("report.themes_none", language))
    st.markdown("\n".join(
        "- " + t("report.theme_item", language, title=inert(theme.title), unit=inert(theme.unit_name),
                 stage=t(f"stage.{theme.stage}", language)) for theme in items.themes))
    if items.themes_total > len(items.themes):
        st.caption(t("report.more_items", language, n=fmt.number(items.themes_total - len(items.themes), language=language)))
    st.subheader(t("report.actions", language), anchor=False)
    if not items.actions:
        st.write(t("report.actions_none", language))
    st.markdown("\n".join(
        "- " + t("report.action_item", language, day=fmt.day(action.taken_on, language),
                 theme=inert(action.theme_title), unit=inert(action.unit_name), text=inert(action.text))
        for action in items.actions))
    if items.actions_total > len(items.actions):
        st.caption(t("report.more_items", language, n=fmt.number(items.actions_total - len(items.actions), language=language)))


def _page() -> None:
    st.html(UI / "report.css")
    selection = from_query(today)
    if selection.refused:
        st.warning(t("rollup.bad_period", language, period=inert(selection.refused)))
    with session_scope(context.engine) as session:
        roots = rollup_roots(session, viewer=context.viewer)
    if not roots:
        refuse(context, AccessDenied(Permission.VIEW_ROLLUP, "/report"), t("rollup.no_scope", language))
        return
    code = selection.unit_code or roots[0].code
    try:
        with session_scope(context.engine) as session:
            result = rollup_around(session, viewer=context.viewer, unit_code=code, period=selection.period,
                                   kind=selection.kind, now=now, settings=context.settings)
    except UnknownUnit:
        st.info(t("rollup.unknown_unit", language, code=inert(code)))
        return
    except AccessDenied as denied:
        refuse(context, denied)
        return
    node = result.node(code)
    with st.container(key="report-noprint"):
        st.page_link("pages/rollup.py", label=t("report.back", language), icon=":material/arrow_back:",
                     query_params=Selection(code, selection.kind, selection.period).query())
        st.caption(t("report.print_hint", language))
    st.title(_title(selection.kind), anchor=False)
    st.markdown(t("report.subtitle", language, name=inert(node.name(language)),
                  period=period_name(selection.kind, selection.period, language), day=fmt.day(today, language)))
    st.caption(t("rollup.period_label", language, period=period_name(selection.kind, selection.period, language),
                 previous=period_name(selection.kind, result.previous, language),
                 year_ago=period_name(selection.kind, result.year_ago, language)))
    _key_figures(result, node)
    _children(result, node)
    st.markdown(t("rollup.legend.text", language, min_n=fmt.number(result.min_n, language=language),
                  days=fmt.number(result.reply_days, language=language)))
    _charts(result, node)
    _items(result, node)


if context.viewer is None:
    st.stop()
_page()
