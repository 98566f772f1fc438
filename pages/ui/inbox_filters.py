"""The inbox's filter bar and its pager: what the supervisor narrows the inbox to, and which page is shown."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

import streamlit as st

from board.periods import Period
from data.inbox import Deadline, InboxFilters, InboxPage, ReplyStatus
from data.models import Unit
from data.settings import Settings
from pages.ui import format as fmt
from pages.ui.inbox_text import any_or
from pages.ui.language import current
from pages.ui.texts import t, tn

PAGE = "inbox.page"            # the page of results, from 0
CHANNELS = ("toimipiste", "puhelin", "chat_video", "verkko", "kotikaynti")
COLLECTIONS = ("sms", "kiosk", "web", "tablet", "paper", "email", "phone", "social")
NPS_GROUPS = ("promoter", "passive", "detractor")
FILTERS = ("inbox-f-text", "inbox-f-status", "inbox-f-deadline", "inbox-f-unit", "inbox-f-nps",  # widget keys
           "inbox-f-requested", "inbox-f-channel", "inbox-f-collection", "inbox-f-dates", "inbox-f-low",
           "inbox-f-mine")
LINKED = "inbox.linked"        # the query parameters last taken as filters
LINK_PARAMS = {"status": "inbox-f-status", "deadline": "inbox-f-deadline", "unit": "inbox-f-unit"}
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
    return {"status": {s.value for s in ReplyStatus}, "deadline": {d.value for d in Deadline}, "unit": set(units)}


def filters_from_link(units: dict[str, Unit]) -> None:
    """A link such as /inbox?unit=CODE&status=awaiting (the notification e-mails) sets the initial filters.

    Taken once per link: afterwards the supervisor's own choices count. A value the viewer cannot
    choose (another unit, a misspelt status) is left out rather than refused.
    """
    asked = {name: (st.query_params.get(name) or "").strip() for name in LINK_PARAMS}
    asked = {name: value for name, value in asked.items() if value}
    if not asked or st.session_state.get(LINKED) == asked:
        return
    st.session_state[LINKED] = asked
    allowed = _allowed(units)
    clear_filters()
    for name, value in asked.items():
        if value in allowed[name]:
            st.session_state[LINK_PARAMS[name]] = value


def filter_bar(units: dict[str, Unit], today: date, settings: Settings) -> InboxFilters:
    filters_from_link(units)
    soon_days = settings.reply_policy.soon_days
    with st.container(border=True, key="inbox-filters"):
        first = st.columns([2.2, 1.3, 1.3, 1.6, 1.3], vertical_alignment="bottom")
        text = first[0].text_input(t("inbox.filter.text"), placeholder=t("inbox.filter.text_placeholder"),
                                   key="inbox-f-text", on_change=first_page)
        status = first[1].selectbox(t("inbox.filter.status"), ["", *[s.value for s in ReplyStatus]],
                                    format_func=any_or("inbox.status."), key="inbox-f-status", on_change=first_page)
        deadline = first[2].selectbox(
            t("inbox.filter.deadline"), ["", *[d.value for d in Deadline]],
            format_func=lambda d: (t("inbox.filter.all") if not d else
                                   t("inbox.deadline." + d, days=soon_days)),
            key="inbox-f-deadline", on_change=first_page)
        unit = first[3].selectbox(t("inbox.filter.unit"), ["", *units], format_func=_unit_label(units),
                                  key="inbox-f-unit", on_change=first_page, disabled=len(units) < 2)
        nps_group = first[4].selectbox(t("inbox.filter.nps_group"), ["", *NPS_GROUPS],
                                       format_func=any_or("inbox.nps."), key="inbox-f-nps", on_change=first_page)
        second = st.columns([1.3, 1.3, 1.3, 1.9, 1.2, 0.9, 1.0], vertical_alignment="bottom")
        requested = second[0].selectbox(
            t("inbox.filter.requested"), ["", "yes", "no"], format_func=any_or("inbox.filter."),
            key="inbox-f-requested", on_change=first_page)
        channel = second[1].selectbox(t("inbox.filter.channel"), ["", *CHANNELS],
                                      format_func=any_or("inbox.channel."), key="inbox-f-channel",
                                      on_change=first_page)
        collection = second[2].selectbox(t("inbox.filter.collection"), ["", *COLLECTIONS],
                                         format_func=any_or("collection."), key="inbox-f-collection",
                                         on_change=first_page)
        dates = second[3].date_input(t("inbox.filter.dates"), value=(), max_value=today, format=fmt.date_entry(),
                                     key="inbox-f-dates", on_change=first_page)
        low = second[4].checkbox(t("inbox.filter.low"), key="inbox-f-low", on_change=first_page)
        mine = second[5].toggle(t("inbox.filter.mine"), key="inbox-f-mine", on_change=first_page,
                                help=t("inbox.filter.mine_help"))
        second[6].button(t("inbox.filter.clear"), key="inbox-f-clear", on_click=clear_filters,
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
