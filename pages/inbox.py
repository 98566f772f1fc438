"""`/inbox`: being built (issue #4)."""
import streamlit as st

from pages.ui.context import app_context
from pages.ui.texts import t

app_context()
st.title(t("nav.inbox"))
