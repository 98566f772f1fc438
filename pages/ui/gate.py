"""Who is looking at this rerun: a kiosk screen, a demo persona or a person signed in with Entra ID.

Page machinery (it reads st.user and st.session_state): auth/ gives the rules, data/ the records.
"""
from __future__ import annotations

import logging
from datetime import datetime

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from auth.access import Viewer
from auth.claims import grant_principals, issued_at, token_key, trusted_emails
from auth.config import SignInConfig as SignIn
from auth.graph import GraphError, GraphSettings, group_ids
from data.db import is_busy, session_scope
from data.demo import DEMO_PERSONAS
from data.access import record_sign_in, viewer_for
from data.kiosk import kiosk_viewer
from data.sign_ins import EXPIRED, SIGNED_OUT, begin_sign_in, end_sign_in, find_sign_in, is_open

LOG = logging.getLogger(__name__)
SCREEN_PARAM = "screen"
_DEMO_KEY = "vartti.demo_persona"
_SIGNED_IN_KEY = "vartti.signed_in_as"
_GROUPS_KEY = "vartti.groups"


class SignInExpired(RuntimeError):
    """The Entra sign-in is older than the allowed session age and must be renewed."""


class SignInEnded(SignInExpired):
    """The sign-in was ended (signed out in another tab, or by an admin): this cookie opens nothing any more."""


class GroupsUnavailable(RuntimeError):
    """The token said the groups are in Graph, and Graph could not be asked: fail closed."""


def kiosk_token() -> str | None:
    """The kiosk token of the URL, if this is a wall screen's link."""
    return st.query_params.get(SCREEN_PARAM) or None


def screen_viewer(engine: Engine, token: str, now: datetime) -> Viewer | None:
    """The kiosk viewer of a token, checked on every rerun so a revoked link stops at the next refresh."""
    with session_scope(engine) as session:
        return kiosk_viewer(session, token=token, now=now)


def demo_sign_in(principal: str) -> None:
    """Act as one of the demo personas (demo mode only)."""
    st.session_state[_DEMO_KEY] = principal


def sign_out(sign_in: SignIn, engine: Engine, now: datetime) -> None:
    """End the session: forget the demo persona, and end the Entra sign-in here and on the server."""
    for key in (_DEMO_KEY, _SIGNED_IN_KEY, _GROUPS_KEY):
        st.session_state.pop(key, None)
    if sign_in.configured and st.user.is_logged_in:
        # Ended on the server too: other tabs and a copied cookie carry the same token, and stop with it.
        claims = st.user.to_dict()
        with session_scope(engine, write=True) as session:
            end_sign_in(session, token_hash=token_key(claims), actor=str(claims.get("sub", "")),
                        reason=SIGNED_OUT, now=now)
        # st.logout() queues the browser's redirect to /auth/logout, which clears the identity
        # cookie; a rerun here would clear the queue before it is sent (the cookie would stay and
        # the next page load would sign the person in again). End this run instead.
        st.logout()
        st.stop()
    st.rerun()


def person_viewer(engine: Engine, sign_in: SignIn, *, demo: bool, now: datetime) -> Viewer | None:
    """The signed-in person with their grants, or None when nobody is signed in."""
    persona = st.session_state.get(_DEMO_KEY) if demo else None
    if persona:
        name = next((p.name for p in DEMO_PERSONAS if p.principal == persona), persona)
        return _resolved(engine, now, subject=persona, name=name, principals=[persona], groups=(), demo=True)
    if not sign_in.configured or not st.user.is_logged_in:
        return None
    claims = st.user.to_dict()
    issued = issued_at(claims, now)
    if issued is None:
        # Without a believable time of issue the session cannot be aged, so it counts as expired.
        raise SignInExpired()
    _check_server_session(engine, claims, issued, sign_in, now)
    groups = _groups(claims, sign_in.graph)
    subject = str(claims.get("sub", ""))
    exact, emails = grant_principals(claims, groups, demo=demo, entra=sign_in.entra)
    name = str(claims.get("name") or claims.get("email") or subject)
    return _resolved(engine, now, subject=subject, name=name, principals=exact, emails=emails, groups=groups,
                     demo=False)


def _check_server_session(engine: Engine, claims: dict, issued: datetime, sign_in: SignIn, now: datetime) -> None:
    # Asked on every rerun: a sign-in ended elsewhere stops this tab at its next rerun or refresh.
    key = token_key(claims)
    too_old = issued <= now - sign_in.max_age
    with session_scope(engine) as session:
        known = find_sign_in(session, token_hash=key)
    if known is None and too_old:
        raise SignInExpired()
    if known is None:
        subject = str(claims.get("sub", ""))
        name = str(claims.get("name") or claims.get("email") or subject)
        emails = _sign_in_emails(claims, sign_in)
        with session_scope(engine, write=True) as session:
            begin_sign_in(session, viewer=Viewer(subject=subject, name=name, emails=emails), token_hash=key,
                          issued_at=issued, now=now, max_age=sign_in.max_age)
        return
    if known.ended_at is not None:
        raise SignInEnded()
    if too_old or not is_open(known, now):
        with session_scope(engine, write=True) as session:
            end_sign_in(session, token_hash=key, actor=known.subject, reason=EXPIRED, now=now)
        raise SignInExpired()


def _sign_in_emails(claims: dict, sign_in: SignIn) -> tuple[str, ...]:
    # The `email` claim first when it is trusted, then the other trusted names (upn, preferred_username).
    trusted = trusted_emails(claims, entra=sign_in.entra)
    own = str(claims.get("email") or "").strip().lower()
    return tuple(sorted(trusted, key=lambda e: e != own))


def _resolved(engine: Engine, now: datetime, **who) -> Viewer:
    # Grants are read on every rerun, so a removed grant takes effect at once.
    with session_scope(engine) as session:
        viewer = viewer_for(session, **who)
    if st.session_state.get(_SIGNED_IN_KEY) != viewer.subject:
        try:
            with session_scope(engine, write=True) as session:
                record_sign_in(session, viewer=viewer, now=now)
        except OperationalError as problem:
            # A busy database does not keep anyone out: the sign-in is recorded on the next rerun.
            if not is_busy(problem):
                raise
            LOG.warning("sign-in of %s not recorded yet, the database is busy", viewer.subject)
            return viewer
        st.session_state[_SIGNED_IN_KEY] = viewer.subject
    return viewer


def _groups(claims: dict, graph: GraphSettings | None) -> tuple[str, ...]:
    cached = st.session_state.get(_GROUPS_KEY)
    if cached is not None:
        return cached
    try:
        groups = group_ids(claims, graph)
    except GraphError as problem:
        LOG.warning("group overage could not be resolved: %s", problem)
        raise GroupsUnavailable() from None
    st.session_state[_GROUPS_KEY] = groups
    return groups
