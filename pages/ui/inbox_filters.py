"""The inbox's filter bar and its pager: what the supervisor narrows the inbox to, and which page is shown."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

import streamlit as st

from board.periods import PERIOD_KINDS, Period, parse_period_key
from board.report_periods import up_to
from data.inbox import Deadline, InboxFilters, InboxPage, ReplyStatus
from data.models import Unit
from data.settings import Settings
from pages.ui import format as fmt
from pages.ui.inbox_text import any_or
from pages.ui.language import current
from pages.ui.plain import inert
from pages.ui.relabel import relabelled
from pages.ui.rollup_selection import period_name
from pages.ui.texts import t, tn

PAGE = "inbox.page"            # the page of results, from 0
CHANNELS = ("toimipiste", "puhelin", "chat_video", "verkko", "kotikaynti")
COLLECTIONS = ("sms", "kiosk", "web", "tablet", "paper", "email", "phone", "social")
NPS_GROUPS = ("promoter", "passive", "detractor")
FILTERS = ("inbox-f-text", "inbox-f-status", "inbox-f-deadline", "inbox-f-unit", "inbox-f-nps",  # widget keys
           "inbox-f-requested", "inbox-f-channel", "inbox-f-collection", "inbox-f-dates", "inbox-f-low",
           "inbox-f-mine")
LINKED = "inbox.linked"        # the query parameters last taken as filters
LINK_PARAMS = {"status": "inbox-f-status", "deadline": "inbox-f-deadline", "unit": "inbox-f-unit",
               "nps": "inbox-f-nps"}
PERIOD_PARAMS = ("kind", "period")  # the roll-up's drill-through: /inbox?unit=…&kind=quarter&period=2026-Q4&nps=…
LINK_NOTE = "inbox.link_note"  # what the last link set (widget key → value) and what it asked that was refused
FIRST_DAY = date(2000, 1, 1)   # the earliest day the date filter offers (a link's period may begin there)
FILTER_DEFAULTS = {"inbox-f-text": "", "inbox-f-dates": (), "inbox-f-low": False, "inbox-f-mine": False}  # the selectboxes: ""


def page_number() -> int:
    return st.session_state.get(PAGE, 0)


def first_page() -> None:
    st.session_state[PAGE] = 0


def clear_filters() -> None:
    # Set, not deleted: a deleted key resets the filter on the server only; the browser would keep
    # showing the old choice and send it again with the next change.
    for key in FILTERS:
        st.session_state[key] = FILTER_DEFAULTS.get(key, "")
    first_page()


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


def _allowed(units: dict[str, Unit]) -> dict[str, set[str]]:
    return {"status": {s.value for s in ReplyStatus}, "deadline": {d.value for d in Deadline}, "unit": set(units),
            "nps": set(NPS_GROUPS)}


def link_period(kind: str, key: str, today: date) -> Period:
    """The days of a link's period (`kind` + `period`, as the roll-up writes them), cut at today;
    ValueError when they cannot be read or have not begun."""
    if kind not in PERIOD_KINDS:
        raise ValueError(f"unknown period kind {kind!r}")
    try:
        period = parse_period_key(kind, key)
    except (OverflowError, TypeError) as problem:
        raise ValueError(str(problem)) from problem
    if period.first < FIRST_DAY or period.first > today:
        raise ValueError(f"period {key!r} is outside {FIRST_DAY}–{today}")
    return up_to(period, today)


def filters_from_link(units: dict[str, Unit], today: date) -> None:
    """A link such as /inbox?unit=CODE&status=awaiting (the notification e-mails) or the roll-up's
    /inbox?unit=CODE&kind=quarter&period=2026-Q4&nps=detractor sets the initial filters.

    Taken once per link: afterwards the supervisor's own choices count. A value the viewer cannot
    choose (another unit, a misspelt status or period) is left out, and the page says so.
    """
    asked = {name: (st.query_params.get(name) or "").strip() for name in (*LINK_PARAMS, *PERIOD_PARAMS)}
    asked = {name: value for name, value in asked.items() if value}
    if not asked or st.session_state.get(LINKED) == asked:
        return
    st.session_state[LINKED] = asked
    allowed = _allowed(units)
    clear_filters()
    applied: dict[str, object] = {}
    refused: list[tuple[str, str]] = []
    for name, value in asked.items():
        if name in PERIOD_PARAMS:
            continue
        if value in allowed[name]:
            applied[LINK_PARAMS[name]] = value
        else:
            refused.append((name, value))
    if "period" in asked or "kind" in asked:
        kind = asked.get("kind", "")
        try:
            period = link_period(kind, asked.get("period", ""), today)
            applied["inbox-f-dates"] = (period.first, period.last)
            applied[PERIOD_NAME] = period_name(kind, period, current())
        except ValueError:
            refused.append(("period", asked.get("period", "")))
    for key, value in applied.items():
        if key in FILTERS:
            st.session_state[key] = value
    st.session_state[LINK_NOTE] = {"applied": applied, "refused": refused}


PERIOD_NAME = "period-name"  # in a link note: the period's name as the reader calls it


def _remove_link() -> None:
    clear_filters()
    st.session_state.pop(LINK_NOTE, None)
    for name in (*LINK_PARAMS, *PERIOD_PARAMS):
        st.query_params.pop(name, None)
    st.session_state.pop(LINKED, None)


def link_note(units: dict[str, Unit], soon_days: int) -> None:
    """What a link narrowed the inbox to, removable in one click, while its filters are still on;
    and what in the link could not be used (another unit, an unknown period or group)."""
    note = st.session_state.get(LINK_NOTE)
    if not note:
        return
    language = current()
    for name, value in note["refused"]:
        key = {"unit": "inbox.link.bad_unit", "period": "inbox.link.bad_period"}.get(name, "inbox.link.bad_value")
        st.warning(t(key, language, value=inert(value)), icon=":material/link_off:")
    applied = {key: value for key, value in note["applied"].items() if key in FILTERS}
    if not applied or any(st.session_state.get(key) != value for key, value in applied.items()):
        return
    parts = []
    if "inbox-f-unit" in applied and applied["inbox-f-unit"] in units:
        parts.append(units[applied["inbox-f-unit"]].name(language))
    if PERIOD_NAME in note["applied"]:
        parts.append(note["applied"][PERIOD_NAME])
    for key, prefix in (("inbox-f-nps", "inbox.nps."), ("inbox-f-status", "inbox.status.")):
        if key in applied:
            parts.append(t(prefix + applied[key], language))
    if "inbox-f-deadline" in applied:
        parts.append(t("inbox.deadline." + applied["inbox-f-deadline"], language, days=soon_days))
    with st.container(horizontal=True, vertical_alignment="center", key="inbox-link-note"):
        st.markdown(":material/filter_alt: " + t("inbox.link.title", language, filters=inert(" · ".join(parts))),
                    width="content")
        st.button(t("inbox.link.remove", language), key="inbox-link-remove", icon=":material/close:",
                  on_click=_remove_link, type="secondary")


def filter_bar(units: dict[str, Unit], today: date, settings: Settings) -> InboxFilters:
    filters_from_link(units, today)
    soon_days = settings.reply_policy.soon_days
    link_note(units, soon_days)
    with st.container(border=True, key="inbox-filters"):
        first = st.columns([2.2, 1.3, 1.3, 1.6, 1.3], vertical_alignment="bottom")
        text = first[0].text_input(t("inbox.filter.text"), placeholder=t("inbox.filter.text_placeholder"),
                                   key="inbox-f-text", on_change=first_page)
        status = first[1].selectbox(t("inbox.filter.status"), ["", *[s.value for s in ReplyStatus]],
                                    format_func=any_or("inbox.status."), key=relabelled("inbox-f-status"), on_change=first_page)
        deadline = first[2].selectbox(
            t("inbox.filter.deadline"), ["", *[d.value for d in Deadline]],
            format_func=lambda d: (t("inbox.filter.all") if not d else
                                   t("inbox.deadline." + d, days=soon_days)),
            key=relabelled("inbox-f-deadline"), on_change=first_page)
        unit = first[3].selectbox(t("inbox.filter.unit"), ["", *units], format_func=_unit_label(units),
                                  key=relabelled("inbox-f-unit"), on_change=first_page, disabled=len(units) < 2)
        nps_group = first[4].selectbox(t("inbox.filter.nps_group"), ["", *NPS_GROUPS],
                                       format_func=any_or("inbox.nps."), key=relabelled("inbox-f-nps"),
                                       on_change=first_page)
        second = st.columns([1.3, 1.3, 1.3, 2.2], vertical_alignment="bottom")
        requested = second[0].selectbox(
            t("inbox.filter.requested"), ["", "yes", "no"], format_func=any_or("inbox.filter."),
            key=relabelled("inbox-f-requested"), on_change=first_page)
        channel = second[1].selectbox(t("inbox.filter.channel"), ["", *CHANNELS],
                                      format_func=any_or("inbox.channel."), key=relabelled("inbox-f-channel"),
                                      on_change=first_page)
        collection = second[2].selectbox(t("inbox.filter.collection"), ["", *COLLECTIONS],
                                         format_func=any_or("collection."), key=relabelled("inbox-f-collection"),
                                         on_change=first_page)
        # Empty (a range not chosen) through the state, not value=(): a value beside a state Streamlit warns of.
        st.session_state.setdefault("inbox-f-dates", ())
        dates = second[3].date_input(t("inbox.filter.dates"), min_value=FIRST_DAY, max_value=today,
                                     format=fmt.date_entry(),
                                     key="inbox-f-dates", on_change=first_page)
        # Their labels are the widgets: in a row of their own they wrap as the screen narrows, never cut.
        third = st.container(horizontal=True, vertical_alignment="center", gap="medium")
        with third:
            low = st.checkbox(t("inbox.filter.low"), key="inbox-f-low", on_change=first_page, width="content")
            mine = st.toggle(t("inbox.filter.mine"), key="inbox-f-mine", on_change=first_page,
                             help=t("inbox.filter.mine_help"), width="content")
            st.button(t("inbox.filter.clear"), key="inbox-f-clear", on_click=clear_filters,
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
        mine=bool(mine),
    )


def pager(page: InboxPage, where: str) -> None:
    """The count of results (at the top) and the previous/next buttons when there is more than one page."""
    # Counting stops past a thousand results beyond this page: then there is always a next page to turn to.
    pages = max(1, -(-page.total // page.limit)) + (1 if page.more else 0)
    number = page.offset // page.limit
    left, right = st.columns([3, 2], vertical_alignment="center")
    if where == "top":
        count = (t("inbox.count_more", n=fmt.number(page.total)) if page.more
                 else tn("inbox.count", page.total, n=fmt.number(page.total)))
        left.markdown(f"### {count}")
    if pages < 2:
        return
    shown = t("inbox.showing", first=fmt.number(page.offset + 1), last=fmt.number(page.offset + len(page.rows)))
    with right, st.container(horizontal=True, horizontal_alignment="right", vertical_alignment="center"):
        st.markdown(f":gray[{shown}]", width="content")
        st.button(t("inbox.prev"), key=f"inbox-prev-{where}", icon=":material/chevron_left:",
                  disabled=number == 0, on_click=_turn_page, args=(-1,))
        st.markdown(t("inbox.page_more" if page.more else "inbox.page", page=fmt.number(number + 1),
                      pages=fmt.number(pages)), width="content")
        st.button(t("inbox.next"), key=f"inbox-next-{where}", icon=":material/chevron_right:",
                  icon_position="right", disabled=number + 1 >= pages, on_click=_turn_page, args=(1,))
