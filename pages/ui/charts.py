"""Altair charts for the wall screen: large type, calm colours, every point labelled with its n."""
from __future__ import annotations

import altair as alt

from data.metrics import WeekNps
from pages.ui.format import number
from pages.ui.texts import t

INK = "#1b2a3a"
BLUE = "#1f5f8b"
MUTED = "#8a96a3"


def nps_trend(weeks: list[WeekNps], *, height: int) -> alt.LayerChart:
    """Weekly NPS as points and a line, its 95 % interval as a band, n under each week; thin weeks marked, not zero."""
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
              axis=alt.Axis(labelAngle=0, labelFontSize=18, labelColor=INK, labelExpr="split(datum.label, '|')",
                            labelLineHeight=22, labelPadding=6))
    y_scale = alt.Scale(domain=[floor, ceiling])
    base = alt.Chart(data).encode(x=x)
    band = base.mark_area(color=BLUE, opacity=0.15).encode(
        y=alt.Y("lo:Q", scale=y_scale, title="NPS",
                axis=alt.Axis(labelFontSize=18, titleFontSize=20, tickCount=5)),
        y2="hi:Q",
    ).transform_filter("datum.nps !== null")
    line = base.mark_line(color=BLUE, strokeWidth=3).encode(y="nps:Q").transform_filter("datum.nps !== null")
    points = base.mark_circle(color=BLUE, size=160, opacity=1).encode(y="nps:Q").transform_filter(
        "datum.nps !== null && !datum.current")
    # The current week is still filling up: drawn hollow so it does not read as a finished week.
    current = base.mark_point(color=BLUE, size=160, filled=False, strokeWidth=3).encode(
        y="nps:Q").transform_filter("datum.nps !== null && datum.current")
    values = base.mark_text(dy=-20, fontSize=20, fontWeight="bold", color=INK).encode(
        y="nps:Q", text="nps:Q").transform_filter("datum.nps !== null")
    thin = base.mark_text(fontSize=16, color=MUTED, fontStyle="italic", baseline="bottom").encode(
        y=alt.value(height - 6), text="thin_label:N").transform_filter("datum.thin")
    return (
        alt.layer(band, line, points, current, values, thin)
        .properties(height=height)
        .configure(background="#ffffff", font="Source Sans Pro, Source Sans 3, sans-serif")
        .configure_view(strokeWidth=0)
        .configure_axis(grid=True, gridColor="#e3e7eb", domainColor="#c5ccd3")
    )
