"""The roll-up as rows: formatted for the screen and the printed report, numeric for Excel and CSV."""
from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from board.likert import STATEMENT_KEYS
from board.significance import Difference
from data.models import LEVELS
from data.rollup import Rollup, RollupNode
from pages.ui import format as fmt
from pages.ui.texts import t
from data.rollup_words import (  # noqa: F401  (the words of the figures: shared with the report's PDF)
    change_text, display_rows, in_time_text, interval_text, lowest_statement_key, lowest_statement_name, nps_text)

HIDDEN = "*"
NAME_COLUMN = "rollup.col.name"
_SPREADSHEET_FORMULA_START = ("=", "+", "-", "@")


def _change_value(difference: Difference | None):
    return None if difference is None else round(difference.change, 1)


def significance_mark(difference: Difference | None) -> str:
    """▲ or ▼ for a real change (its 95 % interval excludes zero), – for the rest."""
    if difference is None or not difference.significant:
        return "–"
    return "▲" if difference.change > 0 else "▼"


def export_rows(rollup: Rollup, nodes: list[RollupNode], *, language: str = "fi") -> list[dict]:
    """One row per node with numbers as numbers; a hidden figure is "*" beside its n."""
    rows = []
    for node in nodes:
        hidden = node.nps_shown is None
        row = {
            t("rollup.col.code", language): _inert(node.code),
            t("rollup.col.level", language): t(f"rollup.level.{node.level}", language),
            t("rollup.col.parent", language): _inert(node.parent_code or ""),
            t("rollup.col.name", language): _inert(node.name(language)),
            t("rollup.col.n", language): node.nps.n,
            t("rollup.col.nps", language): HIDDEN if hidden else round(node.nps.score, 1),
            t("rollup.col.interval", language) + " (lo)": None if hidden else round(node.nps.ci95[0], 1),
            t("rollup.col.interval", language) + " (hi)": None if hidden else round(node.nps.ci95[1], 1),
            t("rollup.col.vs_previous", language): None if hidden else _change_value(node.vs_previous),
            t("rollup.col.significance_previous", language): significance_mark(None if hidden else node.vs_previous),
            t("rollup.col.vs_year", language): None if hidden else _change_value(node.vs_year_ago),
            t("rollup.col.significance_year", language): significance_mark(None if hidden else node.vs_year_ago),
            t("rollup.col.volume", language): node.current.volume,
        }
        for key in STATEMENT_KEYS:
            value = node.agree_shown(key, rollup.min_n)
            label = t("rollup.col.statement", language, statement=t(f"inbox.statement.{key}", language))
            row[label] = (HIDDEN if node.current.likert[key].n else None) if value is None else round(value / 100, 3)
        row.update({
            t("rollup.col.requested", language): node.replies_requested,
            t("rollup.col.due", language): node.replies_due,
            t("rollup.col.in_time", language): node.replies_due_in_time,
            t("rollup.col.not_yet_due", language): node.replies_not_yet_due,
            t("rollup.col.overdue", language): node.overdue,
            t("rollup.col.median", language): None if node.median_reply_days is None
            else round(node.median_reply_days, 1),
            t("rollup.col.development", language): node.in_development,
            t("rollup.col.actions", language): node.actions_done,
            t("rollup.col.huddles_held", language): node.huddles_held,
            t("rollup.col.huddle_days", language): node.huddle_days,
            t("rollup.col.huddles_held", language): node.huddles_held,
            t("rollup.col.huddle_days", language): node.huddle_days,
        })
        rows.append(row)
    return rows


def _inert(text: str) -> str:
    """A name that a spreadsheet would read as a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(_SPREADSHEET_FORMULA_START) else text


def _statement_headers(language: str) -> set[str]:
    return {t("rollup.col.statement", language, statement=t(f"inbox.statement.{key}", language))
            for key in STATEMENT_KEYS}


_TEXT_COLUMNS = 4  # code, level, parent, name


def _significance_headers(language: str) -> set[str]:
    return {t("rollup.col.significance_previous", language), t("rollup.col.significance_year", language)}


def _number_format(header: str, language: str) -> str:
    if header in _statement_headers(language):
        return "0.0 %"
    if header in (t("rollup.col.vs_previous", language), t("rollup.col.vs_year", language)):
        return "+0.0;-0.0;0.0"
    if header.startswith((t("rollup.col.nps", language), t("rollup.col.interval", language),
                          t("rollup.col.median", language))):
        return "0.0"
    return "0"


def to_xlsx(rollup: Rollup, *, language: str = "fi", root: str | None = None) -> bytes:
    """The roll-up below a node as an Excel workbook: one sheet per level, headers in the language, numbers formatted."""
    nodes = rollup.subtree(root or rollup.root)
    book = Workbook()
    book.remove(book.active)
    for level in LEVELS:
        rows = export_rows(rollup, [n for n in nodes if n.level == level], language=language)
        if not rows:
            continue
        sheet = book.create_sheet(t(f"rollup.level.{level}", language)[:31])
        headers = list(rows[0])
        sheet.append(headers)
        for row in rows:
            sheet.append([row[h] for h in headers])
        for column, header in enumerate(headers, start=1):
            cell = sheet.cell(row=1, column=column)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            sheet.column_dimensions[cell.column_letter].width = 40 if column == _TEXT_COLUMNS else 14
            text = column <= _TEXT_COLUMNS or header in _significance_headers(language)
            for data_row in range(2, len(rows) + 2):
                sheet.cell(row=data_row, column=column).number_format = (
                    "@" if text else _number_format(header, language))
        # Code, level, parent and name stay in view; every column can be filtered and sorted.
        sheet.freeze_panes = sheet.cell(row=2, column=_TEXT_COLUMNS + 1).coordinate
        sheet.auto_filter.ref = sheet.dimensions
    info = book.create_sheet(t("rollup.legend.title", language)[:31])
    info.append([t("rollup.period_label", language, period=_period(rollup.period, language),
                   previous=_period(rollup.previous, language), year_ago=_period(rollup.year_ago, language))])
    info.append([t("rollup.legend.text", language, min_n=rollup.min_n, days=rollup.reply_days).replace("**", "").replace("\\", "")])
    info.column_dimensions["A"].width = 120
    info["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _period(period, language: str) -> str:
    return f"{fmt.day(period.first, language)}–{fmt.day(period.last, language)}"


def to_csv(rollup: Rollup, *, language: str = "fi", root: str | None = None) -> bytes:
    """The roll-up below a node as CSV for Excel in the reader's locale: UTF-8 with BOM, ';', decimal comma."""
    rows = export_rows(rollup, rollup.subtree(root or rollup.root), language=language)
    # A share agreeing is a fraction in Excel (shown as %); in the CSV it is the percentage itself, as its header says.
    shares = _statement_headers(language)
    rows = [{h: round(v * 100, 1) if h in shares and isinstance(v, float) else v for h, v in row.items()}
            for row in rows]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(list(rows[0]))
    decimal = "." if language == "en" else ","
    for row in rows:
        writer.writerow(["" if v is None else str(v).replace(".", decimal) if isinstance(v, float) else v
                         for v in row.values()])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
