"""The public figures as tables and a trend chart: NPS with its n, the share agreeing per statement, "*" when hidden."""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from board.likert import STATEMENTS
from data.public import PlaceFigures, QuarterFigures
from pages.ui import format as fmt
from pages.ui.plain import inert
from pages.ui.public_actions import quarter_name
from pages.ui.public_loop import stacked_table
from pages.ui.texts import t

INK = "#1b2a3a"
BLUE = "#1f5f8b"


def statement_name(key: str, language: str) -> str:
    """A national statement in the reader's language."""
    statement = next(s for s in STATEMENTS if s.key == key)
    return getattr(statement, language)


def nps_cell(figures: QuarterFigures, language: str) -> str:
    """NPS with its n, "*" (with n) when hidden, "–" without answers."""
    n = fmt.number(figures.n_nps, language=language)
    if figures.n_nps == 0:
        return "–"
    if figures.nps is None:
        return f"* (n\u00a0=\u00a0{n})"
    return f"{fmt.number(figures.nps, language=language)} (n\u00a0=\u00a0{n})"


def _agree_cell(figures: QuarterFigures, key: str, language: str) -> str:
    if figures.agree_n[key] == 0:
        return "–"
    if figures.agree_pct[key] is None:
        return "*"
    return f"{fmt.number(figures.agree_pct[key], language=language)} %"


def figures_table(key: str, rows: list[tuple[str, QuarterFigures]], first: str, language: str) -> None:
    """Rows of figures (a place or a quarter each) as a table that stacks on a phone."""
    columns = [first, t("public.figures.nps"), *(statement_name(s.key, language) for s in STATEMENTS)]
    data = [[name, nps_cell(f, language), *(_agree_cell(f, s.key, language) for s in STATEMENTS)]
            for name, f in rows]
    stacked_table(key, pd.DataFrame(data, columns=columns).set_index(columns[0]))


def _trend_value(figures: QuarterFigures, language: str) -> str:
    if figures.n_nps == 0:
        return t("public.trend.no_answers")
    return nps_cell(figures, language) if figures.nps is not None else t("public.trend.too_few")


def trend(place: PlaceFigures, language: str) -> None:
    """The NPS by quarter as a chart, with a sentence and a table as its text alternative."""
    st.subheader(t("public.trend.heading", place=inert(place.place.name)), anchor=False)
    # Each point is labelled with the text the sentence and the table below show (the same rounding).
    rows = [{"quarter": quarter_name(q.quarter), "order": i, "nps": q.nps,
             "label": None if q.nps is None else fmt.number(q.nps, language=language)}
            for i, q in enumerate(place.quarters)]
    shown = [r for r in rows if r["nps"] is not None]
    if shown:
        low = max(-100, min(r["nps"] for r in shown) // 10 * 10 - 10)
        high = min(100, -(-max(r["nps"] for r in shown) // 10) * 10 + 10)
        base = alt.Chart(alt.Data(values=shown)).encode(
            x=alt.X("quarter:N", sort=alt.SortField("order"), title=t("public.figures.quarter"),
                    axis=alt.Axis(labelAngle=0, labelColor=INK, titleColor=INK)),
            y=alt.Y("nps:Q", title="NPS", scale=alt.Scale(domain=[low, high]),
                    axis=alt.Axis(labelColor=INK, titleColor=INK)))
        chart = (base.mark_line(color=BLUE, strokeWidth=3, point=alt.OverlayMarkDef(color=BLUE, size=90))
                 + base.mark_text(dy=-14, color=INK, fontWeight="bold").encode(text=alt.Text("label:N")))
        st.altair_chart(chart.properties(height=260, usermeta={"embedOptions": {"actions": False}}),
                        width="stretch")
    # The text alternative: a sentence and the same figures as a table.
    values = "; ".join(f"{quarter_name(q.quarter)}: {_trend_value(q, language)}" for q in place.quarters)
    st.markdown(inert(t("public.trend.summary", values=values)))
    st.caption(t("public.trend.table"))
    st.table(pd.DataFrame({t("public.figures.quarter"): [quarter_name(q.quarter) for q in place.quarters],
                           t("public.figures.nps"): [_trend_value(q, language) for q in place.quarters]})
             .set_index(t("public.figures.quarter")))
