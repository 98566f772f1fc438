"""Altair charts for the wall screen: large type, calm colours, every point labelled with its n."""
from __future__ import annotations

from functools import lru_cache

import altair as alt
from streamlit import dataframe_util

from data.metrics import WeekNps
from pages.ui.format import number
from pages.ui.texts import t

INK = "#1b2a3a"
BLUE = "#1f5f8b"
MUTED = "#5a6b7b"
# The chart is drawn at this size as SVG and scaled by wall.css to its panel, so its type grows with the
# screen like the rest of the board: 23 px here is above 1/45 of the screen height on any 16:9 wall.
DESIGN_WIDTH = 860
DESIGN_HEIGHT = 200
LABEL_PX = 23
TREND_DATA = "weeks"


def segments(shown: list[bool]) -> list[int]:
    """A run number per week: the line joins weeks of one run only, so it never crosses a thin week."""
    run, result = 0, []
    for is_shown in shown:
        if not is_shown:
            run += 1
        result.append(run)
    return result


@lru_cache(maxsize=512)
def nps_trend_spec(weeks: tuple[WeekNps, ...], language: str) -> dict:
    """The trend chart's Vega-Lite spec for these weeks in a language, built (and validated) once for every
    screen that shows them, its data already in Arrow; callers must not change it (Streamlit copies what it
    changes)."""
    spec = nps_trend(list(weeks)).to_dict()
    # st.vega_lite_chart turns inline values into Arrow on every call, but passes a named dataset that is bytes
    # already: converted here once (by Streamlit's own function, so the same bytes), not on each refresh.
    spec["datasets"] = {TREND_DATA: dataframe_util.convert_anything_to_arrow_bytes(spec.pop("data")["values"])}
    spec["data"] = {"name": TREND_DATA}
    return spec


def nps_trend(weeks: list[WeekNps], *, height: int = DESIGN_HEIGHT, width: int = DESIGN_WIDTH) -> alt.LayerChart:
    """Weekly NPS as points and a line, its 95 % interval as a band, n under each week; thin weeks marked, not zero."""
    runs = segments([week.nps.score is not None for week in weeks])
    rows = [
        {
            "week": f"{t('huddle.trend.week', week=week.week.week)}|{t('huddle.trend.n', n=number(week.nps.n))}",
            "order": i,
            "nps": None if week.nps.score is None else round(week.nps.score),
            "lo": None if week.nps.ci95 is None else round(week.nps.ci95[0]),
            "hi": None if week.nps.ci95 is None else round(week.nps.ci95[1]),
            "thin": week.nps.score is None,
            "current": i == len(weeks) - 1,
            "thin_label": t("huddle.trend.too_few") if week.nps.score is None else "",
            "run": runs[i],
        }
        for i, week in enumerate(weeks)
    ]
    shown = [r for r in rows if r["nps"] is not None]
    low = min([r["lo"] for r in shown], default=0)
    high = max([r["hi"] for r in shown], default=100)
    floor = max(-100, (low // 10) * 10 - 10)
    ceiling = min(100, -(-high // 10) * 10)
    data = alt.Data(values=rows)
    x = alt.X("week:N", sort=alt.SortField("order"), title=None,
              axis=alt.Axis(labelAngle=0, labelFontSize=LABEL_PX, labelColor=INK, labelExpr="split(datum.label, '|')",
                            labelLineHeight=LABEL_PX + 2, labelPadding=4, labelOverlap=False))
    y_scale = alt.Scale(domain=[floor, ceiling])
    base = alt.Chart(data).encode(x=x)
    band = base.mark_area(color=BLUE, opacity=0.15, aria=False).encode(
        y=alt.Y("lo:Q", scale=y_scale, title=None,
                axis=alt.Axis(labelFontSize=LABEL_PX, labelColor=INK, tickCount=4)),
        y2="hi:Q", detail="run:N",
    ).transform_filter("datum.nps !== null")
    line = base.mark_line(color=BLUE, strokeWidth=4, aria=False).encode(y="nps:Q", detail="run:N").transform_filter(
        "datum.nps !== null")
    points = base.mark_circle(color=BLUE, size=220, opacity=1, aria=False).encode(y="nps:Q").transform_filter(
        "datum.nps !== null && !datum.current")
    # The current week is still filling up: drawn hollow so it does not read as a finished week.
    current = base.mark_point(color=BLUE, size=220, filled=False, strokeWidth=4, fill="#ffffff",
                             aria=False).encode(
        y="nps:Q").transform_filter("datum.nps !== null && datum.current")
    values = base.mark_text(dy=-22, fontSize=LABEL_PX + 1, fontWeight="bold", color=INK, aria=False).encode(
        y="nps:Q", text="nps:Q").transform_filter("datum.nps !== null")
    # Written down the column from the top, so it never runs into the next week's labels.
    thin = base.mark_text(fontSize=LABEL_PX, color=MUTED, fontStyle="italic", baseline="middle", angle=90,
                          align="left", aria=False).encode(
        y=alt.value(4), text="thin_label:N").transform_filter("datum.thin")
    # The marks are hidden from screen readers: the panel's caption is the chart's text alternative.
    return (
        alt.layer(band, line, points, current, values, thin)
        .properties(height=height, width=width, padding={"top": 30, "left": 5, "right": 5, "bottom": 5},
                    # SVG scales crisply with the panel; no action menu on a wall screen.
                    usermeta={"embedOptions": {"renderer": "svg", "actions": False}})
        .configure(background="#ffffff", font="Source Sans Pro, Source Sans 3, sans-serif")
        .configure_view(strokeWidth=0)
        .configure_axis(grid=True, gridColor="#e3e7eb", domainColor="#c5ccd3")
    )
