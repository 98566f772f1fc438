"""How the inbox words things: user text made inert, coded values named, arrival times, rows as they stand."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from board.periods import helsinki_date
from data.editing import RowState
from data.inbox import ReplyStatus, reply_status
from pages.ui import format as fmt
from pages.ui.plain import inert
from pages.ui.texts import t


def user_text(text: str) -> str:
    """User text for st.markdown: every markdown/HTML character escaped, entities too, line breaks kept."""
    return inert(text).replace("\n", "  \n")


def coded_label(prefix: str, value: str | None) -> str:
    """The catalogue name of a coded value (channel, collection); an unknown code is shown as it is."""
    try:
        return t(prefix + (value or ""))
    except KeyError:
        return value or "–"


def any_or(text_key: str) -> Callable[[str], str]:
    """A selectbox's format_func: the catalogue name of a value, "all" for the empty choice."""
    return lambda value: t(text_key + value) if value else t("inbox.filter.all")


def arrival_text(moment: datetime) -> str:
    return t("inbox.item.received", day=fmt.day(helsinki_date(moment)), time=fmt.clock(moment))


def state_text(state: RowState) -> str:
    """A feedback row as it stands now, in words: its reply and whether it is a quote."""
    values = state.values
    status = reply_status(reply_requested=True, replied_at=values.get("replied_at"),
                          no_reply_reason=values.get("no_reply_reason"))
    if status is ReplyStatus.REPLIED:
        replied_on = fmt.day(helsinki_date(values["replied_at"]))
        said = (t("inbox.state.replied_by", day=replied_on, by=user_text(values["replied_by"]))
                if values.get("replied_by") else t("inbox.state.replied", day=replied_on))
    elif status is ReplyStatus.NO_REPLY_NEEDED:
        said = t("inbox.state.no_reply_reason", reason=user_text(values["no_reply_reason"]))
    else:
        said = t("inbox.state.awaiting")
    quote = t("inbox.state.quote_yes") if values.get("quote_picked_at") else t("inbox.state.quote_no")
    if values.get("assigned_name"):
        return f"{said} · {quote} · {t('inbox.assign.to', name=user_text(values['assigned_name']))}"
    return f"{said} · {quote}"
