"""`python -m data report --unit CODE --period YYYY-MM|YYYY-QN|YYYY --out FILE.pdf`: the report of /report as PDF."""
from __future__ import annotations

import re
import sys
from pathlib import Path

from board.periods import Period, helsinki_date, parse_period_key
from board.report_periods import up_to
from data.db import session_scope
from data.report import build_report_unchecked
from data.report_html import to_pdf  # the same rows the page shows, as HTML for WeasyPrint
from data.units import UnknownUnit
from data.settings import Settings

OK, UNUSABLE = 0, 2
_KINDS = ((re.compile(r"\d{4}-\d{2}"), "month"), (re.compile(r"\d{4}-Q[1-4]"), "quarter"), (re.compile(r"\d{4}"), "year"))


def period_of(text: str) -> tuple[str, Period]:
    """The kind and period of `--period` (2026-11, 2026-Q4, 2026); ValueError for anything else or beyond 2000–2099."""
    for pattern, kind in _KINDS:
        if pattern.fullmatch(text.strip()):
            period = parse_period_key(kind, text)
            if period.first.year < 2000 or period.last.year > 2099:
                raise ValueError(f"period {text!r} is outside 2000–2099")
            return kind, period
    raise ValueError(f"period {text!r} is not YYYY-MM, YYYY-QN or YYYY")


def write_report(engine, settings: Settings, *, unit_code: str, period_text: str, out: Path,
                 language: str = "fi") -> int:
    """Write the PDF; 2 (nothing written) for an unknown unit or period."""
    try:
        kind, period = period_of(period_text)
    except ValueError as problem:
        print(f"error: unknown period: {problem}", file=sys.stderr)
        return UNUSABLE
    now = settings.now()
    today = helsinki_date(now)
    period = up_to(period, today)  # a running period is reported up to today, as on the page
    with session_scope(engine) as session:
        try:
            report = build_report_unchecked(session, unit_code=unit_code, kind=kind, period=period, now=now,
                                            today=today, settings=settings)
        except UnknownUnit:
            print(f"error: unknown unit: {unit_code}", file=sys.stderr)
            return UNUSABLE
    out.write_bytes(to_pdf(report, language=language, today=today))
    print(f"wrote {out}", file=sys.stderr)
    return OK
