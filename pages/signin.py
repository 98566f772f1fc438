"""The landing page when nobody is signed in: sign in with Entra ID, or as a demo user."""
import streamlit as st

from data.demo import DEMO_PERSONAS
from pages.ui import gate
from pages.ui.context import app_context
from pages.ui.texts import t

context = app_context()
st.title(t("signin.title"))
st.write(t("home.intro"))
if context.sign_in.configured:
    if st.button(t("signin.entra"), type="primary", icon=":material/login:"):
        st.login()
if context.settings.demo:
    st.header(t("signin.demo_title"))
    st.write(t("signin.demo_intro"))
    for persona in DEMO_PERSONAS:
        if st.button(t("signin.persona." + persona.principal.removeprefix("demo:")), key=f"demo-{persona.principal}"):
            gate.demo_sign_in(persona.principal)
            st.rerun()
