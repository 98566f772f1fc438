"""The director's roll-up: `/rollup?unit=CODE&kind=quarter&period=2026-Q4`."""
from __future__ import annotations


import streamlit as st

from auth.access import AccessDenied
from auth.roles import Permission
from board.periods import PERIOD_KINDS, Period, helsinki_date, period_key, recent_periods
from board.report_periods import up_to
from board.significance import Difference
from data.db import session_scope
from data.rollup import Rollup, RollupNode, monthly_trend, rollup_around, rollup_roots
from data.units import UnknownUnit
from pages.ui import format as fmt
from pages.ui import rollup_charts as charts
from pages.ui.context import app_context
from pages.ui.language import current
from pages.ui.refusal import refuse
from pages.ui.rollup_drill import drill_through
from pages.ui.rollup_topics import topics_table
from pages.ui.rollup_selection import Selection, comparison_label, default_period, from_query, shown_name
from pages.ui.rollup_table import (NAME_COLUMN, change_text, display_rows, in_time_text, lowest_statement_name,
                                   nps_text, to_csv, to_xlsx)
from pages.ui.plain import inert
from pages.ui.texts import t
from pages.ui.relabel import relabelled

RECENT = {"week": 26, "month": 24, "quarter": 12, "year": 6}
SORTS = ("tree", "nps", "statement", "overdue", "volume")

context = app_context()
language = current()
now = context.now()
today = helsinki_date(now)


def _choose_period(selection: Selection) -> tuple[str, Period]:
    kind_column, period_column = st.columns([3, 2], vertical_alignment="bottom")
    with kind_column:
        kind = st.segmented_control(t("rollup.kind", language), PERIOD_KINDS, default=selection.kind,
                                    format_func=lambda k: t(f"rollup.kind.{k}", language), key=relabelled("rollup-kind"),
                                    required=True)
    kind = kind or selection.kind
    with period_column:
        if kind == "custom":
            chosen = selection.period if selection.kind == "custom" else default_period("custom", today)
            picked = st.date_input(t("rollup.custom_range", language), value=(chosen.first, chosen.last),
                                   format="DD.MM.YYYY", key="rollup-custom")
            if isinstance(picked, (tuple, list)) and len(picked) == 2:
                return kind, Period(picked[0], picked[1])
            return kind, chosen
        # The running period is listed first, cut at today; the default is the last complete one.
        options = [up_to(p, today) for p in recent_periods(kind, today, RECENT[kind])]
        if selection.kind == kind and selection.period not in options:
            options.append(selection.period)
        wanted = selection.period if selection.kind == kind else default_period(kind, today)
        index = options.index(wanted) if wanted in options else 0
        period = st.selectbox(t("rollup.period", language), options, index=index,
                              format_func=lambda p: shown_name(kind, p, language, today), key=relabelled(f"rollup-period-{kind}"))
    return kind, period


def _go(unit_code: str) -> None:
    st.query_params["unit"] = unit_code


def _drill(key: str) -> None:
    chosen = st.session_state.get(key)
    st.session_state[key] = None
    if chosen:
        _go(chosen)


def _path(result: Rollup, focus: RollupNode) -> None:
    path = result.path_to(focus.code)
    columns = st.columns(len(path) + 1, gap="small")
    for column, node in zip(columns, path):
        with column:
            if node.code == focus.code:
                st.markdown(f"**{inert(node.name(language))}**")
            else:
                st.button(inert(node.name(language)), key=f"rollup-up-{node.code}", on_click=_go, args=(node.code,),
                          type="tertiary", icon=":material/arrow_upward:")


def _delta(difference: Difference | None) -> dict:
    if difference is None:
        return {}
    style = ({"delta_color": "normal"} if difference.significant
             else {"delta_color": "gray", "delta_arrow": "off"})
    return {"delta": t("rollup.change.previous", language, change=change_text(difference, language)), **style}


def _key_figures(result: Rollup, node: RollupNode) -> None:
    first = st.columns(4)
    help_text = None
    if node.nps_shown is not None:
        lo, hi = node.nps.ci95
        help_text = t("rollup.key.nps_help", language, n=fmt.number(node.nps.n, language=language),
                      lo=fmt.number(lo, language=language), hi=fmt.number(hi, language=language))
    first[0].metric(t("rollup.key.nps", language), nps_text(node, language), help=help_text,
                    **_delta(node.vs_previous))
    first[1].metric(t("rollup.key.volume", language), fmt.number(node.current.volume, language=language))
    lowest = node.lowest_statement(result.min_n)
    first[2].metric(t("rollup.key.lowest", language), "–" if lowest is None else f"{fmt.number(lowest, 1, language)} %")
    if lowest is not None:
        first[2].caption(lowest_statement_name(node, result.min_n, language))
    first[3].metric(t("rollup.key.in_time", language), in_time_text(node, language),
                    help=t("rollup.key.in_time_help", language, days=fmt.number(result.reply_days, language=language)))
    first[3].caption(t("rollup.key.not_yet_due", language,
                       n=fmt.number(node.replies_not_yet_due, language=language)))
    second = st.columns(4)
    second[0].metric(t("rollup.key.overdue", language), fmt.number(node.overdue, language=language))
    second[1].metric(t("rollup.key.median", language), "–" if node.median_reply_days is None else
                     t("rollup.key.median_value", language, days=fmt.number(node.median_reply_days, 1, language)))
    second[2].metric(t("rollup.key.development", language), fmt.number(node.in_development, language=language))
    second[3].metric(t("rollup.key.actions", language), fmt.number(node.actions_done, language=language))


def _sorted(result: Rollup, nodes: list[RollupNode], sort: str) -> list[RollupNode]:
    last = float("inf")
    keys = {
        "nps": lambda n: n.nps_shown if n.nps_shown is not None else last,
        "statement": lambda n: n.lowest_statement(result.min_n) if n.lowest_statement(result.min_n) is not None
        else last,
        "overdue": lambda n: -n.overdue,
        "volume": lambda n: -n.current.volume,
    }
    return nodes if sort == "tree" else sorted(nodes, key=keys[sort])


def _table(result: Rollup, focus: RollupNode) -> None:
    st.subheader(t("rollup.table.title", language), anchor=False)
    if not focus.children:
        st.dataframe(display_rows(result, [focus], language=language), hide_index=True, key="rollup-table")
        return
    sort_column, overdue_column, tree_column = st.columns([2, 2, 2], vertical_alignment="bottom")
    sort = sort_column.selectbox(t("rollup.table.sort", language), SORTS,
                                 format_func=lambda s: t(f"rollup.sort.{s}", language), key=relabelled("rollup-sort"))
    only_overdue = overdue_column.checkbox(t("rollup.filter.overdue", language), key="rollup-overdue")
    whole_tree = tree_column.toggle(t("rollup.filter.whole_tree", language), key="rollup-tree")
    nodes = result.subtree(focus.code)[1:] if whole_tree else result.children(focus.code)
    if only_overdue:
        nodes = [n for n in nodes if n.overdue > 0]
    nodes = _sorted(result, nodes, sort)
    if not nodes:
        st.write(t("rollup.table.empty", language))
        return
    # The whole tree names each row's level and code; the name column is wide so names are not cut.
    st.dataframe(display_rows(result, [focus] + nodes, language=language, indent=whole_tree and sort == "tree",
                              codes=True, levels=whole_tree),
                 hide_index=True, key="rollup-table",
                 column_config={t(NAME_COLUMN, language): st.column_config.TextColumn(width="large")})


def _charts(result: Rollup, focus: RollupNode) -> None:
    st.subheader(t("rollup.charts.title", language), anchor=False)
    left, right = st.columns(2)
    children = result.children(focus.code)
    with left:
        if children:
            st.markdown(f"**{t('rollup.chart.children', language)}**")
            st.altair_chart(charts.children_dots(children, language=language), width="stretch", theme=None,
                            alt=t("rollup.chart.children_alt", language))
            hidden = [c.name(language) for c in children if c.nps_shown is None and c.nps.n]
            if hidden:
                st.caption(t("rollup.chart.hidden", language, names=inert(", ".join(hidden))))
        st.markdown(f"**{t('rollup.chart.statements', language)}**")
        st.altair_chart(charts.statement_profile(focus, result.min_n, language=language), width="stretch",
                        theme=None, alt=t("rollup.chart.statements_alt", language))
    with right:
        with session_scope(context.engine) as session:
            months = monthly_trend(session, viewer=context.viewer, unit_code=focus.code,
                                   last_day=min(result.period.last, today), settings=context.settings)
        st.markdown(f"**{t('rollup.chart.trend', language, name=inert(focus.name(language)))}**")
        st.altair_chart(charts.monthly_trend(months, language=language), width="stretch", theme=None,
                        alt=t("rollup.chart.trend_alt", language))
        st.markdown(f"**{t('rollup.chart.channels', language)}**")
        if focus.by_channel:
            st.altair_chart(charts.channel_mix(focus, language=language), width="stretch", theme=None,
                            alt=t("rollup.chart.channels_alt", language))
        else:
            st.write(t("rollup.chart.no_data", language))


def _exports(result: Rollup, focus: RollupNode, selection: Selection) -> None:
    st.subheader(t("rollup.export.title", language), anchor=False)
    name = f"vartti_{focus.code}_{period_key(result.kind, result.period)}".replace("..", "_")
    xlsx, csv_file, report = st.columns(3)
    xlsx.download_button(t("rollup.export.xlsx", language), to_xlsx(result, language=language, root=focus.code),
                         file_name=f"{name}.xlsx", icon=":material/download:", on_click="ignore",
                         mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    csv_file.download_button(t("rollup.export.csv", language), to_csv(result, language=language, root=focus.code),
                             file_name=f"{name}.csv", mime="text/csv", icon=":material/download:", on_click="ignore")
    report.page_link("pages/report.py", label=t("rollup.export.report", language), icon=":material/print:",
                     query_params=selection.query())


def _legend(result: Rollup) -> None:
    with st.container(key="rollup-legend", border=True):
        st.markdown(f"**{t('rollup.legend.title', language)}**")
        st.markdown(t("rollup.legend.text", language, min_n=fmt.number(result.min_n, language=language),
                  days=fmt.number(result.reply_days, language=language)))
        st.markdown(t("rollup.legend.huddles", language))


def _page() -> None:
    st.title(t("rollup.title", language), anchor=False)
    st.caption(t("rollup.intro", language))
    selection = from_query(today)
    if selection.refused:
        st.warning(t("rollup.bad_period", language, period=inert(selection.refused)))
    with session_scope(context.engine) as session:
        roots = rollup_roots(session, viewer=context.viewer)
    if not roots:
        refuse(context, AccessDenied(Permission.VIEW_ROLLUP, "/rollup"), t("rollup.no_scope", language))
        return
    kind, period = _choose_period(selection)
    focus_code = selection.unit_code or roots[0].code
    try:
        with session_scope(context.engine) as session:
            result = rollup_around(session, viewer=context.viewer, unit_code=focus_code, period=period, kind=kind,
                                   now=now, settings=context.settings)
    except UnknownUnit:
        st.info(t("rollup.unknown_unit", language, code=inert(focus_code)))
        focus_code = roots[0].code
        with session_scope(context.engine) as session:
            result = rollup_around(session, viewer=context.viewer, unit_code=focus_code, period=period, kind=kind,
                                   now=now, settings=context.settings)
    except AccessDenied as denied:
        refuse(context, denied)
        return
    selection = Selection(focus_code, kind, period)
    st.query_params.from_dict(selection.query())
    focus = result.node(focus_code)
    st.caption(comparison_label(kind, period, result.previous, result.year_ago, language, today))
    _path(result, focus)
    st.header(f"{inert(focus.name(language))} · {t(f'rollup.level.{focus.level}', language)}", anchor=False)
    _key_figures(result, focus)
    if focus.children:
        st.pills(t("rollup.children", language), list(focus.children), selection_mode="single",
                 format_func=lambda code: inert(result.node(code).name(language)), key=f"rollup-drill-{focus.code}",
                 on_change=_drill, args=(f"rollup-drill-{focus.code}",))
    drill_through(context, result, focus, language=language)
    _table(result, focus)
    _charts(result, focus)
    topics_table(context, result, focus, language=language)
    _legend(result)
    _exports(result, focus, selection)


if context.viewer is None:
    st.stop()
_page()
