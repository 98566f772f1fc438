"""The participant's page of a duel, /duel?d=CODE: no sign-in, no name; compare two answers at a time, add one's own.

Made for a phone (one column, big buttons), a keyboard (every choice is a button, in reading order) and a
screen reader (the question is a heading's text, the choices are the buttons' names).
"""
from __future__ import annotations

import logging
import secrets

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from board.duel import ITEM_TEXT_MAX, InvalidDuel
from data.db import session_scope
from data.duel_voting import TooFast, UnknownDuel, add_answer, invitation, new_device_token, next_pair, vote, votes_of
from data.duels import DuelClosed
from pages.ui import format as fmt
from pages.ui.context import app_context
from pages.ui.language import current
from pages.ui.plain import inert, ours, show
from pages.ui.saving import saving
from pages.ui.texts import known, t, tn

LOG = logging.getLogger(__name__)
context = app_context()

_PAIR = "duel.pair"
_NOTICE = "duel.notice"


def _device_token() -> str:
    # One random token per browser: kept in the address (?p=…) so that a reload of the page keeps it.
    token = (st.query_params.get("p") or "").strip()[:64]
    if not token:
        token = new_device_token()
        st.query_params["p"] = token
    return token


def _invalid(problem: InvalidDuel) -> str:
    key = "duel.error." + problem.reason
    return t(key if known(key) else "duel.error.unknown")


def _notice() -> None:
    notice = st.session_state.pop(_NOTICE, None)
    if notice:
        kind, text = notice
        getattr(st, kind)(ours(text))


def _choose(code: str, token: str, left: int, right: int, winner: int | None) -> None:
    st.session_state.pop(_PAIR, None)
    try:
        with saving(context.engine) as session:
            vote(session, code=code, token=token, left_id=left, right_id=right, winner_id=winner, now=context.now())
    except TooFast:
        st.session_state[_NOTICE] = ("warning", t("duel.too_fast"))
    except DuelClosed:
        pass  # the page says so on this very run
    except InvalidDuel as problem:
        st.session_state[_NOTICE] = ("warning", _invalid(problem))
    except SQLAlchemyError:
        LOG.exception("a duel vote could not be saved")
        st.session_state[_NOTICE] = ("error", t("duel.error.db"))
    else:
        st.session_state[_NOTICE] = ("success", t("duel.voted"))


def _pair(code: str, token: str):
    pair = st.session_state.get(_PAIR)
    if pair is None or pair[0] != code:
        with session_scope(context.engine) as session:
            pair = (code, next_pair(session, code=code, token=token, seed=secrets.randbits(32), now=context.now()))
        st.session_state[_PAIR] = pair
    return pair[1]


def _comparison(code: str, token: str) -> None:
    pair = _pair(code, token)
    if pair is None:
        st.info(t("duel.no_pair"))
        return
    left, right = pair
    st.subheader(t("duel.which"), anchor=False)
    with st.container(key="duel-pair"):
        st.button(inert(left.text), key="duel-left", type="primary", width="stretch",
                  on_click=_choose, args=(code, token, left.id, right.id, left.id))
        st.markdown(t("duel.or"), text_alignment="center")
        st.button(inert(right.text), key="duel-right", type="primary", width="stretch",
                  on_click=_choose, args=(code, token, left.id, right.id, right.id))
        st.button(t("duel.cant_say"), key="duel-skip", width="stretch",
                  on_click=_choose, args=(code, token, left.id, right.id, None))


def _add_own(code: str, token: str) -> None:
    st.subheader(t("duel.add.heading"), anchor=False)
    with st.form("duel-add", clear_on_submit=True, border=False):
        text = st.text_area(t("duel.add.label", most=fmt.number(ITEM_TEXT_MAX)), max_chars=ITEM_TEXT_MAX,
                            key="duel-own", height=80)
        if not st.form_submit_button(t("duel.add.submit"), width="stretch"):
            return
    try:
        with saving(context.engine) as session:
            add_answer(session, code=code, token=token, text=text or "", now=context.now())
    except InvalidDuel as problem:
        st.warning(_invalid(problem))
    except DuelClosed:
        st.warning(t("duel.closed"))
    except SQLAlchemyError:
        LOG.exception("a participant's answer could not be saved")
        st.error(t("duel.error.db"))
    else:
        st.session_state.pop(_PAIR, None)
        st.success(t("duel.add.done"))


def main() -> None:
    code = (st.query_params.get("d") or "").strip()
    st.title(t("duel.title"), anchor=False)
    try:
        with session_scope(context.engine) as session:
            duel = invitation(session, code=code, now=context.now(), language=current())
    except UnknownDuel:
        st.warning(t("duel.unknown"))
        return
    st.subheader(inert(duel.question), anchor=False)
    show(duel.unit_name)
    if not duel.is_open:
        st.info(t("duel.closed"))
        return
    token = _device_token()
    st.caption(t("duel.intro"))
    _notice()
    try:
        _comparison(code, token)
    except DuelClosed:
        st.info(t("duel.closed"))
        return
    with session_scope(context.engine) as session:
        mine = votes_of(session, code=code, token=token)
    st.caption(tn("duel.count", mine, n=fmt.number(mine)))
    _add_own(code, token)


main()
