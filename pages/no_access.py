"""A signed-in person without any grant sees whom to ask, and nothing else (fail closed)."""
import streamlit as st

from pages.ui.context import app_context
from pages.ui.texts import t

viewer = app_context().viewer
st.title(t("no_access.title"))
st.write(t("no_access.body"))
st.write(t("no_access.identifiers"))
st.code("\n".join([viewer.subject, *viewer.groups]), language=None)
