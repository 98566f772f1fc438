"""A theme's action log in its dialog: add an action, edit one, publish it and pick its public topic.

Each callback gets the action's id and the version the user saw, and makes one service call
(pages/ui/kanban_outcome.py); a published action's words are public, so a change forgets the public cache.
"""
from __future__ import annotations

from datetime import date

import streamlit as st

from board.likert import STATEMENTS
from board.periods import helsinki_date
from board.content_language import TRANSLATED, missing_translations
from data.actions import add_action, edit_action, public_texts, publish_action
from data.kanban import KanbanCard
from data.models import Action
from data.public import set_action_topic
from pages.ui import format as fmt
from pages.ui import public_cache
from pages.ui.context import AppContext
from pages.ui.kanban_outcome import act, draft, show_notice, today, value
from pages.ui.language import current
from pages.ui.plain import in_language, inert
from pages.ui.texts import t
from pages.ui.relabel import relabelled


def _translations(prefix: str) -> dict[str, str | None]:
    return {language: value(f"{prefix}-public-{language}") for language in TRANSLATED}


def _add_action(context: AppContext, theme_id: int) -> None:
    prefix = f"add-{theme_id}"
    taken_on = value(f"{prefix}-day") or today(context)
    text, public, translations = value(f"{prefix}-text"), value(f"{prefix}-public"), _translations(prefix)
    if act(context, ("add", theme_id),
           lambda session, viewer, now: add_action(session, viewer=viewer, theme_id=theme_id, taken_on=taken_on,
                                                   text=text or "", public_text=public,
                                                   translations=translations, now=now),
           t("kanban.action.added")):
        for name in ("text", "public", *(f"public-{language}" for language in TRANSLATED)):
            st.session_state[f"{prefix}-{name}"] = ""


def _edit_action(context: AppContext, action_id: int, seen_version: int, prefix: str) -> None:
    taken_on, text, public = (value(f"{prefix}-{name}") for name in ("day", "text", "public"))
    translations = _translations(prefix)
    act(context, ("action", action_id),
        lambda session, viewer, now: edit_action(session, viewer=viewer, action_id=action_id,
                                                 seen_version=seen_version, taken_on=taken_on or today(context),
                                                 text=text or "", public_text=public, translations=translations,
                                                 now=now),
        t("kanban.action.saved"), stale="kanban.stale_action",
        draft=draft((t("kanban.field.text"), text), (t("kanban.action.public_text_fi"), public),
                    *((t(f"kanban.action.public_text_{language}"), translations[language])
                      for language in TRANSLATED)))
    public_cache.forget()  # a published action's public words may have changed


def _publish(context: AppContext, action_id: int, seen_version: int, key: str) -> None:
    publish = bool(value(key))
    done = act(context, ("action", action_id),
               lambda session, viewer, now: publish_action(session, viewer=viewer, action_id=action_id,
                                                           seen_version=seen_version, publish=publish, now=now),
               t("kanban.action.published" if publish else "kanban.action.unpublished"),
               stale="kanban.stale_action")
    if not done:
        st.session_state[key] = not publish  # the switch shows what is true, not what was asked
    else:
        public_cache.forget()


def _set_topic(context: AppContext, action_id: int, seen_version: int, key: str) -> None:
    topic = value(key)
    if act(context, ("action", action_id),
           lambda session, viewer, now: set_action_topic(session, viewer=viewer, action_id=action_id,
                                                         seen_version=seen_version, topic=topic, now=now),
           t("public.topic.saved"), stale="kanban.stale_action"):
        public_cache.forget()


def _action_form(prefix: str, *, taken_on: date, text: str, public: dict[str, str | None], latest: date) -> None:
    st.date_input(t("kanban.field.taken_on"), value=taken_on, max_value=latest, format=fmt.date_entry(),
                  key=f"{prefix}-day")
    st.text_area(t("kanban.field.text"), value=text, key=f"{prefix}-text", height=90)
    # The public text side by side in Finnish (needed to publish), Swedish and English (optional).
    st.caption(t("kanban.action.public_text"))
    columns = st.columns(3)
    columns[0].text_area(t("kanban.action.public_text_fi"), value=public.get("fi") or "", key=f"{prefix}-public",
                         height=110, help=t("kanban.action.public_help"))
    for column, language in zip(columns[1:], TRANSLATED):
        column.text_area(t(f"kanban.action.public_text_{language}"), value=public.get(language) or "",
                         key=f"{prefix}-public-{language}", height=110, help=t("kanban.action.translation_help"))


def _editor(context: AppContext, action: Action) -> None:
    key = f"publish-{action.id}-v{action.version}"
    st.toggle(t("kanban.action.publish"), value=action.published_at is not None, key=key,
              on_change=_publish, args=(context, action.id, action.version, key))
    topic_key = f"topic-{action.id}-v{action.version}"
    topics = [None, *(s.key for s in STATEMENTS)]
    language = current()
    st.selectbox(t("public.topic.label"), topics, index=topics.index(action.topic), key=relabelled(topic_key),
                 format_func=lambda key: next((getattr(s, language) for s in STATEMENTS if s.key == key),
                                              t("public.topic.none")),
                 help=t("public.topic.help"), on_change=_set_topic,
                 args=(context, action.id, action.version, topic_key))
    with st.expander(t("kanban.action.edit"), icon=":material/edit:"):
        prefix = f"edit-action-{action.id}-v{action.version}"
        with st.form(prefix, border=False):
            _action_form(prefix, taken_on=action.taken_on, text=action.text, public=public_texts(action),
                         latest=today(context))
            st.form_submit_button(t("kanban.action.save"), on_click=_edit_action,
                                  args=(context, action.id, action.version, prefix))


def _action(context: AppContext, action: Action, can_edit: bool) -> None:
    with st.container(border=True, key=f"action-{action.id}"):
        show_notice(("action", action.id))
        st.markdown(f"**{fmt.day(action.taken_on)}**")
        st.text(action.text)
        texts = public_texts(action)
        if action.public_text:
            for language in ("fi", *TRANSLATED):
                if texts[language]:
                    st.caption(t(f"kanban.action.public_label_{language}"))
                    in_language(texts[language], language=language)
            missing = missing_translations(texts)
            if missing:
                st.caption(t("kanban.action.missing_translations",
                             languages=", ".join(t(f"language.name.{language}") for language in missing)))
        else:
            st.caption(t("kanban.action.no_public_text"))
        status = (t("kanban.action.published_at", day=fmt.day(helsinki_date(action.published_at)),
                    time=fmt.clock(action.published_at)) if action.published_at else t("kanban.action.not_published"))
        st.caption(inert(f"{status} · {t('kanban.action.by', who=action.created_by)}"))
        if can_edit:
            _editor(context, action)


def action_log(context: AppContext, card: KanbanCard, actions: list[Action], can_edit: bool) -> None:
    """The form for a new action (open while there are none), then each action with its own controls."""
    if can_edit:
        show_notice(("add", card.id))
        with st.expander(t("kanban.actions.add"), icon=":material/add:", expanded=not actions):
            prefix = f"add-{card.id}"
            with st.form(f"{prefix}-form", border=False):
                _action_form(prefix, taken_on=today(context), text="", public={}, latest=today(context))
                st.form_submit_button(t("kanban.actions.add"), type="primary", on_click=_add_action,
                                      args=(context, card.id))
    if not actions:
        st.write(t("kanban.actions.none"))
    for action in actions:
        _action(context, action, can_edit)
