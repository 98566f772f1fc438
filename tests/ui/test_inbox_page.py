"""The feedback inbox in AppTest: who sees what, filters, replies, themes, quotes, many at once, stale edits."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from auth.roles import Role
from board.periods import helsinki_date
from board.stages import Stage
from data.db import session_scope
from data.models import AuditEvent, Feedback, Theme, ThemeFeedback
from data.handling import mark_replied
from data.huddle_board import huddle_quotes
from pages.ui import format as fmt
from pages.ui.texts import t
from pages.ui.plain import WORD_JOINER, inert
from tests.factories import add_feedback, add_theme, link, person
from tests.conftest import app_now
from tests.ui.conftest import open_page

INBOX = "pages/inbox.py"
ACTION_KEYS = ("inbox-reply", "inbox-noreply", "inbox-undo", "inbox-attach", "inbox-quote", "inbox-bulk", "inbox-pick")

# The feedback of the tests, by name: (unit, days ago, fields); each has a text to recognise it by.
FEEDBACK = {
    "late": ("U1", 20, dict(reply_requested=True, nps=3, saatavuus=1, kohtaaminen=4,
                            open_answer="Jonotin puhelimessa tunnin")),
    "soon": ("U1", 12, dict(reply_requested=True, nps=9, saatavuus=5, open_answer="Hyvä palvelu kaikin puolin")),
    "replied": ("U1", 5, dict(reply_requested=True, nps=10, open_answer="Kiitos nopeasta vastauksesta")),
    "quiet": ("U1", 1, dict(nps=8, free_text="Ajanvaraus toimi hyvin")),
    "other": ("U2", 0.1, dict(nps=0, open_answer="Rantakylän odotusaula oli kylmä")),
}
MARKERS = {name: fields.get("open_answer") or fields.get("free_text") for name, (_, _, fields) in FEEDBACK.items()}


@pytest.fixture
def feedback(county) -> dict[str, int]:
    """The feedback above in the test county; returns their ids by name."""
    now = app_now()
    ids = {}
    with session_scope(county, write=True) as session:
        for name, (unit, days_ago, fields) in FEEDBACK.items():
            extra = {"replied_at": now - timedelta(days=4), "replied_by": "Sari K."} if name == "replied" else {}
            ids[name] = add_feedback(session, unit, now - timedelta(days=days_ago), **fields, **extra).id
    return ids


def texts(app) -> str:
    return "\n".join(str(e.value) for kind in ("markdown", "caption", "error", "warning", "info", "title")
                     for e in getattr(app, kind))


def listed(app) -> list[str]:
    """The names of the feedback on the page, in the order shown."""
    return [name for element in app.text for name, marker in MARKERS.items() if element.value == marker]


def row(engine, feedback_id: int) -> Feedback:
    with session_scope(engine) as session:
        return session.exec(select(Feedback).where(Feedback.id == feedback_id)).one()


def audit(engine, action: str) -> list[AuditEvent]:
    with session_scope(engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def click(app, key: str):
    return app.button(key=key).click().run()


def test_the_supervisor_of_u1_sees_only_u1s_feedback_newest_first_with_the_reply_countdown(feedback):
    app = open_page(INBOX, as_="ui:supervisor")
    assert not app.exception
    assert [e.value for e in app.title] == ["Palautteet"]
    assert listed(app) == ["quiet", "replied", "soon", "late"]
    assert "### 4 palautetta" in texts(app)
    shown = texts(app)
    assert ":red-badge[:material/error: Myöhässä 6 pv]" in shown
    assert ":orange-badge[:material/schedule: 2 pv aikaa]" in shown
    due = helsinki_date(app_now() + timedelta(days=2))
    assert f"eräpäivä {fmt.day(due)}" in shown
    assert f"Vastattu {fmt.day(helsinki_date(app_now() - timedelta(days=4)))}" in shown
    assert "Avun saanti :orange[**1**]" in shown and "Kohtaaminen 4" in shown
    assert [c.key for c in app.checkbox if c.key.startswith("inbox-pick-")] == [
        f"inbox-pick-{feedback[name]}" for name in ("quiet", "replied", "soon", "late")]


@pytest.mark.parametrize("widget, key, value, expected", [
    ("selectbox", "inbox-f-status", "awaiting", ["late", "soon"]),  # most urgent first
    ("selectbox", "inbox-f-status", "replied", ["replied"]),
    ("selectbox", "inbox-f-status", "not_requested", ["quiet"]),
    ("selectbox", "inbox-f-deadline", "overdue", ["late"]),
    ("selectbox", "inbox-f-deadline", "due_soon", ["soon"]),
    ("selectbox", "inbox-f-nps", "detractor", ["late"]),
    ("selectbox", "inbox-f-nps", "promoter", ["replied", "soon"]),
    ("selectbox", "inbox-f-requested", "no", ["quiet"]),
    ("text_input", "inbox-f-text", "AJANVARAUS", ["quiet"]),
    ("text_input", "inbox-f-text", "puhelimessa", ["late"]),
    ("checkbox", "inbox-f-low", True, ["late"]),
    ("date_input", "inbox-f-dates", "last week", ["quiet", "replied"]),
])
def test_filters_narrow_the_list(feedback, widget, key, value, expected):
    app = open_page(INBOX, as_="ui:supervisor")
    element = getattr(app, widget)(key=key)
    if widget == "selectbox":
        element.select(value)
    elif widget == "text_input":
        element.input(value)
    elif widget == "checkbox":
        element.check()
    else:
        today = helsinki_date(app_now())
        element.set_value((today - timedelta(days=6), today))
    app.run()
    assert not app.exception
    assert listed(app) == expected
    count = "1 palaute" if len(expected) == 1 else f"{len(expected)} palautetta"
    assert f"### {count}" in texts(app)


def test_the_unit_filter_narrows_a_directors_inbox_to_one_unit(feedback):
    app = open_page(INBOX, as_="ui:director")
    assert listed(app) == ["other", "quiet", "replied", "soon", "late"]
    app.selectbox(key="inbox-f-unit").select("U2").run()
    assert listed(app) == ["other"]
    app.button(key="inbox-f-clear").click().run()
    assert len(listed(app)) == 5


def test_the_supervisors_unit_filter_offers_only_their_own_unit(feedback):
    app = open_page(INBOX, as_="ui:supervisor")
    unit = app.selectbox(key="inbox-f-unit")
    assert unit.options == ["Kaikki yksikköni", "Keskustan terveysasema"] and unit.disabled


def test_marking_a_reply_sent_updates_the_row_audits_it_and_lowers_the_huddle_boards_overdue_count(feedback, county):
    huddle = open_page("pages/huddle.py", as_="ui:supervisor", unit="U1")
    assert next(m.value for m in huddle.metric if m.label == "Vastauksia myöhässä") == "1"
    app = open_page(INBOX, as_="ui:supervisor")
    click(app, f"inbox-reply-save-{feedback['late']}")
    assert not app.exception and not app.error
    assert [toast.value for toast in app.toast] == ["Vastaus merkitty lähetetyksi."]
    stored = row(county, feedback["late"])
    assert stored.replied_at is not None and stored.replied_by == "ui:supervisor" and stored.version == 2
    today = fmt.day(helsinki_date(app_now()))
    assert f":green-badge[:material/mark_email_read: Vastattu {today}]" in texts(app)
    assert "Myöhässä 6 pv" not in texts(app)
    events = audit(county, "feedback.reply_sent")
    assert [(e.actor, e.entity_id) for e in events] == [("ui:supervisor", str(feedback["late"]))]
    assert events[0].before["replied_at"] is None
    huddle.run()
    assert "Vastauksia myöhässä" not in [m.label for m in huddle.metric]


def test_a_reply_marked_on_an_earlier_day_keeps_that_day(feedback, county):
    app = open_page(INBOX, as_="ui:supervisor")
    day = helsinki_date(app_now() - timedelta(days=3))
    app.date_input(key=f"inbox-reply-date-{feedback['late']}").set_value(day)
    click(app, f"inbox-reply-save-{feedback['late']}")
    assert helsinki_date(row(county, feedback["late"]).replied_at) == day


def test_no_reply_needed_without_a_reason_shows_the_finnish_error_and_changes_nothing(feedback, county):
    app = open_page(INBOX, as_="ui:supervisor")
    click(app, f"inbox-noreply-save-{feedback['soon']}")
    assert not app.exception
    assert [e.value for e in app.error] == ["Kirjoita syy. Mitään ei muutettu."]
    stored = row(county, feedback["soon"])
    assert stored.no_reply_reason is None and stored.version == 1
    assert not audit(county, "feedback.no_reply_needed")


def test_no_reply_needed_with_a_reason_closes_the_item(feedback, county):
    app = open_page(INBOX, as_="ui:supervisor")
    app.text_input(key=f"inbox-noreply-reason-{feedback['soon']}").input("Asiakas tavoitettiin puhelimitse")
    click(app, f"inbox-noreply-save-{feedback['soon']}")
    assert row(county, feedback["soon"]).no_reply_reason == "Asiakas tavoitettiin puhelimitse"
    assert ":gray-badge[:material/do_not_disturb_on: Ei vastausta tarvita]" in texts(app)
    assert "Asiakas tavoitettiin puhelimitse" in texts(app)
    assert "2 pv aikaa" not in texts(app)


def test_attaching_to_a_new_theme_creates_it_at_tunnistettu(feedback, county):
    app = open_page(INBOX, as_="ui:supervisor")
    app.text_input(key=f"inbox-attach-{feedback['late']}-new").input("Puhelinjonot")
    click(app, f"inbox-attach-save-{feedback['late']}")
    assert not app.exception and not app.error
    with session_scope(county) as session:
        theme = session.exec(select(Theme).where(Theme.title == "Puhelinjonot")).one()
        linked = session.exec(select(ThemeFeedback.feedback_id).where(ThemeFeedback.theme_id == theme.id)).all()
    assert theme.stage == Stage.IDENTIFIED.value and linked == [feedback["late"]]
    assert ":material/label: Teemat: Puhelinjonot" in texts(app)


def test_attaching_to_an_existing_theme_offers_only_the_open_themes_of_the_unit(feedback, county):
    with session_scope(county, write=True) as session:
        mine = add_theme(session, "U1", Stage.IDENTIFIED, app_now(), title="Takaisinsoitot").id
        add_theme(session, "U1", Stage.DONE, app_now(), title="Valmis jo")
        add_theme(session, "U2", Stage.IDENTIFIED, app_now(), title="Toisen yksikön")
    app = open_page(INBOX, as_="ui:supervisor")
    choice = app.selectbox(key=f"inbox-attach-{feedback['soon']}-theme")
    assert choice.options == ["Takaisinsoitot · Tunnistettu · U1"]
    choice.select(mine)
    click(app, f"inbox-attach-save-{feedback['soon']}")
    assert "Teemat: Takaisinsoitot" in texts(app)
    with session_scope(county) as session:
        assert session.exec(select(ThemeFeedback.theme_id).where(
            ThemeFeedback.feedback_id == feedback["soon"])).all() == [mine]


def test_typing_the_title_of_an_open_theme_attaches_to_it_instead_of_making_a_twin(feedback, county):
    with session_scope(county, write=True) as session:
        mine = add_theme(session, "U1", Stage.IN_GROUP, app_now(), title="Takaisinsoitot").id
    app = open_page(INBOX, as_="ui:supervisor")
    app.text_input(key=f"inbox-attach-{feedback['late']}-new").input(" takaisinsoitot ")
    click(app, f"inbox-attach-save-{feedback['late']}")
    with session_scope(county) as session:
        assert len(session.exec(select(Theme)).all()) == 1
        assert session.exec(select(ThemeFeedback.theme_id).where(
            ThemeFeedback.feedback_id == feedback["late"])).all() == [mine]


def test_attaching_without_a_theme_asks_for_one(feedback, county):
    app = open_page(INBOX, as_="ui:supervisor")
    click(app, f"inbox-attach-save-{feedback['soon']}")
    assert [e.value for e in app.error] == [
        "Valitse olemassa oleva teema tai kirjoita uuden teeman nimi. Mitään ei muutettu."]


def test_picking_a_quote_puts_it_on_the_huddle_board_and_it_can_be_dropped(feedback, county):
    app = open_page(INBOX, as_="ui:supervisor")
    assert app.button(key=f"inbox-quote-{feedback['late']}").label == "Nosta asiakkaan ääneksi"
    click(app, f"inbox-quote-{feedback['late']}")
    assert row(county, feedback["late"]).quote_picked_at is not None
    assert ":violet-badge[:material/format_quote: Asiakkaan ääni]" in texts(app)
    with session_scope(county) as session:
        supervisor = person(session, Role.SUPERVISOR, "U1")
        assert [q.text for q in huddle_quotes(session, viewer=supervisor, unit_code="U1")] == [
            "Jonotin puhelimessa tunnin"]
    assert app.button(key=f"inbox-quote-{feedback['late']}").label == "Poista asiakkaan äänistä"
    click(app, f"inbox-quote-{feedback['late']}")
    assert row(county, feedback["late"]).quote_picked_at is None
    assert [e.action for e in audit(county, "feedback.quote_picked") + audit(county, "feedback.quote_dropped")] == [
        "feedback.quote_picked", "feedback.quote_dropped"]


def test_feedback_without_text_offers_no_quote(county):
    with session_scope(county, write=True) as session:
        silent = add_feedback(session, "U1", app_now() - timedelta(hours=1), nps=7).id
    app = open_page(INBOX, as_="ui:supervisor")
    assert "Ei kirjoitettua palautetta." in texts(app)
    assert f"inbox-quote-{silent}" not in [b.key for b in app.button]


def test_a_bulk_action_handles_the_two_chosen_items_at_once(feedback, county):
    app = open_page(INBOX, as_="ui:supervisor")
    app.checkbox(key=f"inbox-pick-{feedback['late']}").check().run()
    app.checkbox(key=f"inbox-pick-{feedback['soon']}").check().run()
    assert "**2** valittuna" in texts(app)
    app.selectbox(key="inbox-bulk-action").select("no_reply_needed").run()
    app.text_input(key="inbox-bulk-reason").input("Asiakkaalle soitettu")
    click(app, "inbox-bulk-do")
    assert not app.exception and not app.error
    assert {row(county, feedback[n]).no_reply_reason for n in ("late", "soon")} == {"Asiakkaalle soitettu"}
    assert row(county, feedback["quiet"]).no_reply_reason is None
    assert sorted(e.entity_id for e in audit(county, "feedback.no_reply_needed")) == sorted(
        str(feedback[n]) for n in ("late", "soon"))
    assert not any(c.value for c in app.checkbox if c.key.startswith("inbox-pick-"))


def test_a_bulk_reply_marks_both_replied(feedback, county):
    app = open_page(INBOX, as_="ui:supervisor")
    app.button(key="inbox-bulk-all").click().run()
    app.checkbox(key=f"inbox-pick-{feedback['replied']}").uncheck().run()
    app.checkbox(key=f"inbox-pick-{feedback['quiet']}").uncheck().run()
    click(app, "inbox-bulk-do")  # the first action offered: the reply sent, today
    assert all(row(county, feedback[n]).replied_at for n in ("late", "soon"))
    assert row(county, feedback["quiet"]).replied_at is None


def test_a_stale_edit_shows_the_changed_by_someone_else_message_and_does_not_overwrite(feedback, county):
    app = open_page(INBOX, as_="ui:supervisor")
    app.text_input(key=f"inbox-noreply-reason-{feedback['soon']}").input("Ei tarvetta")
    with session_scope(county, write=True) as session:  # another supervisor, between render and click
        other = person(session, Role.SUPERVISOR, "U1", name="Toinen Esihenkilö")
        mark_replied(session, viewer=other, feedback_id=feedback["soon"], seen_version=1,
                     replied_at=app_now(), now=app_now())
    click(app, f"inbox-noreply-save-{feedback['soon']}")
    assert not app.exception
    warning = "\n".join(w.value for w in app.warning)
    assert "Joku muu muutti tätä palautetta juuri – alla sen nykyinen tila." in warning
    assert f"Vastattu {fmt.day(helsinki_date(app_now()))} · Toinen Esihenkilö" in warning
    stored = row(county, feedback["soon"])
    assert stored.no_reply_reason is None and stored.replied_by == "Toinen Esihenkilö" and stored.version == 2
    assert not audit(county, "feedback.no_reply_needed")


def test_a_bare_version_change_between_render_and_click_stops_the_write(feedback, county):
    app = open_page(INBOX, as_="ui:supervisor")
    with session_scope(county, write=True) as session:
        session.execute(update(Feedback).where(Feedback.id == feedback["late"]).values(version=Feedback.version + 1))
    click(app, f"inbox-reply-save-{feedback['late']}")
    assert "Joku muu muutti tätä palautetta juuri" in "\n".join(w.value for w in app.warning)
    assert row(county, feedback["late"]).replied_at is None
    click(app, f"inbox-reply-save-{feedback['late']}")  # the user saw the new state: now it goes through
    assert row(county, feedback["late"]).replied_at is not None


def test_a_stale_item_stops_a_bulk_action_and_nothing_is_written(feedback, county):
    app = open_page(INBOX, as_="ui:supervisor")
    app.checkbox(key=f"inbox-pick-{feedback['late']}").check().run()
    app.checkbox(key=f"inbox-pick-{feedback['soon']}").check().run()
    app.selectbox(key="inbox-bulk-action").select("quote").run()
    with session_scope(county, write=True) as session:
        session.execute(update(Feedback).where(Feedback.id == feedback["soon"]).values(version=Feedback.version + 1))
    click(app, "inbox-bulk-do")
    assert "Joku muu muutti 1 valituista palautteista juuri" in "\n".join(w.value for w in app.warning)
    assert row(county, feedback["late"]).quote_picked_at is None
    assert row(county, feedback["soon"]).quote_picked_at is None
    assert app.checkbox(key=f"inbox-pick-{feedback['late']}").value  # the choice is kept for a retry


def test_the_team_role_does_not_get_the_inbox(feedback):
    app = open_page(INBOX, as_="ui:team")
    assert not app.exception
    assert "Palautteet" not in [e.value for e in app.title]
    assert not listed(app) and not [w for w in app.selectbox if (w.key or "").startswith("inbox-")]
    # Instead: the team's default page, or the navigation's polite "no access" for a page not theirs.
    assert [e.value for e in app.title] == ["Valitse yksikkö"] or "käyttöoikeutta" in texts(app)


def test_a_director_sees_the_inbox_read_only(feedback):
    app = open_page(INBOX, as_="ui:director")
    assert not app.exception
    assert "lukuoikeudella" in texts(app)
    assert len(listed(app)) == 5
    assert not [w.key for kind in ("button", "checkbox", "date_input", "text_input")
                for w in getattr(app, kind) if (w.key or "").startswith(ACTION_KEYS)]


def test_user_text_with_markdown_and_html_is_shown_escaped(county):
    text = "<img src=x onerror=alert(1)> **lihava** [linkki](javascript:alert(1)) &amp; # otsikko\nrivi 2"
    with session_scope(county, write=True) as session:
        shown = add_feedback(session, "U1", app_now() - timedelta(hours=1), open_answer=text, reply_requested=True,
                             no_reply_reason="*ei* <i>tarvetta</i>")
        link(session, add_theme(session, "U1", Stage.IDENTIFIED, app_now(), title="<b>teema</b> _x_"), shown)
    app = open_page(INBOX, as_="ui:supervisor")
    assert [e.value for e in app.text] == [text]  # st.text: no markdown, no HTML, no links at all
    assert not any("lihava" in e.value for e in app.markdown)
    assert f":material/label: Teemat: {inert('<b>teema</b> _x_')}" in texts(app)
    assert inert("*ei* <i>tarvetta</i>") in texts(app)
    assert not any(e.allow_html for e in [*app.markdown, *app.caption])


def test_the_inbox_pages_through_fifty_at_a_time(county):
    with session_scope(county, write=True) as session:
        for minutes in range(55):
            add_feedback(session, "U1", app_now() - timedelta(minutes=10 + minutes), nps=minutes % 11)
    app = open_page(INBOX, as_="ui:supervisor")
    assert "### 55 palautetta" in texts(app) and "Sivu 1 / 2" in texts(app)
    assert len([c for c in app.checkbox if c.key.startswith("inbox-pick-")]) == 50
    app.button(key="inbox-next-top").click().run()
    assert "Sivu 2 / 2" in texts(app)
    assert len([c for c in app.checkbox if c.key.startswith("inbox-pick-")]) == 5
    app.selectbox(key="inbox-f-nps").select("promoter").run()  # a new filter starts from the first page
    assert "Sivu" not in texts(app) and "### 10 palautetta" in texts(app)


@pytest.mark.parametrize("reason", [
    "reply_before_feedback", "reply_in_future", "reason_missing", "title_missing", "public_text_missing",
    "too_long", "already_replied", "nothing_to_quote", "theme_elsewhere", "theme_choice", "text_missing",
    "date_in_future", "same_stage", "not_allowed", "escalation_target_missing",
])
def test_every_refusal_reason_has_a_finnish_message(reason):
    assert t("inbox.invalid." + reason) != t("inbox.invalid.unknown")


# --------------------------------------------------------------------------- inbox15: in order, undone, linked

def test_replies_awaiting_are_listed_most_urgent_first(feedback):
    app = open_page(INBOX, as_="ui:supervisor")
    app.selectbox(key="inbox-f-status").select("awaiting").run()
    assert not app.exception
    assert listed(app) == ["late", "soon"]


def test_a_reply_marked_sent_can_be_undone_and_awaits_again(feedback, county):
    app = open_page(INBOX, as_="ui:supervisor")
    click(app, f"inbox-reply-save-{feedback['late']}")
    click(app, f"inbox-undo-{feedback['late']}")
    assert not app.exception and not app.error
    assert [toast.value for toast in app.toast] == ["Merkintä peruttu: vastaus odottaa taas."]
    stored = row(county, feedback["late"])
    assert stored.replied_at is None and stored.replied_by is None and stored.version == 3
    assert [e.entity_id for e in audit(county, "feedback.reply_unsent")] == [str(feedback["late"])]
    assert "Myöhässä 6 pv" in texts(app)


def test_an_undo_of_a_mark_changed_meanwhile_is_refused_as_stale(feedback, county):
    app = open_page(INBOX, as_="ui:supervisor")
    with session_scope(county, write=True) as session:
        session.exec(update(Feedback).where(Feedback.id == feedback["replied"]).values(version=Feedback.version + 1))
    click(app, f"inbox-undo-{feedback['replied']}")
    assert row(county, feedback["replied"]).replied_at is not None
    assert audit(county, "feedback.reply_unsent") == []


@pytest.mark.parametrize("query, expected", [
    (dict(unit="U1", status="awaiting"), ["late", "soon"]),
    (dict(unit="U1", deadline="overdue"), ["late"]),
    (dict(unit="U1", deadline="due_soon", lang="fi"), ["soon"]),
    (dict(unit="U2", status="awaiting"), ["late", "soon"]),      # not the supervisor's unit: left out
    (dict(status="bogus"), ["quiet", "replied", "soon", "late"]),
])
def test_a_link_from_a_notification_sets_the_initial_filters(feedback, query, expected):
    app = open_page(INBOX, as_="ui:supervisor", **query)
    assert not app.exception
    assert listed(app) == expected


def test_filters_set_by_a_link_can_be_changed_afterwards(feedback):
    app = open_page(INBOX, as_="ui:supervisor", unit="U1", deadline="overdue")
    assert listed(app) == ["late"]
    app.selectbox(key="inbox-f-deadline").select("").run()
    assert listed(app) == ["quiet", "replied", "soon", "late"]


def test_an_item_of_a_source_with_a_link_template_links_to_its_record(feedback, county, tmp_path, monkeypatch):
    import data.feedback_files as feedback_files
    (tmp_path / "kysely.toml").write_text(
        'name = "kysely"\ndescription = "Kysely"\nsource = "kysely"\n'
        'record_url = "https://kysely.example/responses/{source_id}"\n'
        '[columns]\nsource_id = ["Tunnus"]\nunit_code = ["Yksikkö"]\nreceived_at = ["Aika"]\n', encoding="utf-8")
    monkeypatch.setattr(feedback_files, "PROFILES", tmp_path)
    with session_scope(county, write=True) as session:
        session.exec(update(Feedback).where(Feedback.id == feedback["late"]).values(source="kysely",
                                                                                   source_id="R 7/8"))
    app = open_page(INBOX, as_="ui:supervisor")
    assert not app.exception
    [link] = app.get("link_button")
    assert link.proto.label == "Avaa alkuperäinen palaute"
    assert link.proto.url == "https://kysely.example/responses/R%207%2F8"


def test_each_item_with_text_shows_its_suggested_pile_and_a_long_one_asks_to_be_read_whole(county):
    now = app_now()
    with session_scope(county, write=True) as session:
        add_feedback(session, "U1", now - timedelta(hours=3), nps=7, open_answer="Aulaan voisi tuoda lisää tuoleja.")
        add_feedback(session, "U1", now - timedelta(hours=2), nps=10, open_answer="Kiitos! " + "Hyvää hoitoa. " * 40)
        add_feedback(session, "U1", now - timedelta(hours=1), nps=8)
    app = open_page(INBOX, as_="ui:supervisor")
    assert not app.exception
    badges = [element.proto.markdown.body for element in app.get("badge")] if app.get("badge") else []
    shown = "\n".join(badges) + texts(app)
    assert t("triage.kehitysehdotus") in shown and t("triage.kiitos") in shown
    assert shown.count(t("triage.read_whole")) == 1
    assert t("triage.ei_toimenpiteita") not in shown  # the item without text is not sorted at all
    assert t("triage.vaatii_vastauksen") not in shown
# --------------------------------------------------------------------------- report18: the roll-up's drill links

def _days_back(first: int, last: int) -> str:
    """A custom period's key, as the roll-up writes it, from `first` to `last` days before the app's today."""
    today = helsinki_date(app_now())
    return f"{(today - timedelta(days=first)).isoformat()}..{(today - timedelta(days=last)).isoformat()}"


def _as_read(markdown: str) -> str:
    """A Markdown text as the reader sees it: inert()'s backslash escapes and word joiners undone."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace(WORD_JOINER, "")


def test_a_drill_link_opens_the_inbox_narrowed_to_the_node_period_and_nps_group(feedback):
    app = open_page(INBOX, as_="ui:supervisor", unit="U1", kind="custom", period=_days_back(21, 10), nps="detractor")
    assert not app.exception and not app.warning
    assert listed(app) == ["late"]
    assert app.selectbox(key="inbox-f-nps").value == "detractor"
    today = helsinki_date(app_now())
    assert app.date_input(key="inbox-f-dates").value == (today - timedelta(days=21), today - timedelta(days=10))
    note = _as_read(texts(app))  # the note's values pass through inert(): "Arvostelijat \\(0–6\\)", "2\\.11\\.2026"
    assert "Rajattu linkin mukaan:" in note and "Arvostelijat (0–6)" in note
    assert f"{fmt.day(today - timedelta(days=21))}–{fmt.day(today - timedelta(days=10))}" in note


def test_a_drill_links_filter_is_removed_in_one_click_and_stays_removed(feedback):
    app = open_page(INBOX, as_="ui:supervisor", unit="U1", kind="custom", period=_days_back(21, 10), nps="detractor")
    click(app, "inbox-link-remove")
    assert not app.exception
    assert listed(app) == ["quiet", "replied", "soon", "late"]
    assert "Rajattu linkin mukaan" not in texts(app)
    assert "kind" not in app.query_params and "nps" not in app.query_params and "period" not in app.query_params
    app.run()
    assert listed(app) == ["quiet", "replied", "soon", "late"]


def test_a_drill_links_note_goes_when_its_filter_is_changed(feedback):
    app = open_page(INBOX, as_="ui:supervisor", unit="U1", kind="custom", period=_days_back(21, 10), nps="detractor")
    app.selectbox(key="inbox-f-nps").select("").run()
    assert listed(app) == ["soon", "late"]
    assert "Rajattu linkin mukaan" not in texts(app)


def test_a_running_period_of_a_link_is_cut_at_today(feedback):
    today = helsinki_date(app_now())
    app = open_page(INBOX, as_="ui:supervisor", unit="U1", kind="year", period=str(today.year + 0))
    assert not app.exception and not app.warning
    assert app.date_input(key="inbox-f-dates").value[1] == today


@pytest.mark.parametrize("query, message", [
    (dict(kind="month", period="2026-13"), "Linkin jaksoa ”2026-13” ei voitu lukea"),
    (dict(kind="fortnight", period="2026-11"), "Linkin jaksoa ”2026-11” ei voitu lukea"),
    (dict(kind="year", period="2999"), "Linkin jaksoa ”2999” ei voitu lukea"),
    (dict(kind="custom", period="<b>x</b>"), "Linkin jaksoa ”<b>x</b>” ei voitu lukea"),
    (dict(nps="grumpy"), "Linkin rajausta ”grumpy” ei tunneta"),
    (dict(unit="U2", nps="detractor"), "Linkin yksikkö ”U2” ei ole yksiköissäsi"),
])
def test_a_link_with_a_value_that_cannot_be_used_says_so_and_lists_the_rest(feedback, query, message):
    app = open_page(INBOX, as_="ui:supervisor", **query)
    assert not app.exception
    warnings = [inert_free(w.value) for w in app.warning]
    assert any(w.startswith(message) for w in warnings), warnings
    expected = ["late"] if query.get("nps") == "detractor" else ["quiet", "replied", "soon", "late"]
    assert listed(app) == expected


def inert_free(text: str) -> str:
    """A warning's text without the escapes that keep a link's value from becoming Markdown."""
    return text.replace("\\", "")
