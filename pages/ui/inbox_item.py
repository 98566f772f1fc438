"""One feedback in the inbox: its card, its reply status, and the forms that handle it.

The callbacks get the id and the version of the row as it was shown, read the inputs from the
session state and write in one transaction (pages/ui/inbox_outcome.py).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import streamlit as st

from board.likert import STATEMENT_KEYS
from board.periods import helsinki_date, helsinki_midnight_utc
from board.triage import IDEA, NEEDS_REPLY, NO_ACTION, THANKS, triage
from data.handling import attach_to_theme, mark_no_reply_needed, mark_replied, pick_quote, undo_mark
from data.assignment import Assignee
from data.inbox import InboxRow, ReplyStatus
from data.themes import ThemeChoice
from pages.ui import format as fmt
from pages.ui.context import AppContext
from pages.ui.inbox_assign import assign_form, assigned_badge
from pages.ui.inbox_outcome import SAVED, act, show_outcome
from pages.ui.inbox_text import arrival_text, coded_label, user_text
from pages.ui.texts import t
from pages.ui.theme_picker import by_title, theme_given, theme_inputs
from pages.ui import topic_tags
from pages.ui.topic_tags import PageTopics, topic_keys

PICK = "inbox-pick-{}"         # the checkbox of one item, for handling many at once


def _reply_moment(day: date, received_at: datetime, now: datetime) -> datetime:
    """When a reply marked on a day was sent: now for today, else noon of that day within the allowed range."""
    if day >= helsinki_date(now):
        return now
    return min(max(helsinki_midnight_utc(day) + timedelta(hours=12), received_at), now)


def _on_reply(context: AppContext, feedback_id: int, seen: int, received_at: datetime) -> None:
    now = context.now()
    day = st.session_state.get(f"inbox-reply-date-{feedback_id}") or helsinki_date(now)
    if act(context, f"item:{feedback_id}", lambda s: mark_replied(
            s, viewer=context.viewer, feedback_id=feedback_id, seen_version=seen,
            replied_at=_reply_moment(day, received_at, now), now=now)):
        st.toast(t("inbox.done.reply"), icon=SAVED)


def _on_no_reply(context: AppContext, feedback_id: int, seen: int) -> None:
    reason = st.session_state.get(f"inbox-noreply-reason-{feedback_id}") or ""
    if act(context, f"item:{feedback_id}", lambda s: mark_no_reply_needed(
            s, viewer=context.viewer, feedback_id=feedback_id, seen_version=seen, reason=reason, now=context.now())):
        st.toast(t("inbox.done.no_reply"), icon=SAVED)


def _on_undo(context: AppContext, feedback_id: int, seen: int) -> None:
    if act(context, f"item:{feedback_id}", lambda s: undo_mark(
            s, viewer=context.viewer, feedback_id=feedback_id, seen_version=seen, now=context.now())):
        st.toast(t("inbox.done.undo"), icon=SAVED)


def _on_attach(context: AppContext, feedback_id: int, existing: dict[str, int]) -> None:
    given = theme_given(f"inbox-attach-{feedback_id}", existing)
    if act(context, f"item:{feedback_id}",
           lambda s: attach_to_theme(s, viewer=context.viewer, feedback_id=feedback_id, now=context.now(), **given)):
        st.session_state.pop(f"inbox-attach-{feedback_id}-new", None)
        st.toast(t("inbox.done.attach"), icon=SAVED)


def _on_quote(context: AppContext, feedback_id: int, seen: int, picked: bool) -> None:
    if act(context, f"item:{feedback_id}", lambda s: pick_quote(s, viewer=context.viewer, feedback_id=feedback_id,
                                                                seen_version=seen, picked=picked, now=context.now())):
        st.toast(t("inbox.done.quote") if picked else t("inbox.done.unquote"), icon=SAVED)


def _scores(row: InboxRow) -> str:
    parts = [t("inbox.item.nps", score=fmt.number(row.nps)) if row.nps is not None else t("inbox.item.no_nps")]
    for key in STATEMENT_KEYS:
        score = row.statements.get(key)
        if score is not None:
            kind = "inbox.item.statement_low" if score <= 2 else "inbox.item.statement"
            parts.append(t(kind, label=t("inbox.statement." + key), score=fmt.number(score)))
    return " \u2002·\u2002 ".join(parts)


def _reply_badges(row: InboxRow) -> None:
    if row.status is ReplyStatus.AWAITING and row.days_left is not None:
        if row.overdue:
            label = (t("inbox.due.overdue", days=fmt.number(-row.days_left)) if row.days_left < 0
                     else t("inbox.due.overdue_today"))
            color, icon = "red", ":material/error:"
        elif row.days_left == 0:
            label, color, icon = t("inbox.due.today"), "orange", ":material/schedule:"
        else:
            label = t("inbox.due.days", days=fmt.number(row.days_left))
            color, icon = ("orange", ":material/schedule:") if row.due_soon or row.days_left <= 3 else \
                ("blue", ":material/schedule:")
        st.badge(t("inbox.status.awaiting"), color="gray", icon=":material/mail:")
        st.badge(label, color=color, icon=icon)
        st.caption(t("inbox.due.date", day=fmt.day(helsinki_date(row.due_at))))
    elif row.status is ReplyStatus.REPLIED:
        st.badge(t("inbox.state.replied", day=fmt.day(helsinki_date(row.replied_at))), color="green",
                 icon=":material/mark_email_read:")
        if row.replied_by:
            st.caption(user_text(row.replied_by))
    elif row.status is ReplyStatus.NO_REPLY_NEEDED:
        st.badge(t("inbox.state.no_reply"), color="gray", icon=":material/do_not_disturb_on:")
        st.caption(user_text(row.no_reply_reason or ""))
    else:
        st.badge(t("inbox.state.not_requested"), color="gray", icon=":material/remove:")


def _answers(row: InboxRow) -> list[tuple[str, str]]:
    answers = [(key, (text or "").strip()) for key, text in (("inbox.item.open_answer", row.open_answer),
                                                             ("inbox.item.free_text", row.free_text))]
    return [(key, text) for key, text in answers if text]


def _texts(row: InboxRow) -> None:
    answers = _answers(row)
    if not answers:
        st.caption(t("inbox.item.no_text"))
    for key, text in answers:
        # st.text: no markdown at all, so not even a bare address in the customer's text becomes a link.
        st.caption(t(key))
        st.text(text)


def _reply_form(context: AppContext, row: InboxRow, today: date) -> None:
    with st.popover(t("inbox.act.reply"), icon=":material/mark_email_read:"):
        with st.form(f"inbox-reply-{row.id}", border=False):
            st.date_input(t("inbox.act.reply_date"), value=today, format=fmt.date_entry(),
                          min_value=min(helsinki_date(row.received_at), today), max_value=today,
                          key=f"inbox-reply-date-{row.id}")
            st.caption(t("inbox.act.reply_by", name=user_text(context.viewer.name)))
            st.form_submit_button(t("inbox.act.save"), type="primary", key=f"inbox-reply-save-{row.id}",
                                  on_click=_on_reply, args=(context, row.id, row.version, row.received_at))


def _no_reply_form(context: AppContext, row: InboxRow) -> None:
    with st.popover(t("inbox.act.no_reply"), icon=":material/do_not_disturb_on:"):
        with st.form(f"inbox-noreply-{row.id}", border=False):
            st.text_input(t("inbox.act.no_reply_reason"), placeholder=t("inbox.act.no_reply_placeholder"),
                          key=f"inbox-noreply-reason-{row.id}", max_chars=400)
            st.form_submit_button(t("inbox.act.save"), type="primary", key=f"inbox-noreply-save-{row.id}",
                                  on_click=_on_no_reply, args=(context, row.id, row.version))


def _attach_form(context: AppContext, row: InboxRow, choices: list[ThemeChoice]) -> None:
    with st.popover(t("inbox.act.attach"), icon=":material/label:"):
        with st.form(f"inbox-attach-{row.id}", border=False):
            theme_inputs(choices, f"inbox-attach-{row.id}")
            st.form_submit_button(t("inbox.act.save"), type="primary", key=f"inbox-attach-save-{row.id}",
                                  on_click=_on_attach, args=(context, row.id, by_title(choices)))


def _quote_button(context: AppContext, row: InboxRow) -> None:
    if not ((row.open_answer or "").strip() or (row.free_text or "").strip()):
        return
    st.button(t("inbox.act.unquote") if row.quote else t("inbox.act.quote"), key=f"inbox-quote-{row.id}",
              icon=":material/format_quote:", on_click=_on_quote,
              args=(context, row.id, row.version, not row.quote))


def _actions(context: AppContext, row: InboxRow, choices: list[ThemeChoice], today: date,
             people: list[Assignee]) -> None:
    with st.container(horizontal=True, key=f"inbox-actions-{row.id}"):
        if row.status in (ReplyStatus.AWAITING, ReplyStatus.NO_REPLY_NEEDED):
            _reply_form(context, row, today)
        if row.status is ReplyStatus.AWAITING:
            _no_reply_form(context, row)
        if row.status in (ReplyStatus.REPLIED, ReplyStatus.NO_REPLY_NEEDED):
            undo = "inbox.act.undo_reply" if row.status is ReplyStatus.REPLIED else "inbox.act.undo_no_reply"
            st.button(t(undo), key=f"inbox-undo-{row.id}", icon=":material/undo:", on_click=_on_undo,
                      args=(context, row.id, row.version))
        if row.reply_requested:
            assign_form(context, row, people)
        _attach_form(context, row, choices)
        _quote_button(context, row)


TRIAGE_LOOK = {NEEDS_REPLY: ("orange", ":material/reply:"), IDEA: ("blue", ":material/lightbulb:"),
               THANKS: ("green", ":material/favorite:"), NO_ACTION: ("gray", ":material/check:")}


def _triage_badges(row: InboxRow, keys: tuple[str, ...]) -> None:
    text = "\n".join(part for part in (row.open_answer, row.free_text) if part)
    sorted_as = triage(text=text, nps=row.nps, reply_awaited=row.status is ReplyStatus.AWAITING, topic_keys=keys)
    if sorted_as is None:
        return
    color, icon = TRIAGE_LOOK[sorted_as.pile]
    st.badge(t("triage." + sorted_as.pile), color=color, icon=icon, help=t("triage.help"))
    if sorted_as.read_whole:
        st.badge(t("triage.read_whole"), color="violet", icon=":material/menu_book:")


def inbox_item(context: AppContext, row: InboxRow, *, handles: bool, choices: list[ThemeChoice],
               topics: PageTopics, outcome: dict | None, today: date, people: list[Assignee] = ()) -> None:
    """One feedback's card (`inbox-item-ID`); with `handles`, its checkbox and the forms that handle it."""
    with st.container(border=True, key=f"inbox-item-{row.id}"):
        if outcome:
            show_outcome(outcome, {row.id: row})
        columns = st.columns([0.3, 8, 2.2] if handles else [8, 2.2], gap="medium")
        if handles:
            columns[0].checkbox(t("inbox.item.select"), key=PICK.format(row.id), label_visibility="collapsed")
        body, side = columns[-2], columns[-1]
        with body:
            how = t("inbox.item.channel", channel=user_text(coded_label("inbox.channel.", row.channel)),
                    collection=user_text(coded_label("collection.", row.collection)))
            st.markdown(f"**{user_text(row.unit_name)}** \u2002·\u2002 {arrival_text(row.received_at)} "
                        f"\u2002·\u2002 :gray[{how}]")
            st.markdown(_scores(row))
            _texts(row)
            if row.record_url:  # built from the profile's https template, the source id URL-encoded
                st.link_button(t("inbox.item.source_link"), row.record_url, icon=":material/open_in_new:",
                               type="tertiary")
            if _answers(row):  # topics are what a text is about: an answer of numbers alone has none
                topic_tags.render(context, topics[0], topics[1], editable=handles)
            if row.theme_ids or row.quote:
                with st.container(horizontal=True, vertical_alignment="center"):
                    if row.quote:
                        st.badge(t("inbox.item.quote"), color="violet", icon=":material/format_quote:")
                    if row.theme_ids:
                        names = ", ".join(user_text(title) for title in row.theme_titles)
                        st.markdown(":material/label: " + t("inbox.item.themes", titles=names))
            if handles:
                _actions(context, row, choices, today, list(people))
        with side:
            _reply_badges(row)
            _triage_badges(row, topic_keys(*topics))
            assigned_badge(row)
