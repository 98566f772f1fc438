"""The capture page a phone opens from the board's QR code: `/capture?token=…`, no sign-in.

It adds one idea or problem at a time to the unit's "Tunnistettu"; without a valid token it shows nothing.
"""
from __future__ import annotations

import streamlit as st

from data.db import session_scope
from data.huddle import capture_idea, capture_target
from pages.ui.context import app_context
from pages.ui.huddle_mode import REFUSED, refusal_key
from pages.ui.language import current
from pages.ui.plain import inert
from pages.ui.saving import saving
from pages.ui.texts import t

context = app_context()
token = (st.query_params.get("token") or "").strip()
with session_scope(context.engine) as session:
    target = capture_target(session, token=token, now=context.now(), language=current())
if target is None:
    st.error(t("capture.invalid"))
    st.stop()

st.title(t("capture.title", unit=inert(target.unit_name)), anchor=False)
st.write(t("capture.intro"))
if st.session_state.pop("vartti.capture.thanks", False):
    st.success(t("capture.thanks"))
with st.form("capture", clear_on_submit=True):
    title = st.text_input(t("capture.label"), max_chars=200)
    detail = st.text_area(t("capture.detail"), max_chars=1000)
    sent = st.form_submit_button(t("capture.send"), type="primary")
if sent:
    try:
        with saving(context.engine) as session:
            capture_idea(session, token=token, title=title, detail=detail, now=context.now())
    except REFUSED as problem:
        st.error(t(refusal_key(problem)))
    else:
        st.session_state["vartti.capture.thanks"] = True
        st.rerun()
