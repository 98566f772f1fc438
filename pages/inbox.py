"""`/inbox`: the feedback of the viewer's units, newest first: filters, replies, themes, quotes — one or many.

Every write runs in the callback of the button the user clicked, with the id and version of the row
as that button was rendered: the version the user saw. A change made by someone else in between is
caught as a StaleEdit, never overwritten, and the run that follows shows the rows as they are now.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import streamlit as st
from sqlmodel import Session

from auth.access import AccessDenied, can, may_anywhere
from auth.roles import Permission
from board.handling import InvalidHandling
from board.kanban import IllegalMove
from board.likert import STATEMENT_KEYS
from board.periods import Period, helsinki_date, helsinki_midnight_utc
from data.db import session_scope
from data.models import Unit
from data.services import (
    INBOX_PAGE,
    Deadline,
    HandleAction,
    InboxFilters,
    InboxPage,
    InboxRow,
    ReplyStatus,
    RowState,
    StaleEdit,
    ThemeChoice,
    UnknownItem,
    UnknownUnit,
    attach_to_theme,
    handle_many,
    inbox,
    list_units,
    mark_no_reply_needed,
    mark_replied,
    pick_quote,
    reply_status,
    theme_choices,
)
from pages.ui.saving import saving
from pages.ui import format as fmt
from pages.ui import topic_tags, topic_trends
from pages.ui.context import app_context
from pages.ui.language import current
from pages.ui.plain import inert
from pages.ui.refusal import refuse
from pages.ui.texts import t, tn

context = app_context()
viewer = context.viewer

OUTCOME = "inbox.outcome"      # why the last write was refused, shown once in the run that follows
PAGE = "inbox.page"            # the page of results, from 0
PICK = "inbox-pick-{}"         # the checkbox of one item, for handling many at once
CHANNELS = ("toimipiste", "puhelin", "chat_video", "verkko", "kotikaynti")
COLLECTIONS = ("sms", "kiosk", "web", "tablet", "paper", "email", "phone", "social")
NPS_GROUPS = ("promoter", "passive", "detractor")
BULK_ACTIONS = ("reply_sent", "no_reply_needed", "attach", "quote", "unquote")
FILTERS = ("inbox-f-text", "inbox-f-status", "inbox-f-deadline", "inbox-f-unit", "inbox-f-nps",  # widget keys
           "inbox-f-requested", "inbox-f-channel", "inbox-f-collection", "inbox-f-dates", "inbox-f-low")



def _user(text: str) -> str:
    """User text for st.markdown: every markdown/HTML character escaped, entities too, line breaks kept."""
    return inert(text).replace("\n", "  \n")


def _label(prefix: str, value: str | None) -> str:
    """The catalogue name of a coded value (channel, collection); an unknown code is shown as it is."""
    try:
        return t(prefix + (value or ""))
    except KeyError:
        return value or "–"


def _any(text_key: str) -> Callable[[str], str]:
    return lambda value: t(text_key + value) if value else t("inbox.filter.all")


def _when(moment: datetime) -> str:
    return t("inbox.item.received", day=fmt.day(helsinki_date(moment)), time=fmt.clock(moment))


# --- Filters and paging ------------------------------------------------------------------------

def _first_page() -> None:
    st.session_state[PAGE] = 0


FILTER_DEFAULTS = {"inbox-f-text": "", "inbox-f-dates": (), "inbox-f-low": False}  # the selectboxes: ""


def _clear_filters() -> None:
    # Set, not deleted: a deleted key resets the filter on the server only; the browser would keep
    # showing the old choice and send it again with the next change.
    for key in FILTERS:
        st.session_state[key] = FILTER_DEFAULTS.get(key, "")
    _first_page()


def _turn_page(step: int) -> None:
    st.session_state[PAGE] = max(0, st.session_state.get(PAGE, 0) + step)


def _unit_label(units: dict[str, Unit]) -> Callable[[str], str]:
    top = min((u.path.count("/") for u in units.values()), default=0)

    def label(code: str) -> str:
        if not code:
            return t("inbox.filter.all_units")
        unit = units[code]
        return "\u2003" * (unit.path.count("/") - top) + unit.name(current())
    return label


def _filter_bar(units: dict[str, Unit], today: date) -> InboxFilters:
    soon_days = context.settings.reply_policy.soon_days
    with st.container(border=True, key="inbox-filters"):
        first = st.columns([2.2, 1.3, 1.3, 1.6, 1.3], vertical_alignment="bottom")
        text = first[0].text_input(t("inbox.filter.text"), placeholder=t("inbox.filter.text_placeholder"),
                                   key="inbox-f-text", on_change=_first_page)
        status = first[1].selectbox(t("inbox.filter.status"), ["", *[s.value for s in ReplyStatus]],
                                    format_func=_any("inbox.status."), key="inbox-f-status", on_change=_first_page)
        deadline = first[2].selectbox(
            t("inbox.filter.deadline"), ["", *[d.value for d in Deadline]],
            format_func=lambda d: (t("inbox.filter.all") if not d else
                                   t("inbox.deadline." + d, days=soon_days)),
            key="inbox-f-deadline", on_change=_first_page)
        unit = first[3].selectbox(t("inbox.filter.unit"), ["", *units], format_func=_unit_label(units),
                                  key="inbox-f-unit", on_change=_first_page, disabled=len(units) < 2)
        nps_group = first[4].selectbox(t("inbox.filter.nps_group"), ["", *NPS_GROUPS],
                                       format_func=_any("inbox.nps."), key="inbox-f-nps", on_change=_first_page)
        second = st.columns([1.3, 1.3, 1.3, 1.9, 1.2, 1.0], vertical_alignment="bottom")
        requested = second[0].selectbox(
            t("inbox.filter.requested"), ["", "yes", "no"], format_func=_any("inbox.filter."),
            key="inbox-f-requested", on_change=_first_page)
        channel = second[1].selectbox(t("inbox.filter.channel"), ["", *CHANNELS],
                                      format_func=_any("inbox.channel."), key="inbox-f-channel",
                                      on_change=_first_page)
        collection = second[2].selectbox(t("inbox.filter.collection"), ["", *COLLECTIONS],
                                         format_func=_any("collection."), key="inbox-f-collection",
                                         on_change=_first_page)
        dates = second[3].date_input(t("inbox.filter.dates"), value=(), max_value=today, format=fmt.date_entry(),
                                     key="inbox-f-dates", on_change=_first_page)
        low = second[4].checkbox(t("inbox.filter.low"), key="inbox-f-low", on_change=_first_page)
        second[5].button(t("inbox.filter.clear"), key="inbox-f-clear", on_click=_clear_filters,
                         icon=":material/filter_alt_off:", type="tertiary")
    chosen = [day for day in (dates or ()) if day]
    return InboxFilters(
        status=ReplyStatus(status) if status else None,
        reply_requested={"yes": True, "no": False}.get(requested),
        deadline=Deadline(deadline) if deadline else None,
        unit_code=unit or None,
        channel=channel or None,
        collection=collection or None,
        nps_group=nps_group or None,
        low_statement=bool(low),
        period=Period(chosen[0], chosen[-1]) if chosen else None,
        text=text.strip() or None,
    )


def _pager(page: InboxPage, where: str) -> None:
    pages = max(1, -(-page.total // page.limit))
    number = page.offset // page.limit
    left, right = st.columns([3, 2], vertical_alignment="center")
    if where == "top":
        count = tn("inbox.count", page.total, n=fmt.number(page.total))
        left.markdown(f"### {count}")
    if pages < 2:
        return
    shown = t("inbox.showing", first=fmt.number(page.offset + 1), last=fmt.number(page.offset + len(page.rows)))
    with right, st.container(horizontal=True, horizontal_alignment="right", vertical_alignment="center"):
        st.markdown(f":gray[{shown}]", width="content")
        st.button(t("inbox.prev"), key=f"inbox-prev-{where}", icon=":material/chevron_left:",
                  disabled=number == 0, on_click=_turn_page, args=(-1,))
        st.markdown(t("inbox.page", page=fmt.number(number + 1), pages=fmt.number(pages)), width="content")
        st.button(t("inbox.next"), key=f"inbox-next-{where}", icon=":material/chevron_right:",
                  icon_position="right", disabled=number + 1 >= pages, on_click=_turn_page, args=(1,))


# --- Writing -----------------------------------------------------------------------------------

def _act(target: str, change: Callable[[Session], object], success: str,
         done: Callable[[], None] | None = None) -> None:
    """One change in its own transaction, from a widget callback; a refusal is kept for the run that follows."""
    try:
        with saving(context.engine) as session:
            change(session)
    except StaleEdit as stale:
        st.session_state[OUTCOME] = {"target": target, "kind": "stale", "states": list(stale.states)}
    except (InvalidHandling, IllegalMove) as invalid:
        st.session_state[OUTCOME] = {"target": target, "kind": "invalid", "reason": invalid.reason}
    except UnknownItem:
        st.session_state[OUTCOME] = {"target": target, "kind": "unknown"}
    except AccessDenied as denied:
        refuse(context, denied)
    else:
        if done:
            done()
        st.toast(success, icon=":material/check_circle:")


def _invalid_text(reason: str) -> str:
    try:
        message = t("inbox.invalid." + reason)
    except KeyError:
        message = t("inbox.invalid.unknown")
    return t("inbox.invalid", message=message)


def _state_text(state: RowState) -> str:
    values = state.values
    status = reply_status(reply_requested=True, replied_at=values.get("replied_at"),
                          no_reply_reason=values.get("no_reply_reason"))
    if status is ReplyStatus.REPLIED:
        replied_on = fmt.day(helsinki_date(values["replied_at"]))
        said = (t("inbox.state.replied_by", day=replied_on, by=_user(values["replied_by"])) if values.get("replied_by")
                else t("inbox.state.replied", day=replied_on))
    elif status is ReplyStatus.NO_REPLY_NEEDED:
        said = t("inbox.state.no_reply_reason", reason=_user(values["no_reply_reason"]))
    else:
        said = t("inbox.state.awaiting")
    quote = t("inbox.state.quote_yes") if values.get("quote_picked_at") else t("inbox.state.quote_no")
    return f"{said} · {quote}"


def _show_outcome(outcome: dict, rows: dict[int, InboxRow]) -> None:
    if outcome["kind"] == "invalid":
        st.error(_invalid_text(outcome["reason"]), icon=":material/error:")
    elif outcome["kind"] == "unknown":
        st.error(t("inbox.unknown"), icon=":material/error:")
    else:
        states = outcome["states"]
        single = outcome["target"] != "bulk"
        message = t("inbox.stale") if single else t("inbox.stale_many", n=fmt.number(len(states)))
        lines = []
        for state in states:
            if state.version is None:
                lines.append(t("inbox.stale_gone"))
                continue
            row = rows.get(state.id)
            lines.append(t("inbox.stale_state", when=_when(row.received_at), state=_state_text(state)) if row
                         else _state_text(state))
        st.warning(message + "\n\n" + "  \n".join(f"**{line}**" if single else f"– {line}" for line in lines),
                   icon=":material/sync_problem:")


def _reply_moment(day: date, received_at: datetime, now: datetime) -> datetime:
    """When a reply marked on a day was sent: now for today, else noon of that day within the allowed range."""
    if day >= helsinki_date(now):
        return now
    return min(max(helsinki_midnight_utc(day) + timedelta(hours=12), received_at), now)


def _theme_given(key: str, existing: dict[str, int]) -> dict:
    """The theme chosen in the inputs under `key`: a typed title makes a new theme (or, when an open theme
    offered there has that title, means that one), otherwise the theme chosen from the list."""
    title = (st.session_state.get(f"{key}-new") or "").strip()
    if title and title.casefold() in existing:
        return {"theme_id": existing[title.casefold()], "new_theme_title": None}
    if title:
        return {"theme_id": None, "new_theme_title": title}
    return {"theme_id": st.session_state.get(f"{key}-theme"), "new_theme_title": None}


def _by_title(choices: list[ThemeChoice]) -> dict[str, int]:
    return {c.title.strip().casefold(): c.id for c in reversed(choices)}


# The callbacks: each gets the id and the version of the row as it was shown, reads the inputs from
# the session state and writes in one transaction.

def _on_reply(feedback_id: int, seen: int, received_at: datetime) -> None:
    now = context.now()
    day = st.session_state.get(f"inbox-reply-date-{feedback_id}") or helsinki_date(now)
    _act(f"item:{feedback_id}", lambda s: mark_replied(
        s, viewer=viewer, feedback_id=feedback_id, seen_version=seen,
        replied_at=_reply_moment(day, received_at, now), now=now), t("inbox.done.reply"))


def _on_no_reply(feedback_id: int, seen: int) -> None:
    reason = st.session_state.get(f"inbox-noreply-reason-{feedback_id}") or ""
    _act(f"item:{feedback_id}", lambda s: mark_no_reply_needed(
        s, viewer=viewer, feedback_id=feedback_id, seen_version=seen, reason=reason, now=context.now()),
        t("inbox.done.no_reply"))


def _on_attach(feedback_id: int, existing: dict[str, int]) -> None:
    given = _theme_given(f"inbox-attach-{feedback_id}", existing)
    _act(f"item:{feedback_id}", lambda s: attach_to_theme(s, viewer=viewer, feedback_id=feedback_id, now=context.now(),
                                                          **given),
         t("inbox.done.attach"), done=lambda: st.session_state.pop(f"inbox-attach-{feedback_id}-new", None))


def _on_quote(feedback_id: int, seen: int, picked: bool) -> None:
    _act(f"item:{feedback_id}", lambda s: pick_quote(s, viewer=viewer, feedback_id=feedback_id, seen_version=seen,
                                                     picked=picked, now=context.now()),
         t("inbox.done.quote") if picked else t("inbox.done.unquote"))


def _on_bulk(picked: list[tuple[int, int]], existing: dict[str, int]) -> None:
    now = context.now()
    action = st.session_state.get("inbox-bulk-action") or BULK_ACTIONS[0]
    verb = HandleAction.QUOTE if action in ("quote", "unquote") else HandleAction(action)
    details: dict = {}
    if verb is HandleAction.REPLY_SENT:
        day = st.session_state.get("inbox-bulk-date") or helsinki_date(now)
        details["replied_at"] = now if day >= helsinki_date(now) else \
            min(helsinki_midnight_utc(day) + timedelta(hours=12), now)
    elif verb is HandleAction.NO_REPLY_NEEDED:
        details["reason"] = st.session_state.get("inbox-bulk-reason") or ""
    elif verb is HandleAction.ATTACH:
        details.update(_theme_given("inbox-bulk", existing))
    else:
        details["picked"] = action == "quote"
    _act("bulk", lambda s: handle_many(s, viewer=viewer, items=picked, action=verb, now=now, **details),
         t("inbox.done.many", n=len(picked)), done=lambda: _select([i for i, _ in picked], False))


def _select(ids: list[int], on: bool) -> None:
    for feedback_id in ids:
        st.session_state[PICK.format(feedback_id)] = on


# --- One item ----------------------------------------------------------------------------------

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
            st.caption(_user(row.replied_by))
    elif row.status is ReplyStatus.NO_REPLY_NEEDED:
        st.badge(t("inbox.state.no_reply"), color="gray", icon=":material/do_not_disturb_on:")
        st.caption(_user(row.no_reply_reason or ""))
    else:
        st.badge(t("inbox.state.not_requested"), color="gray", icon=":material/remove:")


def _texts(row: InboxRow) -> None:
    answers = [(key, (text or "").strip()) for key, text in (("inbox.item.open_answer", row.open_answer),
                                                             ("inbox.item.free_text", row.free_text))]
    answers = [(key, text) for key, text in answers if text]
    if not answers:
        st.caption(t("inbox.item.no_text"))
    for key, text in answers:
        # st.text: no markdown at all, so not even a bare address in the customer's text becomes a link.
        st.caption(t(key))
        st.text(text)


def _reply_form(row: InboxRow, today: date) -> None:
    with st.popover(t("inbox.act.reply"), icon=":material/mark_email_read:"):
        with st.form(f"inbox-reply-{row.id}", border=False):
            st.date_input(t("inbox.act.reply_date"), value=today, format=fmt.date_entry(),
                          min_value=min(helsinki_date(row.received_at), today), max_value=today,
                          key=f"inbox-reply-date-{row.id}")
            st.caption(t("inbox.act.reply_by", name=_user(viewer.name)))
            st.form_submit_button(t("inbox.act.save"), type="primary", key=f"inbox-reply-save-{row.id}",
                                  on_click=_on_reply, args=(row.id, row.version, row.received_at))


def _no_reply_form(row: InboxRow) -> None:
    with st.popover(t("inbox.act.no_reply"), icon=":material/do_not_disturb_on:"):
        with st.form(f"inbox-noreply-{row.id}", border=False):
            st.text_input(t("inbox.act.no_reply_reason"), placeholder=t("inbox.act.no_reply_placeholder"),
                          key=f"inbox-noreply-reason-{row.id}", max_chars=400)
            st.form_submit_button(t("inbox.act.save"), type="primary", key=f"inbox-noreply-save-{row.id}",
                                  on_click=_on_no_reply, args=(row.id, row.version))


def _theme_inputs(choices: list[ThemeChoice], key: str) -> None:
    labels = {c.id: t("inbox.act.theme_label", title=c.title, stage=t("stage." + c.stage.value), unit=c.unit_code)
              for c in choices}
    if labels:
        st.selectbox(t("inbox.act.theme"), list(labels), format_func=labels.get, index=None,
                     placeholder=t("inbox.act.theme_pick"), key=f"{key}-theme")
    else:
        st.caption(t("inbox.act.no_themes"))
    st.text_input(t("inbox.act.new_theme"), help=t("inbox.act.new_theme_help"), key=f"{key}-new", max_chars=200)


def _attach_form(row: InboxRow, choices: list[ThemeChoice]) -> None:
    with st.popover(t("inbox.act.attach"), icon=":material/label:"):
        with st.form(f"inbox-attach-{row.id}", border=False):
            _theme_inputs(choices, f"inbox-attach-{row.id}")
            st.form_submit_button(t("inbox.act.save"), type="primary", key=f"inbox-attach-save-{row.id}",
                                  on_click=_on_attach, args=(row.id, _by_title(choices)))


def _quote_button(row: InboxRow) -> None:
    if not ((row.open_answer or "").strip() or (row.free_text or "").strip()):
        return
    st.button(t("inbox.act.unquote") if row.quote else t("inbox.act.quote"), key=f"inbox-quote-{row.id}",
              icon=":material/format_quote:", on_click=_on_quote,
              args=(row.id, row.version, not row.quote))


def _actions(row: InboxRow, choices: list[ThemeChoice], today: date) -> None:
    with st.container(horizontal=True, key=f"inbox-actions-{row.id}"):
        if row.status in (ReplyStatus.AWAITING, ReplyStatus.NO_REPLY_NEEDED):
            _reply_form(row, today)
        if row.status is ReplyStatus.AWAITING:
            _no_reply_form(row)
        _attach_form(row, choices)
        _quote_button(row)


def _item(row: InboxRow, *, handles: bool, choices: list[ThemeChoice], outcome: dict | None,
          today: date) -> None:
    with st.container(border=True, key=f"inbox-item-{row.id}"):
        if outcome:
            _show_outcome(outcome, {row.id: row})
        columns = st.columns([0.3, 8, 2.2] if handles else [8, 2.2], gap="medium")
        if handles:
            columns[0].checkbox(t("inbox.item.select"), key=PICK.format(row.id), label_visibility="collapsed")
        body, side = columns[-2], columns[-1]
        with body:
            how = t("inbox.item.channel", channel=_user(_label("inbox.channel.", row.channel)),
                    collection=_user(_label("collection.", row.collection)))
            st.markdown(f"**{_user(row.unit_name)}** \u2002·\u2002 {_when(row.received_at)} "
                        f"\u2002·\u2002 :gray[{how}]")
            st.markdown(_scores(row))
            _texts(row)
            topic_tags.render(context, row.id, editable=handles)
            if row.theme_ids or row.quote:
                with st.container(horizontal=True, vertical_alignment="center"):
                    if row.quote:
                        st.badge(t("inbox.item.quote"), color="violet", icon=":material/format_quote:")
                    if row.theme_ids:
                        names = ", ".join(_user(title) for title in row.theme_titles)
                        st.markdown(":material/label: " + t("inbox.item.themes", titles=names))
            if handles:
                _actions(row, choices, today)
        with side:
            _reply_badges(row)


# --- Many items at once ------------------------------------------------------------------------

def _bulk_bar(picked: list[tuple[int, int]], page_ids: list[int], choices: list[ThemeChoice],
              outcome: dict | None, today: date) -> None:
    with st.container(border=True, key="inbox-bulk"):
        if outcome:
            _show_outcome(outcome, {})
        head = st.columns([3, 2], vertical_alignment="center")
        head[0].markdown(f"**{t('inbox.bulk.title')}** \u2002 " + (
            t("inbox.bulk.selected", n=len(picked)) if picked else f":gray[{t('inbox.bulk.none')}]"))
        with head[1], st.container(horizontal=True, horizontal_alignment="right"):
            st.button(t("inbox.bulk.all"), key="inbox-bulk-all", on_click=_select, args=(page_ids, True),
                      icon=":material/select_all:", type="tertiary", disabled=not page_ids)
            st.button(t("inbox.bulk.clear"), key="inbox-bulk-clear", on_click=_select, args=(page_ids, False),
                      icon=":material/deselect:", type="tertiary", disabled=not picked)
        if not picked:
            return
        cells = st.columns([1.4, 3, 1.2], vertical_alignment="bottom")
        action = cells[0].selectbox(t("inbox.bulk.action"), BULK_ACTIONS, format_func=lambda a: t("inbox.bulk." + a),
                                    key="inbox-bulk-action")
        with cells[1]:
            if action == "reply_sent":
                st.date_input(t("inbox.act.reply_date"), value=today, max_value=today, format=fmt.date_entry(),
                              key="inbox-bulk-date")
            elif action == "no_reply_needed":
                st.text_input(t("inbox.act.no_reply_reason"), max_chars=400,
                              placeholder=t("inbox.act.no_reply_placeholder"), key="inbox-bulk-reason")
            elif action == "attach":
                inner = st.columns(2, vertical_alignment="bottom")
                with inner[0]:
                    labels = {c.id: t("inbox.act.theme_label", title=c.title, stage=t("stage." + c.stage.value),
                                      unit=c.unit_code) for c in choices}
                    st.selectbox(t("inbox.act.theme"), list(labels), format_func=labels.get, index=None,
                                 placeholder=t("inbox.act.theme_pick"), key="inbox-bulk-theme")
                with inner[1]:
                    st.text_input(t("inbox.act.new_theme"), help=t("inbox.act.new_theme_help"),
                                  key="inbox-bulk-new", max_chars=200)
        cells[2].button(t("inbox.bulk.do", n=len(picked)), type="primary", key="inbox-bulk-do", width="stretch",
                        on_click=_on_bulk, args=(picked, _by_title(choices)))


# --- The page ----------------------------------------------------------------------------------

def _fits(choice: ThemeChoice, row: InboxRow, units: dict[str, Unit]) -> bool:
    """A theme collects feedback of its own unit's subtree only."""
    home, theme_unit = units.get(row.unit_code), units.get(choice.unit_code)
    return home is None or theme_unit is None or home.path.startswith(theme_unit.path)


def _read(now: datetime) -> tuple[dict[str, Unit], InboxPage, list[ThemeChoice]]:
    """The filter bar and this page of results, read in the rerun's one session."""
    with session_scope(context.engine) as session:
        units = {u.code: u for u in list_units(session, viewer=viewer, permission=Permission.VIEW_FEEDBACK)}
        filters = _filter_bar(units, helsinki_date(now))
        offset = st.session_state.get(PAGE, 0) * INBOX_PAGE
        page = inbox(session, viewer=viewer, filters=filters, now=now, settings=context.settings,
                     limit=INBOX_PAGE, offset=offset, language=current())
        if offset and offset >= page.total:  # fewer results than before: back to the first page
            _first_page()
            page = inbox(session, viewer=viewer, filters=filters, now=now, settings=context.settings,
                         limit=INBOX_PAGE, offset=0, language=current())
        choices = theme_choices(session, viewer=viewer)
    return units, page, choices


def main() -> None:
    now = context.now()
    today = helsinki_date(now)
    st.title(t("nav.inbox"), anchor=False)
    st.caption(t("inbox.intro"))
    topic_trends.render(context)
    if not may_anywhere(viewer, Permission.HANDLE_FEEDBACK):
        st.info(t("inbox.read_only"), icon=":material/visibility:")
    try:
        units, page, choices = _read(now)
    except AccessDenied as denied:
        refuse(context, denied)
        return
    except UnknownUnit:  # a unit closed since the filter was set
        _clear_filters()
        st.rerun()
    outcome = st.session_state.pop(OUTCOME, None)
    target = outcome["target"] if outcome else None
    in_card = any(target == f"item:{row.id}" for row in page.rows)
    handles = {row.id: row.unit_code in units and can(viewer, Permission.HANDLE_FEEDBACK, units[row.unit_code].path)
               for row in page.rows}

    _pager(page, "top")
    if outcome and not in_card and target != "bulk":  # the item is no longer on this page
        _show_outcome(outcome, {row.id: row for row in page.rows})
    if any(handles.values()):
        picked = [(row.id, row.version) for row in page.rows
                  if handles[row.id] and st.session_state.get(PICK.format(row.id))]
        _bulk_bar(picked, [i for i, ok in handles.items() if ok], choices, outcome if target == "bulk" else None,
                  today)
    if not page.rows:
        st.info(t("inbox.empty"), icon=":material/inbox:")
        return
    for row in page.rows:
        _item(row, handles=handles[row.id], choices=[c for c in choices if _fits(c, row, units)],
              outcome=outcome if in_card and target == f"item:{row.id}" else None, today=today)
    _pager(page, "bottom")


main()
