"""The "Aiheet" tab of /admin (AppTest): each topic's tags and cross-validated figures, and the inbox's topic widget."""
from __future__ import annotations

from data.db import session_scope
from data.topics import train_topic_model
from tests.conftest import app_now
from tests.integration.test_topics import tagged_history
from tests.ui.conftest import open_page


def _topic_table(app):
    [table] = [frame.value for frame in app.dataframe if "Aihe" in frame.value.columns]
    return table.set_index("Aihe")


def test_the_topics_tab_says_when_nothing_is_trained_yet(county):
    app = open_page("pages/admin.py", as_="ui:admin")
    assert not app.exception
    assert "Aiheet" in [tab.label for tab in app.tabs]
    assert any("python -m data suggestions train" in info.value for info in app.info)
    table = _topic_table(app)
    assert table.loc["Odotus ja jonot", "Merkintöjä"] == 0


def test_the_topics_tab_shows_each_topics_tags_precision_and_recall(county):
    with session_scope(county, write=True) as session:
        tagged_history(session)
        train_topic_model(session, actor="test", now=app_now())
    app = open_page("pages/admin.py", as_="ui:admin")
    assert not app.exception
    table = _topic_table(app)
    assert table.loc["Odotus ja jonot", "Merkintöjä"] == 10
    assert table.loc["Odotus ja jonot", "Kattavuus"].endswith("%")
    assert table.loc["Ruoka", "Ehdotetaan"].startswith("ei")
    assert any(", 30 merkityn palautteen pohjalta." in caption.value for caption in app.caption)


def test_the_inbox_prefills_the_suggested_topics_and_one_click_accepts_them(county):
    with session_scope(county, write=True) as session:
        tagged_history(session)
        train_topic_model(session, actor="test", now=app_now(), cross_validate=False)
        from tests.factories import add_feedback
        new = add_feedback(session, "U1", app_now(), open_answer="Jouduin odottamaan pitkään jonossa").id
    app = open_page("pages/inbox.py", as_="ui:supervisor")
    assert not app.exception
    [field] = [m for m in app.multiselect if m.key == f"topics-{new}-suggested"]
    assert field.label == "Ehdotetut aiheet (varmuus)" and len(field.value) >= 1
    accepted = field.value
    [accept] = [b for b in app.button if b.key == f"topics-save-{new}"]
    app = accept.click().run()
    assert not app.exception
    [field] = [m for m in app.multiselect if m.key == f"topics-{new}-decided"]
    assert field.label == "Aiheet" and field.value == accepted
    assert not any("%" in field.format_func(option) for option in field.value)


def test_an_answer_without_text_has_no_topic_field(county):
    with session_scope(county, write=True) as session:
        tagged_history(session)
        train_topic_model(session, actor="test", now=app_now(), cross_validate=False)
        from tests.factories import add_feedback
        numbers_only = add_feedback(session, "U1", app_now(), nps=9, open_answer=" ", free_text=None).id
        written = add_feedback(session, "U1", app_now(), nps=9, open_answer="Jouduin odottamaan jonossa").id
    app = open_page("pages/inbox.py", as_="ui:supervisor")
    assert not app.exception
    keys = {m.key for m in app.multiselect} | {b.key for b in app.button}
    assert f"topics-{written}-suggested" in keys
    assert not {f"topics-{numbers_only}-suggested", f"topics-save-{numbers_only}"} & keys
