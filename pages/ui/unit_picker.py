"""A searchable unit picker that opens the chosen unit's huddle board."""
from __future__ import annotations

import streamlit as st

from data.models import Unit
from pages.ui.language import current
from pages.ui.texts import t

HUDDLE_PAGE = "pages/huddle.py"


def _label(unit: Unit, by_id: dict[int, Unit]) -> str:
    parent = by_id.get(unit.parent_id)
    language = current()
    return f"{unit.name(language)} ({unit.code})" + (f" – {parent.name(language)}" if parent else "")


def unit_picker(units: list[Unit], *, key: str) -> None:
    """Pick a unit (units first, then the areas above them) and go to its board."""
    if not units:
        st.info(t("home.no_units"))
        return
    by_id = {unit.id: unit for unit in units}
    ordered = sorted(units, key=lambda u: (u.level != "unit", u.name(current())))
    labels = {unit.code: _label(unit, by_id) for unit in ordered}
    with st.form(key=key, border=False):
        code = st.selectbox(t("home.pick"), list(labels), format_func=labels.get, index=0 if len(labels) == 1 else None,
                            placeholder=t("home.pick"))
        opened = st.form_submit_button(t("home.open"), type="primary")
    if opened and code:
        st.switch_page(HUDDLE_PAGE, query_params={"unit": code})
    if opened:
        st.warning(t("home.pick_first"))
