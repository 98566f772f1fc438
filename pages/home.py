"""Choose a unit and open its huddle board."""
import streamlit as st

from data.db import session_scope
from data.units import list_units
from pages.ui.context import app_context
from pages.ui.texts import t
from pages.ui.unit_picker import unit_picker

context = app_context()
st.title(t("home.title"))
st.write(t("home.intro"))
with session_scope(context.engine) as session:
    units = list_units(session, viewer=context.viewer)
unit_picker(units, key="home-unit")
