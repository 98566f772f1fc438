"""Altair charts of the roll-up and the reports: sorted dots with intervals, a monthly trend, statements, channels."""
from __future__ import annotations

import altair as alt

from board.likert import STATEMENT_KEYS
from data.rollup import MonthFigures, RollupNode
from pages.ui.format import number
from pages.ui.texts import t

INK = "#1b2a3a"
BLUE = "#1f5f8b"
MUTED = "#8a96a3"
FONT = "Source Sans Pro, Source Sans 3, sans-serif"
ROW_PX = 26


def _finish(chart, *, width: int | str = "container"):
    # No chart menu: its "Save as PNG", "View source" and "Open in Vega Editor" are Streamlit's English only.
    return (chart.properties(width=width, usermeta={"embedOptions": {"actions": False}})
            .configure(background="#ffffff", font=FONT)
            .configure_view(strokeWidth=0)
            .configure_axis(labelFontSize=12, titleFontSize=12, labelColor=INK, titleColor=INK,
                            gridColor="#e3e7eb", domainColor="#c5ccd3"))


def _domain(lows: list[float], highs: list[float]) -> list[int]:
    """An NPS axis from a round ten below the lowest interval to one above the highest, within ±100."""
    low, high = min(lows, default=0), max(highs, default=100)
    return [int(max(-100, (low // 10) * 10 - 10)), int(min(100, -(-high // 10) * 10 + 10))]


def children_dots(children: list[RollupNode], *, language: str = "fi", width: int | str = "container"):
    """Each child's NPS as a dot on its 95 % interval, sorted from lowest to highest; hidden children left out."""
    rows = [
        {"name": f"{node.name(language)} (n {number(node.nps.n, language=language)})",
         "nps": round(node.nps.score, 1), "lo": round(node.nps.ci95[0], 1), "hi": round(node.nps.ci95[1], 1)}
        for node in children if node.nps_shown is not None
    ]
    rows.sort(key=lambda row: row["nps"])
    order = [row["name"] for row in rows]
    y = alt.Y("name:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    x_scale = alt.Scale(domain=_domain([r["lo"] for r in rows], [r["hi"] for r in rows]))
    base = alt.Chart(alt.Data(values=rows)).encode(y=y)
    bars = base.mark_rule(color=MUTED, strokeWidth=2).encode(
        x=alt.X("lo:Q", scale=x_scale, title="NPS"), x2="hi:Q")
    dots = base.mark_circle(color=BLUE, size=90, opacity=1).encode(
        x="nps:Q", tooltip=[alt.Tooltip("name:N"), alt.Tooltip("nps:Q"), alt.Tooltip("lo:Q"), alt.Tooltip("hi:Q")])
    zero = alt.Chart(alt.Data(values=[{"x": 0}])).mark_rule(color="#c5ccd3").encode(x="x:Q")
    return _finish(alt.layer(zero, bars, dots).properties(height=max(60, ROW_PX * len(rows))), width=width)


def monthly_trend(months: list[MonthFigures], *, language: str = "fi", width: int | str = "container"):
    """NPS month by month with its interval as a band; months with too few answers are marked, not drawn."""
    rows = [
        {"month": f"{m.month.first.month}/{m.month.first.year % 100:02d}", "order": i,
         "nps": None if m.nps.score is None else round(m.nps.score, 1),
         "lo": None if m.nps.ci95 is None else round(m.nps.ci95[0], 1),
         "hi": None if m.nps.ci95 is None else round(m.nps.ci95[1], 1),
         "n": m.nps.n, "thin": t("rollup.chart.too_few", language) if m.nps.score is None else ""}
        for i, m in enumerate(months)
    ]
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("month:N", sort=alt.SortField("order"), title=None, axis=alt.Axis(labelAngle=0)))
    shown = "datum.nps !== null"
    y_scale = alt.Scale(domain=_domain([r["lo"] for r in rows if r["lo"] is not None],
                                       [r["hi"] for r in rows if r["hi"] is not None]))
    band = base.mark_area(color=BLUE, opacity=0.15).encode(
        y=alt.Y("lo:Q", scale=y_scale, title="NPS"), y2="hi:Q").transform_filter(shown)
    line = base.mark_line(color=BLUE, strokeWidth=2).encode(y="nps:Q").transform_filter(shown)
    dots = base.mark_circle(color=BLUE, size=60, opacity=1).encode(
        y="nps:Q", tooltip=["month:N", "nps:Q", "n:Q"]).transform_filter(shown)
    thin = base.mark_text(color=MUTED, fontStyle="italic", angle=270, fontSize=11).encode(
        y=alt.datum(y_scale.domain[0] + 10), text="thin:N").transform_filter("datum.nps === null")
    return _finish(alt.layer(band, line, dots, thin).properties(height=220), width=width)


def statement_profile(node: RollupNode, min_n: int, *, language: str = "fi", width: int | str = "container"):
    """The share agreeing with each national statement, labelled with its n; hidden shares left out."""
    rows = []
    for key in STATEMENT_KEYS:
        value = node.agree_shown(key, min_n)
        if value is not None:
            rows.append({"statement": t(f"inbox.statement.{key}", language), "pct": round(value, 1),
                         "label": f"{number(value, language=language)} % (n {number(node.current.likert[key].n, language=language)})"})
    base = alt.Chart(alt.Data(values=rows)).encode(
        y=alt.Y("statement:N", sort=None, title=None, axis=alt.Axis(labelLimit=200)))
    bars = base.mark_bar(color=BLUE).encode(x=alt.X("pct:Q", scale=alt.Scale(domain=[0, 100]), title="%"))
    labels = base.mark_text(align="left", dx=4, color=INK).encode(x="pct:Q", text="label:N")
    return _finish(alt.layer(bars, labels).properties(height=max(60, ROW_PX * len(rows))), width=width)


def channel_mix(node: RollupNode, *, language: str = "fi", width: int | str = "container"):
    """Feedback of the period by service channel, largest first."""
    rows = [{"channel": t(f"inbox.channel.{name}", language) if name else t("rollup.channel.unknown", language),
             "count": count, "label": number(count, language=language)} for name, count in node.by_channel.items()]
    base = alt.Chart(alt.Data(values=rows)).encode(
        y=alt.Y("channel:N", sort="-x", title=None, axis=alt.Axis(labelLimit=200)))
    bars = base.mark_bar(color=BLUE).encode(x=alt.X("count:Q", title=None, axis=alt.Axis(format="d")))
    # The bar's number written as the tables write it ("12 533"), not Vega's "12533".
    labels = base.mark_text(align="left", dx=4, color=INK).encode(x="count:Q", text="label:N")
    return _finish(alt.layer(bars, labels).properties(height=max(60, ROW_PX * len(rows))), width=width)
