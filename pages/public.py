"""Palautteesi vaikutti: what was done because of feedback and how the units are doing; anyone, no sign-in."""
from __future__ import annotations


import altair as alt
import pandas as pd
import streamlit as st

from board.likert import STATEMENTS
from board.periods import helsinki_date
from board.quarters import Quarter, last_quarters
from data.public import PlaceFigures, QuarterFigures
from pages.ui import format as fmt
from pages.ui import public_cache as cache
from pages.ui.context import app_context
from pages.ui.duel_public import public_top
from pages.ui.language import current
from pages.ui.plain import in_language, inert
from pages.ui.texts import t

TREND_QUARTERS = 6
INK = "#1b2a3a"
BLUE = "#1f5f8b"

context = app_context()
settings = context.settings


language = current()


def _quarter(quarter: Quarter) -> str:
    return t("public.quarter", number=inert(quarter.number), year=inert(quarter.year))


def _statement(key: str) -> str:
    statement = next(s for s in STATEMENTS if s.key == key)
    return getattr(statement, language)


def _filters() -> tuple[str | None, str | None, str | None, str]:
    areas, _ = cache.places(settings.database_url, context.engine, language, None)
    area_names = {p.code: p.name for p in areas}
    columns = st.columns(4)
    # "" stands for "all": a None value would show Streamlit's own untranslated placeholder.
    area = columns[0].selectbox(t("public.filter.area"), ["", *area_names], key="public-area",
                                format_func=lambda code: area_names.get(code, t("public.filter.all")))
    _, units = cache.places(settings.database_url, context.engine, language, area)
    unit_names = {p.code: p.name for p in units}
    if st.session_state.get("public-unit") not in unit_names:
        st.session_state["public-unit"] = ""
    unit = columns[1].selectbox(t("public.filter.unit"), ["", *unit_names], key="public-unit",
                                format_func=lambda code: unit_names.get(code, t("public.filter.all")))
    topic = columns[2].selectbox(t("public.filter.topic"), ["", *(s.key for s in STATEMENTS)], key="public-topic",
                                 format_func=lambda key: _statement(key) if key else t("public.filter.all"))
    search = columns[3].text_input(t("public.filter.search"), key="public-search", max_chars=100)
    return area or None, unit or None, topic or None, (search or "").strip()


def _actions(area: str | None, unit: str | None, topic: str | None, search: str) -> None:
    st.header(t("public.actions.heading"), anchor=False)
    shown = cache.actions(settings.database_url, context.engine, language, area, unit, topic, search)
    if not shown:
        st.write(t("public.actions.none"))
        return
    st.caption(t("public.actions.count", count=len(shown)))
    for action in shown:
        with st.container(border=True):
            st.subheader(inert(t("public.actions.meta", day=fmt.day(action.taken_on, language),
                                      unit=action.unit.name, area=action.area.name if action.area else "")
                                   .rstrip(" ·")), anchor=False)
            # The text in the reader's language, or the Finnish one said to be Finnish, with its lang.
            in_language(action.text, language=action.text_language,
                        note=t("content.in_finnish") if action.text_language != language else None)
            notes = []
            if action.topic:
                notes.append(t("public.actions.topic", topic=_statement(action.topic)))
            if action.owner:
                notes.append(t("public.actions.owner", owner=action.owner))
            if notes:
                st.caption(inert(" · ".join(notes)))


def _nps_cell(figures: QuarterFigures) -> str:
    n = fmt.number(figures.n_nps, language=language)
    if figures.n_nps == 0:
        return "–"
    if figures.nps is None:
        return f"* (n\u00a0=\u00a0{n})"
    return f"{fmt.number(figures.nps, language=language)} (n\u00a0=\u00a0{n})"


def _agree_cell(figures: QuarterFigures, key: str) -> str:
    if figures.agree_n[key] == 0:
        return "–"
    if figures.agree_pct[key] is None:
        return "*"
    return f"{fmt.number(figures.agree_pct[key], language=language)} %"


def _table(rows: list[tuple[str, QuarterFigures]]) -> pd.DataFrame:
    columns = [t("public.figures.place"), t("public.figures.nps"), *(_statement(s.key) for s in STATEMENTS)]
    data = [[name, _nps_cell(f), *(_agree_cell(f, s.key) for s in STATEMENTS)] for name, f in rows]
    return pd.DataFrame(data, columns=columns).set_index(columns[0])


def _trend_value(figures: QuarterFigures) -> str:
    if figures.n_nps == 0:
        return t("public.trend.no_answers")
    return _nps_cell(figures) if figures.nps is not None else t("public.trend.too_few")


def _trend(place: PlaceFigures) -> None:
    st.subheader(t("public.trend.heading", place=inert(place.place.name)), anchor=False)
    rows = [{"quarter": _quarter(q.quarter), "order": i, "nps": q.nps}
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
                 + base.mark_text(dy=-14, color=INK, fontWeight="bold").encode(text=alt.Text("nps:Q", format=".0f")))
        st.altair_chart(chart.properties(height=260, usermeta={"embedOptions": {"actions": False}}),
                        width="stretch")
    # The text alternative: a sentence and the same figures as a table.
    values = "; ".join(f"{_quarter(q.quarter)}: {_trend_value(q)}" for q in place.quarters)
    st.markdown(inert(t("public.trend.summary", values=values)))
    st.caption(t("public.trend.table"))
    st.table(pd.DataFrame({t("public.figures.quarter"): [_quarter(q.quarter) for q in place.quarters],
                           t("public.figures.nps"): [_trend_value(q) for q in place.quarters]})
             .set_index(t("public.figures.quarter")))


def _figures(area: str | None, unit: str | None) -> None:
    st.header(t("public.figures.heading"), anchor=False)
    st.write(t("public.figures.intro"))
    today = helsinki_date(context.now())
    quarters = tuple(last_quarters(today, TREND_QUARTERS))
    parent, children = cache.figures(settings.database_url, context.engine, language, quarters, settings.min_n, area)
    if parent is None:
        return
    chosen = st.selectbox(t("public.figures.quarter"), list(range(len(quarters)))[::-1], key="public-quarter",
                          format_func=lambda i: _quarter(quarters[i]))
    rows = [(t("public.figures.total", place=inert(parent.place.name)), parent.quarters[chosen])]
    rows += [(inert(child.place.name), child.quarters[chosen]) for child in children]
    st.caption(t("public.figures.table_caption", place=inert(parent.place.name), quarter=_quarter(quarters[chosen])))
    st.table(_table(rows))
    st.caption(inert(t("public.figures.hidden_note", min_n=settings.min_n)))
    trend_of = next((c for c in children if c.place.code == unit), parent)
    _trend(trend_of)


def _handling() -> None:
    st.header(t("public.handling.heading"), anchor=False)
    st.write(t("public.handling.where"))
    if settings.feedback_url:
        st.markdown(f"[{t('public.handling.give')}]({settings.feedback_url})")
    st.write(t("public.handling.reply", days=settings.reply_days))
    st.write(t("public.handling.privacy"))
    st.write(t("public.handling.not_complaint"))
    if settings.complaint_url:
        st.markdown(f"[{t('public.handling.complaint')}]({settings.complaint_url})")


st.title(t("public.title"), anchor=False)
st.write(t("public.intro"))
area, unit, topic, search = _filters()
_actions(area, unit, topic, search)
public_top(context)  # issue 20: "Asukkaiden TOP 10" of the published duels
_figures(area, unit)
_handling()
st.divider()
links = st.session_state.get("vartti.public_links", {})
for name, label in (("accessibility", "public.accessibility_link"), ("signin", "public.staff_sign_in")):
    if name in links:
        st.page_link(links[name], label=t(label), query_params={"lang": language} if name != "signin" else None)
