"""Saavutettavuusseloste: the accessibility statement of the public page and the huddle board."""
from __future__ import annotations

import streamlit as st

from pages.ui.context import app_context
from pages.ui.language import current
from pages.ui.plain import inert
from pages.ui.texts import t

context = app_context()
language = current()


st.title(t("a11y.title"), anchor=False)
st.write(t("a11y.intro"))
st.header(t("a11y.status.heading"), anchor=False)
st.write(t("a11y.status.text"))
st.header(t("a11y.limits.heading"), anchor=False)
st.markdown("\n".join(f"- {t(key)}" for key in ("a11y.limit.lang", "a11y.limit.charts", "a11y.limit.skip")))
# issue 17: content languages and the framework's own English texts (one section; keep it on its own).
st.header(t("a11y.streamlit.heading"), anchor=False)
st.write(t("a11y.streamlit.text"))
st.header(t("a11y.feedback.heading"), anchor=False)
st.write(t("a11y.feedback.text"))
contact = context.settings.accessibility_contact
if contact:
    shown = contact.removeprefix("mailto:")
    st.markdown(t("a11y.feedback.contact", contact=f"[{inert(shown)}]({contact})"))
else:
    st.write(t("a11y.feedback.none"))
st.header(t("a11y.enforcement.heading"), anchor=False)
st.write(t("a11y.enforcement.text"))
st.caption(t("a11y.prepared"))
links = st.session_state.get("vartti.public_links", {})
if "public" in links:
    st.page_link(links["public"], label=t("public.title"), query_params={"lang": language})
