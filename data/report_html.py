"""The report's content as rows of text, shared by the /report page and the PDF, and its HTML for WeasyPrint
(the command line's `python -m data report` and the page's download make the same PDF).

Every text that is not ours (unit names, theme titles, action texts, the director's comment) is escaped with
html.escape in the HTML; nothing user-written is ever put in a template unescaped. The charts are SVG drawn
from the same figures (data/report_charts.py).
"""
from __future__ import annotations

import re
from datetime import date
from html import escape
from pathlib import Path

from board.likert import STATEMENT_KEYS
from data import report_charts as charts
from data import texts as fmt
from data.css_text import css_string
from data.report import Report
from data.rollup_words import (change_text, comparison_label, display_rows, in_time_text, lowest_statement_name,
                               nps_text, period_name, shown_name)
from data.texts import t

PDF_CSS = Path(__file__).parent / "report_pdf.css"
CHILD_COLUMNS = ("rollup.col.name", "rollup.col.n", "rollup.col.nps", "rollup.col.interval",
                 "rollup.col.vs_previous", "rollup.col.vs_year", "rollup.col.lowest", "rollup.col.in_time_due",
                 "rollup.col.overdue", "rollup.col.development", "rollup.col.actions")


def report_title(kind: str, language: str) -> str:
    """The report's heading: monthly, quarterly or another period."""
    return t({"month": "report.title_month", "quarter": "report.title_quarter"}.get(kind, "report.title_other"),
             language)


def key_rows(report: Report, language: str) -> list[tuple[str, str]]:
    """The key figures of the node as (name, value) pairs."""
    node, min_n = report.node, report.rollup.min_n
    lowest = node.lowest_statement(min_n)
    nps_value = nps_text(node, language)
    if node.nps_shown is not None:
        lo, hi = node.nps.ci95
        nps_value += f" (n {fmt.number(node.nps.n, language=language)}, {fmt.number(lo, language=language)} … " \
                     f"{fmt.number(hi, language=language)})"
    rows = [
        (t("rollup.key.nps", language), nps_value),
        (t("rollup.col.vs_previous", language), change_text(node.vs_previous, language)),
    ]
    if report.kind != "year":
        rows.append((t("rollup.col.vs_year", language), change_text(node.vs_year_ago, language)))
    rows += [
        (t("rollup.key.volume", language), fmt.number(node.current.volume, language=language)),
        (t("rollup.key.lowest", language), "–" if lowest is None else
         f"{fmt.number(lowest, 1, language)} % · {lowest_statement_name(node, min_n, language)}"),
        (t("rollup.key.in_time", language), in_time_text(node, language) + " · " +
         t("rollup.key.not_yet_due", language, n=fmt.number(node.replies_not_yet_due, language=language))),
        (t("rollup.key.median", language), "–" if node.median_reply_days is None else
         t("rollup.key.median_value", language, days=fmt.number(node.median_reply_days, 1, language))),
        (t("rollup.key.overdue", language), fmt.number(node.overdue, language=language)),
        (t("rollup.key.development", language), fmt.number(node.in_development, language=language)),
        (t("rollup.key.actions", language), fmt.number(node.actions_done, language=language)),
    ]
    return rows


def child_rows(report: Report, language: str) -> list[dict[str, str]]:
    """The node and the level below, the columns that fit an A4 page."""
    if not report.children:
        return []
    wanted = [t(key, language) for key in CHILD_COLUMNS]
    rows = display_rows(report.rollup, [report.node] + report.children, language=language)
    return [{k: row[k] for k in wanted if k in row} for row in rows]


def statement_rows(report: Report, language: str) -> list[tuple[str, str, str, str]]:
    """Each national statement: name, answers, share agreeing, change against the previous period."""
    node, min_n = report.node, report.rollup.min_n
    rows = []
    for key in STATEMENT_KEYS:
        value = node.agree_shown(key, min_n)
        rows.append((t(f"inbox.statement.{key}", language),
                     fmt.number(node.current.likert[key].n, language=language),
                     "–" if value is None else f"{fmt.number(value, 1, language)} %",
                     change_text(node.statement_vs_previous.get(key), language)))
    return rows


def trend_rows(report: Report, language: str) -> list[tuple[str, str, str]]:
    """The node's months: month, answers, NPS ("*" below the smallest number shown)."""
    return [(period_name("month", month.month, language), fmt.number(month.nps.n, language=language),
             "–" if month.nps.n == 0 else "*" if month.nps.score is None else fmt.number(month.nps.score, 1, language))
            for month in report.months]


def organisation(report: Report, language: str) -> str:
    """The organisation at the top of the report's tree (the county)."""
    return report.rollup.node(report.rollup.root).name(language)


def footer_text(report: Report, language: str, today: date) -> str:
    """The footer of every printed page: organisation, unit, period, print date."""
    org = organisation(report, language)
    unit = report.node.name(language)
    return t("report.footer", language, org=org if org == unit else f"{org} · {unit}",
             period=shown_name(report.kind, report.rollup.period, language, today), day=fmt.day(today, language))


# Stand-ins for the page counters while the catalogue text is formatted (private-use characters: no text has them).
_PAGE, _PAGES = "\ue000", "\ue001"


def page_of_content(language: str) -> str:
    """The page number as a CSS `content` value: the catalogue's words around counter(page) and counter(pages)."""
    text = t("report.page_of", language, page=_PAGE, pages=_PAGES)
    counters = {_PAGE: "counter(page)", _PAGES: "counter(pages)"}
    return " ".join(counters.get(piece) or css_string(piece)
                    for piece in re.split(f"([{_PAGE}{_PAGES}])", text) if piece)


def footer_css(report: Report, language: str, today: date) -> str:
    """The footer on every printed page: organisation, unit, period and print date left, page numbers right."""
    return (f"@page {{ @bottom-left {{ content: {css_string(footer_text(report, language, today))}; }} "
            f"@bottom-right {{ content: {page_of_content(language)}; }} }}")


def _number(language: str):
    return lambda value: fmt.number(value, 0, language)


def chart_parts(report: Report, language: str) -> list[tuple[str, str]]:
    """The report's charts as (heading, SVG), as on the page: the level below, the months, statements, channels."""
    node, min_n = report.node, report.rollup.min_n
    parts = []
    shown = [child for child in report.children if child.nps_shown is not None]
    if shown:
        parts.append((t("rollup.chart.children", language), charts.dots(
            [charts.Dot(f"{child.name(language)} (n {fmt.number(child.nps.n, language=language)})",
                        child.nps.score, child.nps.ci95[0], child.nps.ci95[1]) for child in shown],
            alt=t("rollup.chart.children_alt", language), number=_number(language))))
    if report.months:
        parts.append((t("rollup.chart.trend", language, name=node.name(language)), charts.line(
            [charts.Point(f"{m.month.first.month}/{m.month.first.year % 100:02d}", m.nps.score,
                          *(m.nps.ci95 if m.nps.ci95 is not None and m.nps.score is not None else (None, None)))
             for m in report.months],
            alt=t("rollup.chart.trend_alt", language), number=_number(language),
            too_few=t("rollup.chart.too_few", language))))
    statements = [charts.Bar(t(f"inbox.statement.{key}", language), value,
                             f"{fmt.number(value, language=language)} % "
                             f"(n {fmt.number(node.current.likert[key].n, language=language)})")
                  for key in STATEMENT_KEYS if (value := node.agree_shown(key, min_n)) is not None]
    if statements:
        parts.append((t("rollup.chart.statements", language),
                      charts.bars(statements, alt=t("rollup.chart.statements_alt", language), maximum=100)))
    channels = [charts.Bar(t(f"inbox.channel.{name}", language) if name else t("rollup.channel.unknown", language),
                           count, fmt.number(count, language=language))
                for name, count in sorted(node.by_channel.items(), key=lambda item: -item[1])]
    if channels:
        parts.append((t("rollup.chart.channels", language),
                      charts.bars(channels, alt=t("rollup.chart.channels_alt", language))))
    return parts


def _table(headers: list[str], rows: list, css: str = "") -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _theme_items(report: Report, language: str) -> str:
    if not report.themes:
        return f"<p>{escape(t('report.themes_none', language))}</p>"
    return "<ul>" + "".join(
        f"<li><strong>{escape(theme.title)}</strong> — {escape(theme.unit_name)}, "
        f"{escape(t(f'stage.{theme.stage}', language))}</li>" for theme in report.themes) + "</ul>"


def _action_items(report: Report, language: str) -> str:
    if not report.actions:
        return f"<p>{escape(t('report.actions_none', language))}</p>"
    return "<ul>" + "".join(
        f"<li>{escape(fmt.day(action.taken_on, language))} · <strong>{escape(action.theme_title)}</strong> "
        f"({escape(action.unit_name)}): {escape(action.text)}</li>" for action in report.actions) + "</ul>"


def to_html(report: Report, *, language: str, today: date) -> str:
    """The report as one HTML document for WeasyPrint: A4, footer with page numbers, every user text escaped."""
    rollup = report.rollup
    css = PDF_CSS.read_text(encoding="utf-8")
    parts = [
        "<!DOCTYPE html>", f'<html lang="{escape(language)}"><head><meta charset="utf-8">',
        f"<title>{escape(report_title(report.kind, language))}</title>",
        # The footer's names go into CSS strings, every character but letters and digits escaped (data/css_text.py).
        f"<style>{css}\n{footer_css(report, language, today)}</style></head><body>",
        f"<h1>{escape(report_title(report.kind, language))}</h1>",
        f'<p class="subtitle">{escape(report.node.name(language))} · '
        f'{escape(shown_name(report.kind, rollup.period, language, today))}</p>',
        f'<p class="caption">{escape(comparison_label(report.kind, rollup.period, rollup.previous, rollup.year_ago, language, today))}</p>',
    ]
    if report.comment is not None and report.comment.text:
        parts.append(f'<section class="comment"><h2>{escape(t("report.comment.title", language))}</h2>'
                     f'<p>{escape(report.comment.text)}</p></section>')
    parts.append(f"<h2>{escape(t('report.key_figures', language))}</h2>")
    parts.append(_table([t("report.figure", language), t("report.value", language)], key_rows(report, language), "keys"))
    children = child_rows(report, language)
    if children:
        parts.append(f"<h2>{escape(t('report.children', language))}</h2>")
        parts.append(_table(list(children[0]), [list(row.values()) for row in children], "children"))
    parts.append(f"<h2>{escape(t('report.statements', language))}</h2>")
    parts.append(_table([t("report.col.statement", language), t("report.col.answers", language),
                         t("report.col.agree", language), t("rollup.col.vs_previous", language)],
                        statement_rows(report, language)))
    # No page break before the charts: each chart keeps together and flows on (no two-thirds-empty page).
    parts.append(f"<h2>{escape(t('report.charts', language))}</h2>")
    for heading, svg in chart_parts(report, language):
        # The heading is escaped here; every label inside the SVG was escaped where it was drawn.
        parts.append(f'<figure class="chart"><figcaption>{escape(heading)}</figcaption>{svg}</figure>')
    parts.append(f"<h3>{escape(t('report.trend', language))}</h3>")
    parts.append(_table([t("report.col.month", language), t("report.col.answers", language),
                         t("rollup.key.nps", language)], trend_rows(report, language), "trend"))
    parts.append(f'<h2 class="break">{escape(t("report.themes", language))}</h2>')
    parts.append(_theme_items(report, language))
    parts.append(f"<h2>{escape(t('report.actions', language))}</h2>")
    parts.append(_action_items(report, language))
    parts.append('<p class="legend">' + escape(t("rollup.legend.text", language, min_n=rollup.min_n,
                                                   days=rollup.reply_days).replace("**", "").replace("\\", ""))
                 + "</p></body></html>")
    return "\n".join(parts)


def to_pdf(report: Report, *, language: str, today: date) -> bytes:
    """The report as an A4 PDF made by WeasyPrint from to_html."""
    from weasyprint import HTML  # imported here: only the PDF needs it (and its Pango libraries)
    return HTML(string=to_html(report, language=language, today=today)).write_pdf()
