"""`/kanban?unit=CODE`: the improvement themes of a unit's subtree on a kanban, with each theme's action log.

Every write runs in a widget callback, so it carries exactly what the user saw when the widget was drawn
(the theme's or action's version); the callback asks again who the user is, makes one service call in its
own transaction, and leaves a notice that the next run shows beside the card, theme or action it concerns.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from auth.access import AccessDenied, Viewer
from auth.roles import Permission
from board.handling import InvalidHandling
from board.kanban import MOVES, NOTE_MAX, OPEN, IllegalMove
from board.likert import STATEMENTS
from board.periods import helsinki_date
from board.stages import EXITS, FLOW, Stage
from data.db import session_scope
from data.models import Action
from data.actions import add_action, edit_action, publish_action, theme_actions
from data.editing import StaleEdit, UnknownItem
from data.kanban import STAGE_ORDER, KanbanCard, KanbanColumn, KanbanView, ThemeFigures, kanban
from data.themes import HistoryEntry, OverWipLimit, create_theme, edit_theme, move_theme, theme_history
from data.units import UnknownUnit, list_units
from data.public import set_action_topic
from pages.ui.escalation_panel import escalation_panel
from pages.ui.saving import saving
from pages.ui import format as fmt
from pages.ui import public_cache
from pages.ui.context import app_context
from pages.ui.language import current
from pages.ui.plain import inert, ours
from pages.ui.refusal import refuse
from pages.ui.texts import known, t

LOG = logging.getLogger(__name__)
PAGE = "pages/kanban.py"
_NOTICES = "kanban.notices"   # where → (kind, text, draft): what the last change said, shown once
_PENDING = "kanban.pending"   # theme id → a move waiting for its over-the-limit confirmation
_DENIED = "kanban.denied"     # an AccessDenied of a callback, refused (and audited) by the next run
_TOAST = "kanban.toast"
_OPEN = "kanban.open"         # the id of the theme whose dialog is open
_RELOAD = "kanban.reload"     # a change made in the dialog that the board behind it must show

# Static styles only: no user text ever goes here.
_STYLE = """<style>
.st-key-kanban-board [class*="st-key-card-"] { background: #ffffff; }
[class*="st-key-head-"] h3 { padding-bottom: 0; }
[class*="st-key-head-"][class*="-over"] { border-left: 4px solid #b3261e; padding-left: 8px; }
[class*="st-key-figures-"][class*="-card"] p { font-size: 0.875rem; line-height: 1.45; }
</style>"""

context = app_context()
Where = tuple[str, int]



def _today() -> date:
    return helsinki_date(context.now())


def _moment(value: datetime) -> str:
    return f"{fmt.day(helsinki_date(value))} {fmt.clock(value)}"


# --- Messages --------------------------------------------------------------------------------------

def _notice(where: Where, kind: str, text: str, draft: str | None = None) -> None:
    st.session_state.setdefault(_NOTICES, {})[where] = (kind, text, draft)


def _show_notice(where: Where) -> None:
    found = st.session_state.get(_NOTICES, {}).pop(where, None)
    if not found:
        return
    kind, text, draft = found
    if kind == "warning":
        st.warning(ours(text), icon=":material/sync_problem:")
    else:
        st.error(ours(text), icon=":material/block:")
    if draft:
        st.caption(t("kanban.your_draft"))
        st.text(draft)


def _stage(value: str | Stage) -> str:
    return t("stage." + Stage(value).value)


def _illegal_text(problem: IllegalMove) -> str:
    key = "kanban.illegal." + problem.reason
    return t(key if known(key) else "kanban.invalid.unknown", current=_stage(problem.current),
             target=_stage(problem.target))


def _invalid_text(problem: InvalidHandling) -> str:
    key = "kanban.invalid." + problem.reason
    return t(key if known(key) else "kanban.invalid.unknown")


def _act(where: Where, change: Callable[[Session, Viewer, datetime], Any], success: str, *,
         stale: str = "kanban.stale", draft: str | None = None,
         over_limit: Callable[[OverWipLimit], None] | None = None) -> bool:
    """One change as the user asked again now, in its own transaction; a refusal changes nothing."""
    viewer = context.resolve()
    if viewer is None:
        _notice(where, "error", t("kanban.signed_out"))
        return False
    try:
        with saving(context.engine) as session:
            change(session, viewer, context.now())
    except StaleEdit as problem:
        gone = problem.current.version is None
        _notice(where, "warning", t("kanban.stale_gone" if gone else stale), draft)
    except OverWipLimit as problem:
        if over_limit is None:
            raise
        over_limit(problem)
    except IllegalMove as problem:
        _notice(where, "error", _illegal_text(problem), draft)
    except InvalidHandling as problem:
        _notice(where, "error", _invalid_text(problem), draft)
    except (UnknownItem, UnknownUnit):
        _notice(where, "error", t("kanban.unknown"))
    except AccessDenied as denied:
        st.session_state[_DENIED] = denied
    except SQLAlchemyError:
        LOG.exception("a kanban change at %s could not be saved", where)
        _notice(where, "error", t("kanban.db_error"), draft)
    else:
        st.session_state[_TOAST] = success
        return True
    return False


def _value(key: str) -> Any:
    return st.session_state.get(key)


# --- Callbacks: one service call each --------------------------------------------------------------

def _move(theme_id: int, seen_version: int, keys: dict[str, str], confirmed: bool = False) -> None:
    if confirmed:
        pending = st.session_state.get(_PENDING, {}).pop(theme_id, None)
        if pending is None:
            return
        target, escalated_to, reason = pending["target"], pending["escalated_to"], pending["reason"]
    else:
        st.session_state.get(_PENDING, {}).pop(theme_id, None)
        target, escalated_to, reason = _value(keys["target"]), _value(keys["where"]), _value(keys["why"])
    if target is None:
        _notice(("card", theme_id), "error", t("kanban.move.pick_first"))
        return

    def wait_for_confirmation(problem: OverWipLimit) -> None:
        st.session_state.setdefault(_PENDING, {})[theme_id] = {
            "target": target, "escalated_to": escalated_to, "reason": reason, "version": seen_version,
            "keys": keys, "count": problem.count, "limit": problem.limit}

    _act(("card", theme_id),
         lambda session, viewer, now: move_theme(
             session, viewer=viewer, theme_id=theme_id, seen_version=seen_version, target=Stage(target),
             escalated_to=escalated_to, reason=reason, confirm_over_limit=confirmed,
             wip=context.settings.wip_limits, now=now),
         t("kanban.move.done", stage=_stage(target)), over_limit=wait_for_confirmation)


def _confirm_move(theme_id: int) -> None:
    pending = st.session_state.get(_PENDING, {}).get(theme_id)
    if pending:
        _move(theme_id, pending["version"], pending["keys"], confirmed=True)


def _cancel_move(theme_id: int) -> None:
    st.session_state.get(_PENDING, {}).pop(theme_id, None)


def _create(unit_code: str) -> None:
    keys = ("new-theme-title", "new-theme-description", "new-theme-owner")
    title, description, owner = (_value(k) or "" for k in keys)
    if _act(("create", 0),
            lambda session, viewer, now: create_theme(session, viewer=viewer, unit_code=unit_code, title=title,
                                                      description=description, owner=owner, now=now),
            t("kanban.create.done")):
        for key in keys:
            st.session_state[key] = ""
        st.session_state["new-theme"] = False


def _draft(*pairs: tuple[str, str | None]) -> str:
    return "\n".join(f"{label}: {value}" for label, value in pairs if (value or "").strip())


def _edit_theme(theme_id: int, seen_version: int, prefix: str) -> None:
    title, description, owner = (_value(f"{prefix}-{name}") or "" for name in ("title", "description", "owner"))
    st.session_state[_RELOAD] = True
    _act(("dialog", theme_id),
         lambda session, viewer, now: edit_theme(session, viewer=viewer, theme_id=theme_id,
                                                 seen_version=seen_version, title=title,
                                                 description=description, owner=owner, now=now),
         t("kanban.edit.done"),
         draft=_draft((t("kanban.field.title"), title), (t("kanban.field.description"), description),
                      (t("kanban.field.owner"), owner)))


def _add_action(theme_id: int) -> None:
    prefix = f"add-{theme_id}"
    taken_on, text, public = _value(f"{prefix}-day") or _today(), _value(f"{prefix}-text"), _value(f"{prefix}-public")
    if _act(("add", theme_id),
            lambda session, viewer, now: add_action(session, viewer=viewer, theme_id=theme_id, taken_on=taken_on,
                                                    text=text or "", public_text=public, now=now),
            t("kanban.action.added")):
        st.session_state[f"{prefix}-text"] = ""
        st.session_state[f"{prefix}-public"] = ""


def _edit_action(action_id: int, seen_version: int, prefix: str) -> None:
    taken_on, text, public = (_value(f"{prefix}-{name}") for name in ("day", "text", "public"))
    _act(("action", action_id),
         lambda session, viewer, now: edit_action(session, viewer=viewer, action_id=action_id,
                                                  seen_version=seen_version, taken_on=taken_on or _today(),
                                                  text=text or "", public_text=public, now=now),
         t("kanban.action.saved"), stale="kanban.stale_action",
         draft=_draft((t("kanban.field.text"), text), (t("kanban.field.public_text"), public)))
    public_cache.forget()  # a published action's public words may have changed


def _publish(action_id: int, seen_version: int, key: str) -> None:
    publish = bool(_value(key))
    done = _act(("action", action_id),
                lambda session, viewer, now: publish_action(session, viewer=viewer, action_id=action_id,
                                                            seen_version=seen_version, publish=publish, now=now),
                t("kanban.action.published" if publish else "kanban.action.unpublished"),
                stale="kanban.stale_action")
    if not done:
        st.session_state[key] = not publish  # the switch shows what is true, not what was asked
    else:
        public_cache.forget()


def _set_topic(action_id: int, seen_version: int, key: str) -> None:
    topic = _value(key)
    if _act(("action", action_id),
            lambda session, viewer, now: set_action_topic(session, viewer=viewer, action_id=action_id,
                                                          seen_version=seen_version, topic=topic, now=now),
            t("public.topic.saved"), stale="kanban.stale_action"):
        public_cache.forget()


def _open(theme_id: int) -> None:
    st.session_state[_OPEN] = theme_id


def _close() -> None:
    st.session_state.pop(_OPEN, None)


# --- Figures ---------------------------------------------------------------------------------------

def _nps_text(figures: ThemeFigures) -> str:
    result = figures.nps
    if result.n == 0:
        return t("kanban.fig.none")
    if result.score is None:
        return t("kanban.fig.too_few", n=fmt.number(result.n))
    return t("kanban.fig.nps_value", score=fmt.number(result.score), n=fmt.number(result.n))


def _agree_text(figures: ThemeFigures, key: str) -> str:
    summary = figures.likert[key]
    if summary.n == 0:
        return t("kanban.fig.none")
    if summary.n < context.settings.min_n or summary.agree_pct is None:
        return t("kanban.fig.too_few", n=fmt.number(summary.n))
    return t("kanban.fig.pct_value", pct=fmt.number(summary.agree_pct), n=fmt.number(summary.n))


def _shown(figures: ThemeFigures, key: str) -> bool:
    summary = figures.likert[key]
    return summary.n >= context.settings.min_n and summary.agree_pct is not None


def _figures(card: KanbanCard, *, full: bool) -> None:
    """The linked feedback before and after the theme went to the development group; nothing before that.

    The card shows NPS and the statements with enough answers on either side, one line each; the opened
    theme shows every answered statement in its national wording.
    """
    before, after, started = card.before, card.after, card.development_started_at
    if before is None or after is None or started is None:
        return
    rows = [(t("kanban.fig.nps"), _nps_text(before), _nps_text(after))]
    for statement in STATEMENTS:
        key = statement.key
        if full and (before.likert[key].n or after.likert[key].n):
            rows.append((f"{inert(getattr(statement, current()))} – {t('kanban.fig.agree')}", _agree_text(before, key),
                         _agree_text(after, key)))
        elif not full and (_shown(before, key) or _shown(after, key)):
            rows.append((t("kanban.statement." + key), _agree_text(before, key), _agree_text(after, key)))
    with st.container(key=f"figures-{card.id}-{'full' if full else 'card'}"):
        if full:
            st.caption(t("kanban.fig.caption", day=fmt.day(helsinki_date(started))))
            table = [f"| {t('kanban.fig.what')} | {t('kanban.fig.before')} | {t('kanban.fig.after')} |",
                     "|---|---|---|"]
            st.markdown("\n".join(table + [f"| {inert(what)} | {was} | {is_now} |" for what, was, is_now in rows]))
        else:
            st.caption(t("kanban.fig.card_caption", day=fmt.day(helsinki_date(started))))
            st.markdown("  \n".join(t("kanban.fig.line", what=inert(what), before=was, after=is_now)
                                     for what, was, is_now in rows))


# --- The board -------------------------------------------------------------------------------------

def _move_controls(card: KanbanCard) -> None:
    pending = st.session_state.get(_PENDING, {}).get(card.id)
    if pending:
        st.warning(t("kanban.move.over_limit", stage=_stage(pending["target"]), count=fmt.number(pending["count"]),
                     limit=fmt.number(pending["limit"])), icon=":material/warning:")
        yes, no = st.columns(2)
        yes.button(t("kanban.move.confirm"), key=f"confirm-{card.id}", type="primary", width="stretch",
                   on_click=_confirm_move, args=(card.id,))
        no.button(t("kanban.move.cancel"), key=f"cancel-{card.id}", width="stretch",
                  on_click=_cancel_move, args=(card.id,))
        return
    suffix = f"{card.id}-v{card.version}"
    keys = {"target": f"move-{suffix}", "where": f"move-where-{suffix}", "why": f"move-why-{suffix}"}
    targets = [stage for stage in STAGE_ORDER if stage in MOVES[card.stage]]
    choose, go = st.columns([3, 2], vertical_alignment="bottom", gap="small")
    with choose:
        target = st.selectbox(t("kanban.move.label"), targets, index=None, format_func=_stage, key=keys["target"],
                              placeholder=t("kanban.move.placeholder"), label_visibility="collapsed")
    # An exit asks "where to" or "why" first, at full width, so the button comes after it.
    if target == Stage.ESCALATED:
        st.text_input(t("kanban.move.where"), key=keys["where"], max_chars=NOTE_MAX,
                      placeholder=t("kanban.move.where_help"))
    elif target == Stage.NOT_PURSUED:
        st.text_input(t("kanban.move.why"), key=keys["why"], max_chars=NOTE_MAX)
    with go if target not in EXITS else st.container():
        st.button(t("kanban.move.button"), key=f"move-button-{suffix}", icon=":material/arrow_forward:",
                  width="stretch" if target not in EXITS else "content", type="primary" if target else "secondary",
                  on_click=_move, args=(card.id, card.version, keys))


def _owner(card: KanbanCard) -> str:
    return t("kanban.card.owner", owner=inert(card.owner)) if card.owner else t("kanban.card.no_owner")


def _exit_note(card: KanbanCard) -> None:
    if card.stage == Stage.ESCALATED and card.escalated_to:
        st.markdown(t("kanban.card.escalated_to", where=inert(card.escalated_to)))
    if card.stage == Stage.NOT_PURSUED and card.not_pursued_reason:
        st.markdown(t("kanban.card.reason", reason=inert(card.not_pursued_reason)))


def _card(view: KanbanView, card: KanbanCard) -> None:
    with st.container(border=True, key=f"card-{card.id}"):
        _show_notice(("card", card.id))
        st.markdown(f"**{inert(card.title)}**")
        facts = [_owner(card), t("kanban.card.days", days=fmt.number(card.days_in_stage)),
                 t("kanban.card.feedback", count=fmt.number(card.feedback_count))]
        if card.unit_code != view.unit_code:
            facts.insert(0, t("kanban.card.unit", unit=inert(card.unit_name)))
        st.caption(" · ".join(facts))
        _exit_note(card)
        _figures(card, full=False)
        if view.can_edit:
            _move_controls(card)
        st.button(t("kanban.open"), key=f"open-{card.id}", icon=":material/history_edu:", type="tertiary",
                  on_click=_open, args=(card.id,))


def _column_head(column: KanbanColumn) -> None:
    with st.container(key=f"head-{column.stage.value}" + ("-over" if column.over else "")):
        st.subheader(_stage(column.stage), anchor=False)
        column_facts = [t("kanban.column.count", count=fmt.number(column.count))]
        if column.stage in OPEN:  # only the open stages can have a limit
            column_facts.append(t("kanban.column.limit", limit=fmt.number(column.limit)) if column.limit is not None
                         else t("kanban.column.no_limit"))
        st.caption(" · ".join(column_facts))
        if column.over:
            st.badge(t("kanban.column.over"), icon=":material/warning:", color="red")


def _column(view: KanbanView, column: KanbanColumn) -> None:
    with st.container(key=f"column-{column.stage.value}"):
        _column_head(column)
        if not column.cards:
            st.caption(t("kanban.column.empty"))
        for card in column.cards:
            _card(view, card)


def _create_form(view: KanbanView) -> None:
    # The expander keeps its state, so that a theme added closes it again.
    with st.expander(t("kanban.create.title"), icon=":material/add:", key="new-theme", on_change="rerun"):
        _show_notice(("create", 0))
        with st.form("new-theme-form", border=False):
            st.text_input(t("kanban.field.title"), key="new-theme-title", max_chars=200)
            st.text_area(t("kanban.field.description"), key="new-theme-description", height=90)
            st.text_input(t("kanban.field.owner"), key="new-theme-owner", max_chars=200)
            st.form_submit_button(t("kanban.create.submit"), type="primary", on_click=_create,
                                  args=(view.unit_code,))


def _board(view: KanbanView) -> None:
    st.html(_STYLE)
    st.title(t("kanban.title", unit=inert(view.unit_name)), anchor=False)
    st.caption(t("kanban.intro") + ("" if view.can_edit else " " + t("kanban.read_only")))
    if view.can_edit:
        _create_form(view)
    with st.container(key="kanban-board"):
        for column, place in zip([view.column(s) for s in FLOW], st.columns(len(FLOW), gap="small")):
            with place:
                _column(view, column)
        st.subheader(t("kanban.exits.title"), anchor=False, divider="gray")
        for column, place in zip([view.column(s) for s in EXITS], st.columns(len(FLOW), gap="small")):
            with place:
                _column(view, column)


# --- A theme opened: its action log and history -----------------------------------------------------

def _history_value(name: str, value: Any) -> str:
    if value is None or value == "":
        return t("kanban.history.empty")
    if name == "stage":
        return _stage(value)
    if name in ("stage_since", "development_started_at", "published_at") and isinstance(value, str):
        return _moment(datetime.fromisoformat(value))
    if name == "taken_on" and isinstance(value, str):
        return fmt.day(date.fromisoformat(value))
    return str(value)


def _history_change(entry: HistoryEntry) -> str:
    before, after = entry.before or {}, entry.after or {}
    parts = []
    for name in [*after, *(n for n in before if n not in after)]:
        if name in ("stage_since", "theme_id"):
            continue
        if name == "over_wip_limit":
            over = after[name] or {}
            detail = t("kanban.history.over_limit", limit=over.get("limit"), cards=over.get("cards_before"))
            parts.append(f"{t('kanban.field.over_wip_limit')} ({detail})")
            continue
        label = t(f"kanban.field.{name}") if known(f"kanban.field.{name}") else name
        if name in before and name in after:
            parts.append(f"{label}: {_history_value(name, before[name])} → {_history_value(name, after[name])}")
        elif name in after:
            if after[name] not in (None, ""):
                parts.append(f"{label}: {_history_value(name, after[name])}")
        else:
            parts.append(f"{label}: {_history_value(name, before[name])} → {t('kanban.history.empty')}")
    return "; ".join(parts)


def _history(theme_id: int, entries: list[HistoryEntry]) -> None:
    """Newest first: when, what and who on one line, then what changed (user text, shown as is)."""
    if not entries:
        st.write(t("kanban.history.none"))
        return
    with st.container(key=f"history-{theme_id}", height=440 if len(entries) > 6 else "content", border=False):
        for entry in reversed(entries):
            key = f"kanban.history.{entry.action}"
            what = t(key) if known(key) else entry.action
            st.markdown(f"**{_moment(entry.at)} · {inert(what)}** · {inert(entry.actor)}")
            change = _history_change(entry)
            if change:
                st.text(change)


def _action_form(prefix: str, *, taken_on: date, text: str, public: str) -> None:
    st.date_input(t("kanban.field.taken_on"), value=taken_on, max_value=_today(), format=fmt.date_entry(),
                  key=f"{prefix}-day")
    st.text_area(t("kanban.field.text"), value=text, key=f"{prefix}-text", height=90)
    st.text_area(t("kanban.action.public_text"), value=public, key=f"{prefix}-public", height=90,
                 help=t("kanban.action.public_help"))


def _action(action: Action, can_edit: bool) -> None:
    with st.container(border=True, key=f"action-{action.id}"):
        _show_notice(("action", action.id))
        st.markdown(f"**{fmt.day(action.taken_on)}**")
        st.text(action.text)
        if action.public_text:
            st.caption(t("kanban.action.public_label"))
            st.text(action.public_text)
        else:
            st.caption(t("kanban.action.no_public_text"))
        status = (t("kanban.action.published_at", day=fmt.day(helsinki_date(action.published_at)),
                    time=fmt.clock(action.published_at)) if action.published_at else t("kanban.action.not_published"))
        st.caption(inert(f"{status} · {t('kanban.action.by', who=action.created_by)}"))
        if not can_edit:
            return
        key = f"publish-{action.id}-v{action.version}"
        st.toggle(t("kanban.action.publish"), value=action.published_at is not None, key=key,
                  on_change=_publish, args=(action.id, action.version, key))
        topic_key = f"topic-{action.id}-v{action.version}"
        topics = [None, *(s.key for s in STATEMENTS)]
        st.selectbox(t("public.topic.label"), topics, index=topics.index(action.topic), key=topic_key,
                     format_func=lambda key: next((s.fi for s in STATEMENTS if s.key == key), t("public.topic.none")),
                     help=t("public.topic.help"), on_change=_set_topic, args=(action.id, action.version, topic_key))
        with st.expander(t("kanban.action.edit"), icon=":material/edit:"):
            prefix = f"edit-action-{action.id}-v{action.version}"
            with st.form(prefix, border=False):
                _action_form(prefix, taken_on=action.taken_on, text=action.text, public=action.public_text or "")
                st.form_submit_button(t("kanban.action.save"), on_click=_edit_action,
                                      args=(action.id, action.version, prefix))


def _actions(card: KanbanCard, actions: list[Action], can_edit: bool) -> None:
    if can_edit:
        _show_notice(("add", card.id))
        with st.expander(t("kanban.actions.add"), icon=":material/add:", expanded=not actions):
            prefix = f"add-{card.id}"
            with st.form(f"{prefix}-form", border=False):
                _action_form(prefix, taken_on=_today(), text="", public="")
                st.form_submit_button(t("kanban.actions.add"), type="primary", on_click=_add_action,
                                      args=(card.id,))
    if not actions:
        st.write(t("kanban.actions.none"))
    for action in actions:
        _action(action, can_edit)


def _edit_form(card: KanbanCard) -> None:
    prefix = f"edit-theme-{card.id}-v{card.version}"
    with st.form(prefix, border=False):
        st.text_input(t("kanban.field.title"), value=card.title, key=f"{prefix}-title", max_chars=200)
        st.text_area(t("kanban.field.description"), value=card.description, key=f"{prefix}-description",
                     height=120)
        st.text_input(t("kanban.field.owner"), value=card.owner or "", key=f"{prefix}-owner", max_chars=200)
        st.form_submit_button(t("kanban.edit.submit"), type="primary", on_click=_edit_theme,
                              args=(card.id, card.version, prefix))


@st.dialog(t("kanban.detail.title"), width="large", on_dismiss=_close)
def _theme_dialog(card: KanbanCard, can_edit: bool) -> None:
    # A change here that the board must show, a refusal, or closing: the whole page runs again.
    if any(key in st.session_state for key in (_RELOAD, _DENIED)) or st.session_state.get(_OPEN) != card.id:
        st.rerun()
    toast = st.session_state.pop(_TOAST, None)
    if toast:
        st.toast(ours(toast), icon=":material/check_circle:")
    viewer = context.resolve()
    if viewer is None:
        st.rerun()
    try:
        with session_scope(context.engine) as session:
            actions = theme_actions(session, viewer=viewer, theme_id=card.id)
            history = theme_history(session, viewer=viewer, theme_id=card.id)
    except UnknownItem:
        st.info(t("kanban.detail.gone"))
        return
    except AccessDenied as denied:
        st.session_state[_DENIED] = denied
        _close()
        st.rerun()
    except SQLAlchemyError:
        LOG.exception("theme %s could not be read", card.id)
        st.error(t("kanban.read_error"))
        return
    _show_notice(("dialog", card.id))
    st.markdown(f"### {inert(card.title)}")
    facts = [t("kanban.detail.stage", stage=_stage(card.stage), days=fmt.number(card.days_in_stage)),
             _owner(card), t("kanban.card.feedback", count=fmt.number(card.feedback_count)),
             t("kanban.card.unit", unit=inert(card.unit_name))]
    st.caption(" · ".join(facts))
    _exit_note(card)
    if card.description:
        st.text(card.description)
    else:
        st.caption(t("kanban.detail.no_description"))
    _figures(card, full=True)
    labels = [t("kanban.actions.tab"), t("kanban.history.tab")] + ([t("kanban.edit.tab")] if can_edit else [])
    tabs = st.tabs(labels)
    with tabs[0]:
        _actions(card, actions, can_edit)
    with tabs[1]:
        _history(card.id, history)
    if can_edit:
        with tabs[2]:
            _edit_form(card)
    st.button(t("kanban.detail.close"), key="close-theme", on_click=_close)


# --- The page --------------------------------------------------------------------------------------

def _choose_unit(message: str | None) -> None:
    if message:
        st.info(message)
    with session_scope(context.engine) as session:
        units = list_units(session, viewer=context.viewer, permission=Permission.VIEW_KANBAN)
    if not units:
        st.info(t("home.no_units"))
        return
    labels = {unit.code: f"{unit.name(current())} ({unit.code})"
              for unit in sorted(units, key=lambda u: (u.level != "unit", u.name(current())))}
    with st.form("kanban-unit", border=False):
        code = st.selectbox(t("kanban.pick"), list(labels), format_func=labels.get, index=None,
                            placeholder=t("kanban.pick"))
        if st.form_submit_button(t("kanban.open_board"), type="primary") and code:
            st.switch_page(PAGE, query_params={"unit": code})


def _read(code: str) -> KanbanView | None:
    try:
        with session_scope(context.engine) as session:
            return kanban(session, viewer=context.viewer, unit_code=code, now=context.now(), settings=context.settings,
                          language=current())
    except UnknownUnit:
        st.title(t("nav.kanban"), anchor=False)
        _choose_unit(t("kanban.unknown_unit", code=inert(code)))
    except AccessDenied as denied:
        st.title(t("nav.kanban"), anchor=False)
        refuse(context, denied)
        _choose_unit(None)
    except SQLAlchemyError:
        LOG.exception("the kanban of %s could not be read", code)
        st.title(t("nav.kanban"), anchor=False)
        st.error(t("kanban.read_error"))
    return None


def main() -> None:
    if context.viewer is None:
        st.stop()
    st.session_state.pop(_RELOAD, None)
    denied = st.session_state.pop(_DENIED, None)
    if denied is not None:
        refuse(context, denied)
    toast = st.session_state.pop(_TOAST, None)
    if toast:
        st.toast(ours(toast), icon=":material/check_circle:")
    code = (st.query_params.get("unit") or "").strip()
    if not code:
        st.title(t("nav.kanban"), anchor=False)
        _choose_unit(t("kanban.no_unit"))
        return
    view = _read(code)
    if view is None:
        return
    _board(view)
    escalation_panel(context, view.unit_code)  # ritual14: escalation between tiers
    cards = {card.id: card for column in view.columns for card in column.cards}
    opened = st.session_state.get(_OPEN)
    if opened in cards:
        _theme_dialog(cards[opened], view.can_edit)
    elif opened is not None:
        _close()


main()
