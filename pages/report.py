"""A monthly or quarterly report of a subtree that prints cleanly on A4: `/report?unit=CODE&kind=quarter&period=2026-Q4`."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from auth.access import AccessDenied
from auth.roles import Permission
from board.periods import helsinki_date
from data.db import session_scope
from board.periods import period_key
from data.editing import StaleEdit
from data.report import COMMENT_MOST, CommentTooLong, Report, build_report, save_report_comment
from data.rollup import Rollup, RollupNode, monthly_trend, rollup_roots
from data.units import UnknownUnit
from data import report_html as report_view
from data.css_text import style_element
from pages.ui import format as fmt
from pages.ui import rollup_charts as charts
from pages.ui.context import app_context
from pages.ui.language import current
from pages.ui.refusal import refuse
from pages.ui.rollup_selection import Selection, comparison_label, from_query, shown_name
from pages.ui.plain import inert, show
from pages.ui.texts import t

UI = Path(__file__).parent / "ui"
PRINT_WIDTH = 620  # px: fits an A4 page between its margins, so printing does not shrink the type

context = app_context()
language = current()
now = context.now()
today = helsinki_date(now)


def _key_figures(report: Report) -> None:
    rows = [(name, value) for name, value in report_view.key_rows(report, language)]
    with st.container(key="report-keys"):
        st.subheader(t("report.key_figures", language), anchor=False)
        # st.table renders cells as Markdown: the lowest statement's name and the figures are ours.
        st.table([{t("report.figure", language): name, t("report.value", language): value} for name, value in rows])


def _children(report: Report) -> None:
    rows = report_view.child_rows(report, language)
    if not rows:
        return
    name = t("rollup.col.name", language)
    with st.container(key="report-table"):
        st.subheader(t("report.children", language), anchor=False)
        st.table([{k: inert(v) if k == name else v for k, v in row.items()} for row in rows])


def _comment(report: Report, selection: Selection, code: str) -> None:
    """The director's comment: shown in print when written; edited on screen only (no empty box on paper)."""
    comment = report.comment
    if comment is not None and comment.text:
        with st.container(key="report-comment", border=True):
            st.markdown(f"**{t('report.comment.title', language)}**")
            show(comment.text)
    with st.container(key="report-noprint-comment"):
        with st.form("report-comment-form", border=False):
            text = st.text_area(t("report.comment.label", language), value=comment.text if comment else "",
                                max_chars=COMMENT_MOST, key=f"report-comment-{code}-{selection.kind}")
            if st.form_submit_button(t("report.comment.save", language), icon=":material/save:"):
                try:
                    with session_scope(context.engine, write=True) as session:
                        save_report_comment(session, viewer=context.viewer, unit_code=code, kind=selection.kind,
                                            period=selection.period, text=text,
                                            seen_version=comment.version if comment else None, now=now)
                except StaleEdit:
                    st.warning(t("report.comment.stale", language))
                    return
                except CommentTooLong:
                    st.warning(t("report.comment.too_long", language, most=fmt.number(COMMENT_MOST, language=language)))
                    return
                st.toast(t("report.comment.saved", language))
                st.rerun()


def _charts(result: Rollup, node: RollupNode) -> None:
    with st.container(key="report-break"):
        st.subheader(t("report.charts", language), anchor=False)
    # Each chart in a box with its heading, which the print keeps on one page (no heading left at a page's foot).
    children = result.children(node.code)
    if children:
        with st.container(key="report-chart-children"):
            st.markdown(f"**{t('rollup.chart.children', language)}**")
            st.altair_chart(charts.children_dots(children, language=language, width=PRINT_WIDTH), width="content",
                            theme=None, alt=t("rollup.chart.children_alt", language))
    with session_scope(context.engine) as session:
        months = monthly_trend(session, viewer=context.viewer, unit_code=node.code,
                               last_day=min(result.period.last, today), settings=context.settings)
    with st.container(key="report-chart-trend"):
        st.markdown(f"**{t('rollup.chart.trend', language, name=inert(node.name(language)))}**")
        st.altair_chart(charts.monthly_trend(months, language=language, width=PRINT_WIDTH), width="content",
                        theme=None, alt=t("rollup.chart.trend_alt", language))
    with st.container(key="report-chart-statements"):
        st.markdown(f"**{t('rollup.chart.statements', language)}**")
        st.altair_chart(charts.statement_profile(node, result.min_n, language=language, width=PRINT_WIDTH),
                        width="content", theme=None, alt=t("rollup.chart.statements_alt", language))
    with st.container(key="report-chart-channels"):
        st.markdown(f"**{t('rollup.chart.channels', language)}**")
        if node.by_channel:
            st.altair_chart(charts.channel_mix(node, language=language, width=PRINT_WIDTH), width="content",
                            theme=None, alt=t("rollup.chart.channels_alt", language))
        else:
            st.write(t("rollup.chart.no_data", language))


def _items(report: Report) -> None:
    """The full lists: every theme in development and every action of the period."""
    with st.container(key="report-break-items"):
        st.subheader(t("report.themes", language), anchor=False)
    st.markdown("\n".join(
        "- " + t("report.theme_item", language, title=inert(theme.title), unit=inert(theme.unit_name),
                 stage=t(f"stage.{theme.stage}", language)) for theme in report.themes)
        or t("report.themes_none", language))
    st.subheader(t("report.actions", language), anchor=False)
    st.markdown("\n".join(
        "- " + t("report.action_item", language, day=fmt.day(action.taken_on, language),
                 theme=inert(action.theme_title), unit=inert(action.unit_name), text=inert(action.text))
        for action in report.actions) or t("report.actions_none", language))


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
            report = build_report(session, viewer=context.viewer, unit_code=code, kind=selection.kind,
                                  period=selection.period, now=now, today=today, settings=context.settings)
    except UnknownUnit:
        st.info(t("rollup.unknown_unit", language, code=inert(code)))
        return
    except AccessDenied as denied:
        refuse(context, denied)
        return
    result, node = report.rollup, report.node
    # The footer of every printed page is a margin box of @page: its names are CSS strings that escape every
    # character but letters and digits (data/css_text.py), so no unit name can end the string or the style.
    st.html(style_element(report_view.footer_css(report, language, today)))
    with st.container(key="report-noprint"):
        st.page_link("pages/rollup.py", label=t("report.back", language), icon=":material/arrow_back:",
                     query_params=Selection(code, selection.kind, selection.period).query())
        st.caption(t("report.print_hint", language))
        if selection.kind in ("month", "quarter", "year"):
            name = f"vartti_{code}_{period_key(selection.kind, selection.period)}.pdf"
            st.download_button(t("report.pdf", language), data=lambda: report_view.to_pdf(report, language=language,
                               today=today), file_name=name, mime="application/pdf", icon=":material/picture_as_pdf:",
                               on_click="ignore")
    st.title(report_view.report_title(selection.kind, language), anchor=False)
    st.markdown(t("report.subtitle", language, name=inert(node.name(language)),
                  period=shown_name(selection.kind, selection.period, language, today), day=fmt.day(today, language)))
    st.caption(comparison_label(selection.kind, selection.period, result.previous, result.year_ago, language, today))
    _comment(report, selection, code)
    _key_figures(report)
    _children(report)
    st.markdown(t("rollup.legend.text", language, min_n=fmt.number(result.min_n, language=language),
                  days=fmt.number(result.reply_days, language=language)))
    _charts(result, node)
    _items(report)


if context.viewer is None:
    st.stop()
_page()
