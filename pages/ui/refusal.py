"""A polite refusal: say so in the user's language, and leave an audit row."""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from auth.access import AccessDenied
from auth.roles import Permission
from data.access import record_denial
from pages.ui.saving import saving
from pages.ui.context import AppContext
from pages.ui.plain import inert
from pages.ui.texts import t


def refuse(context: AppContext, denied: AccessDenied, message: str | None = None) -> None:
    """Show "no access" for the target and audit the attempt; never show the data."""
    with saving(context.engine) as session:
        record_denial(session, viewer=context.viewer, denied=denied,
                      now=context.now())
    st.warning(message or t("auth.denied", code=inert(denied.target)), icon=":material/lock:")


def page_refusal(context: AppContext, permission: Permission, path: str) -> Callable[[], None]:
    """A stand-in page for a path the viewer may not open: says so politely and audits the attempt."""

    def refuse_page() -> None:
        refuse(context, AccessDenied(permission, f"/{path}"), t("auth.page_denied"))

    refuse_page.__name__ = f"refused_{path}"
    return refuse_page
