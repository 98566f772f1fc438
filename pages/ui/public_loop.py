"""The public page's loop in figures (themes worked on and where they led) and tables that stack on a phone."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from board.quarters import Quarter
from data.css_text import css_string, style_element
from data.public_loop import LoopFigures, PlaceLoop
from pages.ui import format as fmt
from pages.ui.plain import inert
from pages.ui.texts import t

LOOP_COLUMNS = ("worked_on", "changed", "escalated", "not_pursued")
# Below this width a figures table becomes one card per row, each value with its column's name.
PHONE_WIDTH_PX = 640


def _phone_labels(key: str, columns: list) -> str:
    """On a phone, each cell labelled with its column's name (a CSS string: escaped whatever it holds)."""
    rules = " ".join(f".st-key-{key} tbody td:nth-of-type({i})::before {{ content: {css_string(name)}; }}"
                     for i, name in enumerate(columns, start=1))
    return f"@media (max-width: {PHONE_WIDTH_PX}px) {{ {rules} }}"


def stacked_table(key: str, frame: pd.DataFrame) -> None:
    """A table (first column the row's name) that, on a narrow screen, stacks each row as a labelled card.

    The labels are the table's own column names (our catalogue's texts), so the reflowed table reads the same
    without a sideways scroll (WCAG 1.4.10).
    """
    st.html(style_element(_phone_labels(key, list(frame.columns))))
    with st.container(key=key):
        st.table(frame)


def _quarter(quarter: Quarter) -> str:
    return t("public.quarter", number=inert(quarter.number), year=inert(quarter.year))


def _loop_frame(rows: list[tuple[str, LoopFigures]], first: str) -> pd.DataFrame:
    columns = [first, *(t(f"public.loop.{name}") for name in LOOP_COLUMNS)]
    data = [[name, *(fmt.number(getattr(f, column)) for column in LOOP_COLUMNS)] for name, f in rows]
    return pd.DataFrame(data, columns=columns).set_index(columns[0])


def _reasons(figures: list[LoopFigures]) -> None:
    reasons = [reason for f in figures for reason in f.reasons]
    if not reasons:
        return
    st.markdown(f"**{t('public.loop.reasons')}**")
    st.markdown("\n".join(
        "- " + t(f"public.loop.reason.{reason.stage}", text=inert(reason.text), count=fmt.number(reason.themes))
        for reason in reasons))


def loop_of_places(loops: list[PlaceLoop], quarter_index: int, total_label: str) -> None:
    """The loop of a parent (the first) and its areas or units in one quarter, with its published reasons."""
    if not loops:
        return
    st.subheader(t("public.loop.heading"), anchor=False)
    st.write(t("public.loop.intro"))
    parent = loops[0]
    quarter = parent.quarters[quarter_index].quarter
    rows = [(total_label, parent.quarters[quarter_index])]
    rows += [(inert(child.place.name), child.quarters[quarter_index]) for child in loops[1:]]
    st.caption(t("public.loop.caption", quarter=_quarter(quarter), place=inert(parent.place.name)))
    stacked_table("public-loop", _loop_frame(rows, t("public.loop.place")))
    _reasons([parent.quarters[quarter_index]])


def loop_by_quarter(loop: PlaceLoop) -> None:
    """One place's loop over the quarters, newest first, with its published reasons."""
    st.subheader(t("public.loop.heading"), anchor=False)
    st.write(t("public.loop.intro"))
    st.caption(t("public.unit.loop_caption", place=inert(loop.place.name)))
    newest_first = loop.quarters[::-1]
    stacked_table("public-unit-loop", _loop_frame([(_quarter(f.quarter), f) for f in newest_first],
                                                  t("public.figures.quarter")))
    _reasons(newest_first)
