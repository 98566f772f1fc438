"""Topics on one inbox item: the model's suggestions pre-filled with their confidence, one click to keep
or correct them. The inbox reads the topics of its whole page at once (`page_topics`) and calls
`render(context, view, names, editable=…)` for each item."""
from __future__ import annotations

import streamlit as st

from auth.access import AccessDenied
from board.topics import shown_percent
from data.topic_tables import Topic
from data.topics import FeedbackTopics, TopicsChanged, decide_topics, list_topics, topics_for
from pages.ui import format as fmt
from pages.ui.language import current
from pages.ui.plain import inert
from pages.ui.refusal import refuse
from pages.ui.saving import saving
from pages.ui.texts import t
from pages.ui.relabel import relabelled

# The multiselect of one item; a fresh one once topics are decided, as the field keeps its options' labels.
FIELD = "topics-{}-{}"
CHANGED = "topics.changed"   # the item whose topics someone else decided first


def _save(context, feedback_id: int, field: str, seen: tuple[int, ...], suggested: dict[int, float]) -> None:
    chosen = set(st.session_state.get(field) or [])
    try:
        with saving(context.engine) as session:
            decide_topics(session, viewer=context.viewer, feedback_id=feedback_id, chosen=chosen,
                          seen=set(seen), suggested=suggested, now=context.now())
    except TopicsChanged:
        st.session_state[CHANGED] = feedback_id
    except AccessDenied as denied:
        refuse(context, denied)
    else:
        st.session_state.pop(field, None)
        st.toast(t("topics.saved"), icon=":material/sell:")


PageTopics = tuple[dict[int, FeedbackTopics], dict[int, Topic]]


def page_topics(session, viewer, feedback_ids: list[int]) -> PageTopics:
    """The topics of a page of items, with the model's suggestions computed for the page in one go."""
    return (topics_for(session, viewer=viewer, feedback_ids=feedback_ids),
            {topic.id: topic for topic in list_topics(session)})


def topic_keys(view: FeedbackTopics, topics: dict[int, Topic]) -> tuple[str, ...]:
    """The keys of the item's decided topics, or else of its suggestions."""
    chosen = view.applied or tuple(s.topic_id for s in view.suggestions if s.topic_id not in view.rejected)
    return tuple(topics[i].key for i in chosen if i in topics)


def render(context, view: FeedbackTopics, topics: dict[int, Topic], *, editable: bool) -> None:
    """The item's topics: decided ones as they are, or else the suggestions to accept or correct."""
    feedback_id = view.feedback_id
    names = {topic_id: topic.name(current()) for topic_id, topic in topics.items()}
    suggested = {s.topic_id: s.confidence for s in view.suggestions if s.topic_id not in view.rejected}
    decided = bool(view.applied)
    if not editable:
        if decided:
            st.caption(t("topics.item.decided", names=", ".join(inert(names[i]) for i in view.applied if i in names)))
        return
    if st.session_state.pop(CHANGED, None) == feedback_id:
        st.warning(t("topics.item.changed"), icon=":material/sync_problem:")

    def label(topic_id: int) -> str:
        # Options of a multiselect are shown as plain text; the confidence tells how sure the model is.
        confidence = suggested.get(topic_id) if not decided else None
        shown = names.get(topic_id, "?")
        return shown if confidence is None else t("topics.item.option", name=shown,
                                                   confidence=fmt.number(shown_percent(confidence)))

    default = list(view.applied) if decided else list(suggested)
    field = FIELD.format(feedback_id, "decided" if decided else "suggested")
    with st.container(horizontal=True, vertical_alignment="bottom", key=f"topics-row-{feedback_id}"):
        st.multiselect(t("topics.item.decided_label") if decided else t("topics.item.suggested_label"),
                       options=list(names), default=[i for i in default if i in names], format_func=label,
                       key=relabelled(field), width=520, placeholder=t("topics.item.placeholder"))
        st.button(t("topics.item.save") if decided else t("topics.item.accept"), key=f"topics-save-{feedback_id}",
                  icon=":material/sell:", on_click=_save,
                  args=(context, feedback_id, field, view.applied, {} if decided else suggested))
