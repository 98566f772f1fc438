"""Huddle mode on the wall screen: the guided agenda with time left per step, capture (form or QR), the huddle log.

A kiosk screen runs the agenda and shows the QR code, but writes nothing else (no log, no form).
"""
from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import segno
import streamlit as st

from auth.access import AccessDenied, may_anywhere
from auth.roles import Permission
from board.content_language import InLanguage
from board.handling import InvalidHandling
from board.huddle import LENGTHS, PROMPT_MAX, SECTIONS, HuddleRuleBroken, agenda, time_left
from board.periods import helsinki_date
from data.db import session_scope
from data.huddle import (
    end_huddle,
    huddle_log,
    huddle_prompts,
    huddle_prompts_in,
    prompt_translations,
    issue_capture_link,
    set_huddle_prompt,
    start_huddle,
)
from data.editing import StaleEdit
from data.themes import create_theme
from pages.ui import format as fmt
from pages.ui.context import AppContext
from pages.ui.language import current
from pages.ui.plain import in_language, inert, ours, show
from pages.ui.saving import saving
from pages.ui.texts import t

LOG_DAYS = 14
TICK_SECONDS = 5


def refusal_key(problem: Exception) -> str:
    """The catalogue key of the reader's message for a refused huddle input."""
    if isinstance(problem, StaleEdit):
        return "hm.error.stale"
    reason = getattr(problem, "reason", "other")
    return f"hm.error.{reason}" if reason in _REASONS else "hm.error.other"


_REASONS = {"too_long", "reason_missing", "note_missing", "title_missing", "no_parent", "capture_expired",
            "capture_used_up", "capture_too_fast", "present_not_a_count"}
REFUSED = (HuddleRuleBroken, InvalidHandling, StaleEdit, AccessDenied)


def _state_key(unit_code: str) -> str:
    return f"vartti.huddle_mode.{unit_code}"


def _person(context: AppContext) -> bool:
    return context.viewer is not None and not context.viewer.is_kiosk


def huddle_mode(context: AppContext, unit_code: str) -> None:
    """The huddle's own panel under the board: start, step through, capture, log."""
    with st.container(key="huddle-mode", border=True):
        st.subheader(t("hm.title"), anchor=False)
        running = st.session_state.get(_state_key(unit_code))
        agenda_column, capture_column = st.columns([3, 2], gap="medium")
        with agenda_column:
            if running is None:
                _start_buttons(context, unit_code)
            else:
                _agenda(context, unit_code, running)
        with capture_column:
            _qr_code(context, unit_code)
            if _person(context) and may_anywhere(context.viewer, Permission.EDIT_THEMES):
                _capture_form(context, unit_code)
        if _person(context) and may_anywhere(context.viewer, Permission.EDIT_THEMES):
            _prompt_editor(context, unit_code)
        _log(context, unit_code)


def _start_buttons(context: AppContext, unit_code: str) -> None:
    for column, minutes in zip(st.columns(len(LENGTHS)), LENGTHS):
        with column:
            if st.button(t("hm.start", minutes=fmt.number(minutes)), key=f"hm-start-{minutes}", type="primary"):
                _start(context, unit_code, minutes)


def _start(context: AppContext, unit_code: str, minutes: int) -> None:
    now = context.now()
    state = {"minutes": minutes, "step": 0, "step_started": now, "started": now, "huddle_id": None, "version": None}
    if _person(context) and may_anywhere(context.viewer, Permission.RUN_HUDDLE):
        with saving(context.engine) as session:
            huddle = start_huddle(session, viewer=context.viewer, unit_code=unit_code, minutes=minutes, now=now)
            state["huddle_id"], state["version"] = huddle.id, huddle.version
    st.session_state[_state_key(unit_code)] = state
    st.rerun()


def _own_prompt(context: AppContext, unit_code: str, section: str) -> InLanguage | None:
    """The unit's own prompt of a section (user text) in the reader's language or Finnish; None: the default."""
    with session_scope(context.engine) as session:
        return huddle_prompts_in(session, viewer=context.viewer, unit_code=unit_code, language=current())[section]


def _agenda(context: AppContext, unit_code: str, state: dict) -> None:
    steps = agenda(state["minutes"])
    if state["step"] >= len(steps):
        _finish(context, unit_code, state)
        return
    step = steps[state["step"]]
    with st.container(key="hm-step"):
        st.subheader(t("hm.step", n=fmt.number(state["step"] + 1), total=fmt.number(len(steps)),
                       title=t(f"hm.section.{step.section}")), anchor=False)
        own = _own_prompt(context, unit_code, step.section)
        if own is not None:
            in_language(own.text, language=own.language,
                        note=t("content.in_finnish") if own.language != current() else None)
        else:
            st.write(t(f"hm.prompt.{step.section}"))
        _time_left(context, step, state["step_started"])
    back, forward, stop = st.columns(3)
    with back:
        if st.button(t("hm.previous"), key="hm-previous", disabled=state["step"] == 0):
            _go(unit_code, state, state["step"] - 1, context)
    with forward:
        if st.button(t("hm.next"), key="hm-next", type="primary"):
            _go(unit_code, state, state["step"] + 1, context)
    with stop:
        if st.button(t("hm.finish"), key="hm-finish"):
            _go(unit_code, state, len(steps), context)


@st.fragment(run_every=TICK_SECONDS)
def _time_left(context: AppContext, step, step_started) -> None:
    seconds = time_left(step, step_started, context.now())
    if seconds:
        st.write(t("hm.time_left", minutes=fmt.number(seconds // 60), seconds=inert(f"{seconds % 60:02d}")))
    else:
        st.write(t("hm.time_up"))


def _go(unit_code: str, state: dict, step: int, context: AppContext) -> None:
    st.session_state[_state_key(unit_code)] = {**state, "step": step, "step_started": context.now()}
    st.rerun()


def _finish(context: AppContext, unit_code: str, state: dict) -> None:
    if state["huddle_id"] is None:
        st.write(t("hm.ended_kiosk"))
        if context.viewer.is_kiosk:
            st.caption(t("hm.not_logged"))
        if st.button(t("hm.start", minutes=fmt.number(state["minutes"])), key="hm-again"):
            _start(context, unit_code, state["minutes"])
        return
    with st.form("hm-end"):
        present = st.number_input(t("hm.present"), min_value=0, max_value=500, step=1, value=None)
        if st.form_submit_button(t("hm.save_end"), type="primary"):
            try:
                with saving(context.engine) as session:
                    end_huddle(session, viewer=context.viewer, huddle_id=state["huddle_id"],
                               seen_version=state["version"], present=None if present is None else int(present),
                               now=context.now())
            except REFUSED as problem:
                st.error(t(refusal_key(problem)))
                return
            st.session_state.pop(_state_key(unit_code), None)
            minutes = max(0, round((context.now() - state["started"]).total_seconds() / 60))
            st.session_state["vartti.huddle_mode.done"] = t(
                "hm.ended", minutes=fmt.number(minutes),
                present=fmt.number(present) if present is not None else t("hm.log.unknown"))
            st.rerun()


def _capture_url(token: str) -> str:
    """The capture page on the address the wall screen itself was opened with."""
    address = urlsplit(st.context.url or "")
    base = f"{address.scheme}://{address.netloc}" if address.netloc else ""
    return f"{base}/capture?{urlencode({'token': token, 'lang': current()})}"


def _qr_code(context: AppContext, unit_code: str) -> None:
    with st.container(key="hm-qr"):
        st.markdown("**" + t("hm.qr.title") + "**")
        issued = st.session_state.get(f"vartti.capture.{unit_code}")
        now = context.now()
        if issued and now < issued[1]:
            url = _capture_url(issued[0])
            png = io.BytesIO()
            segno.make(url, error="m").save(png, kind="png", scale=6, border=2)
            st.image(png.getvalue(), width=220, caption=t("hm.qr.valid", time=fmt.clock(issued[1])))
            st.caption(t("hm.qr.link"))
            with st.container(key="hm-capture-link"):
                show(url)
            return
        if st.button(t("hm.qr.show"), key="hm-qr-show", icon=":material/qr_code_2:"):
            with saving(context.engine) as session:
                link = issue_capture_link(session, viewer=context.viewer, unit_code=unit_code, now=now)
            st.session_state[f"vartti.capture.{unit_code}"] = (link.token, link.expires_at)
            st.rerun()


def _capture_form(context: AppContext, unit_code: str) -> None:
    with st.form("hm-capture", clear_on_submit=True):
        title = st.text_input(t("hm.capture.label"), max_chars=200)
        if st.form_submit_button(t("hm.capture.add")):
            try:
                with saving(context.engine) as session:
                    create_theme(session, viewer=context.viewer, unit_code=unit_code, title=title, now=context.now())
            except REFUSED as problem:
                st.error(t(refusal_key(problem)))
                return
            st.success(t("hm.capture.added"))


def _prompt_editor(context: AppContext, unit_code: str) -> None:
    with st.expander(t("hm.edit_prompts")):
        with session_scope(context.engine) as session:
            prompts = huddle_prompts(session, viewer=context.viewer, unit_code=unit_code)
            translated = prompt_translations(session, viewer=context.viewer, unit_code=unit_code)
        with st.form("hm-prompts"):
            typed, translations = {}, {}
            for section in SECTIONS:
                # Finnish (the prompt itself) and its Swedish and English versions side by side.
                fi, sv, en = st.columns(3)
                typed[section] = fi.text_input(t("hm.prompt_label", section=t(f"hm.section.{section}")),
                                               value=prompts[section][0] if prompts[section] else "",
                                               max_chars=PROMPT_MAX, key=f"hm-prompt-{section}")
                own = translated.get(section, {})
                translations[section] = {
                    language: column.text_input(t(f"hm.prompt_label_{language}"), value=own.get(language) or "",
                                                max_chars=PROMPT_MAX, key=f"hm-prompt-{section}-{language}")
                    for language, column in (("sv", sv), ("en", en))}
            if st.form_submit_button(t("hm.save_prompts")):
                try:
                    with saving(context.engine) as session:
                        for section, text in typed.items():
                            set_huddle_prompt(session, viewer=context.viewer, unit_code=unit_code, section=section,
                                              text=text, seen_version=prompts[section][1] if prompts[section] else None,
                                              translations=translations[section], now=context.now())
                except REFUSED as problem:
                    st.error(t(refusal_key(problem)))
                    return
                st.success(t("hm.prompts_saved"))


def _log(context: AppContext, unit_code: str) -> None:
    done = st.session_state.pop("vartti.huddle_mode.done", None)
    if done:
        st.success(ours(done))
    today = helsinki_date(context.now())
    with session_scope(context.engine) as session:
        log = huddle_log(session, viewer=context.viewer, unit_code=unit_code, first=today - timedelta(days=LOG_DAYS - 1),
                         last=today)
    with st.expander(t("hm.log.title"), expanded=done is not None):
        st.write(t("hm.log.held", held=fmt.number(log.held_days), days=fmt.number(log.working_days)))
        if not log.entries:
            st.write(t("hm.log.none"))
        for entry in log.entries:
            lasted = t("hm.log.running") if entry.minutes is None else t("hm.log.minutes",
                                                                         minutes=fmt.number(entry.minutes))
            counted = t("hm.log.unknown") if entry.present is None else fmt.number(entry.present)
            st.markdown(t("hm.log.entry", start=inert(f"{fmt.day(helsinki_date(entry.started_at))} {fmt.clock(entry.started_at)}"),
                          minutes=lasted, present=counted, decisions=fmt.number(len(entry.decisions))))
            for decision in entry.decisions:
                st.markdown("- " + t("hm.log.decision", action=t(f"hm.decision.{decision.action}"),
                                     title=inert(decision.title)))
        if log.not_held:
            st.caption(t("hm.log.not_held", days=", ".join(fmt.day(day) for day in log.not_held[:5])))
