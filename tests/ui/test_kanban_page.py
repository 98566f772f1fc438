"""The kanban page in AppTest: columns and cards, moves and their refusals, WIP limits, the action log,
the history, stale edits, read-only and refused viewers, escaped user text. SQLite and PostgreSQL."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from board.stages import Stage
from data.access import add_grant
from data.db import session_scope
from data.models import AccessGrant, Action, AuditEvent, Theme
from pages.ui.plain import inert
from tests.conftest import app_now
from tests.factories import add_feedback, add_theme, link
from tests.ui.conftest import open_page

KANBAN = "pages/kanban.py"
SHOWN = ("title", "subheader", "markdown", "caption", "text", "warning", "error", "info", "toast")


@dataclass(frozen=True)
class Board:
    engine: object
    found: int        # Tunnistettu, no development yet
    group: int        # Kehittämisryhmällä, with linked feedback before and after its development start
    done: int         # Valmis
    elsewhere: int    # a theme of U2, not on U1's board


@pytest.fixture
def board(county) -> Board:
    now = app_now()
    with session_scope(county, write=True) as session:
        found = add_theme(session, "U1", Stage.IDENTIFIED, now - timedelta(days=2), title="Takaisinsoitot viipyvät")
        group = add_theme(session, "U1", Stage.IN_GROUP, now - timedelta(days=9), title="Ajanvarauksen jonot",
                          owner="Mari L.")
        group.development_started_at = now - timedelta(days=9)
        done = add_theme(session, "U1", Stage.DONE, now - timedelta(days=30), title="Opasteet aulaan")
        elsewhere = add_theme(session, "U2", Stage.IDENTIFIED, now - timedelta(days=1), title="Rantakylän pysäköinti")
        # Before the start: NPS 100 · (3 − 2) / 6 ≈ 17, 3 of 6 agree on saatavuus; after it only two answers.
        for days, score, saatavuus in [(20, 10, 5), (19, 10, 4), (18, 9, 4), (17, 6, 2), (16, 3, 1), (15, 8, 3)]:
            received = now - timedelta(days=days)
            link(session, group, add_feedback(session, "U1", received, nps=score, saatavuus=saatavuus))
        for days, score in [(3, 10), (2, 9)]:
            link(session, group, add_feedback(session, "U1", now - timedelta(days=days), nps=score, saatavuus=5))
        ids = found.id, group.id, done.id, elsewhere.id
    return Board(county, *ids)


# --- helpers -----------------------------------------------------------------------------------------

def shown(node) -> str:
    """Every text a node shows, with the markdown escapes of user text taken off."""
    return "\n".join(str(e.value) for kind in SHOWN for e in getattr(node, kind)).replace("\\", "")


def card(app, theme_id: int):
    return app.get_by_key(f"card-{theme_id}")


def column_of(app, theme_id: int) -> Stage | None:
    for stage in Stage:
        if any(getattr(node, "key", None) == f"card-{theme_id}" for node in app.get_by_key(f"column-{stage.value}")):
            return stage
    return None


def theme(engine, theme_id: int) -> Theme:
    with session_scope(engine) as session:
        return session.get(Theme, theme_id)


def version(engine, theme_id: int) -> int:
    return theme(engine, theme_id).version


def audit(engine, action: str) -> list[AuditEvent]:
    with session_scope(engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)
                                 .order_by(AuditEvent.id)).all())


def choose(app, theme_id: int, target: Stage, seen: int = 1):
    app.selectbox(key=f"move-{theme_id}-v{seen}").select(target)
    return app


def press_move(app, theme_id: int, seen: int = 1):
    return app.button(key=f"move-button-{theme_id}-v{seen}").click().run()


def button(app, label: str):
    return next(b for b in app.button if b.label == label)


def open_theme(app, theme_id: int):
    return app.button(key=f"open-{theme_id}").click().run()


def actions_of(engine, theme_id: int) -> list[Action]:
    with session_scope(engine) as session:
        return list(session.exec(select(Action).where(Action.theme_id == theme_id).order_by(Action.id)).all())


# --- the board ---------------------------------------------------------------------------------------

def test_the_supervisor_sees_the_four_columns_and_the_exits_with_their_cards(board):
    app = open_page(KANBAN, as_="ui:supervisor", unit="U1")
    assert not app.exception
    assert app.title[0].value == "Kehittämistaulu: Keskustan terveysasema"
    assert [s.value for s in app.subheader] == [
        "Tunnistettu", "Kehittämisryhmällä", "Kokeilussa", "Valmis", "Taululta pois siirretyt teemat",
        "Siirretty laajempaan kehittämiseen", "Ei edetä"]
    assert column_of(app, board.found) == Stage.IDENTIFIED
    assert column_of(app, board.group) == Stage.IN_GROUP
    assert column_of(app, board.done) == Stage.DONE
    assert "Rantakylän pysäköinti" not in shown(app)
    assert "Teemoja 1 · ei WIP-rajaa" in shown(app.get_by_key("column-kehittamisryhmalla"))


def test_a_card_shows_owner_days_feedback_and_the_figures_before_and_after_its_development(board):
    app = open_page(KANBAN, as_="ui:supervisor", unit="U1")
    text = shown(card(app, board.group))
    assert "Ajanvarauksen jonot" in text
    assert "Vastuuhenkilö: Mari L. · 9 pv vaiheessa · Liitettyjä palautteita 8" in text
    assert "**NPS** 17 (n 6) → liian vähän vastauksia (n 2)" in text
    assert "**Avun saanti** 50 % (n 6) → liian vähän vastauksia (n 2)" in text
    # Not yet in development: no split, so no figures at all.
    assert "NPS" not in shown(card(app, board.found))
    # The opened theme shows the statement in its national wording.
    open_theme(app, board.group)
    assert ("| Sain apua, kun sitä tarvitsin – samaa mieltä (4–5) | 50 % (n 6) | liian vähän vastauksia (n 2) |"
            in shown(app))


def test_moving_a_card_forward_lands_it_in_the_next_column_with_an_audit_row(board):
    app = open_page(KANBAN, as_="ui:supervisor", unit="U1")
    press_move(choose(app, board.group, Stage.TRIAL), board.group)
    assert not app.exception
    assert column_of(app, board.group) == Stage.TRIAL
    assert "Teema siirretty vaiheeseen Kokeilussa." in shown(app)
    moved = audit(board.engine, "theme.move")
    assert [(e.actor, e.entity_id, e.before["stage"], e.after["stage"]) for e in moved] == [
        ("ui:supervisor", str(board.group), "kehittamisryhmalla", "kokeilussa")]
    assert theme(board.engine, board.group).version == 2


def test_only_the_moves_the_rules_allow_are_offered(board):
    app = open_page(KANBAN, as_="ui:supervisor", unit="U1")
    assert app.selectbox(key=f"move-{board.found}-v1").options == [
        "Kehittämisryhmällä", "Siirretty laajempaan kehittämiseen", "Ei edetä"]
    assert app.selectbox(key=f"move-{board.done}-v1").options == ["Kehittämisryhmällä"]


def test_a_forged_move_through_the_ui_is_refused_in_finnish_and_changes_nothing(board):
    app = open_page(KANBAN, as_="ui:supervisor", unit="U1")
    choose(app, board.group, Stage.DONE)
    # The theme is put back to "identified" behind the page's back, version untouched: the target the
    # page offered is now one no rule allows.
    with session_scope(board.engine, write=True) as session:
        session.execute(update(Theme).where(Theme.id == board.group).values(stage=Stage.IDENTIFIED.value))
    press_move(app, board.group)
    assert not app.exception
    assert "Teemaa ei voi siirtää vaiheesta Tunnistettu vaiheeseen Valmis. Mitään ei muutettu." in shown(
        card(app, board.group))
    assert theme(board.engine, board.group).stage == Stage.IDENTIFIED.value
    assert audit(board.engine, "theme.move") == []


@pytest.mark.parametrize("target, question, refusal, answer, note", [
    (Stage.ESCALATED, "Mihin teema siirretään?", "Kerro, mihin teema siirretään laajempaan kehittämiseen.",
     "Alueen palvelupolkuryhmä", "Siirretty: Alueen palvelupolkuryhmä"),
    (Stage.NOT_PURSUED, "Miksi teemaa ei edistetä?", "Kerro, miksi teemaa ei edistetä.",
     "Yksittäinen tapaus", "Syy: Yksittäinen tapaus"),
])
def test_an_exit_without_its_note_is_refused_and_with_it_lands_in_the_exit(board, target, question, refusal,
                                                                          answer, note):
    app = choose(open_page(KANBAN, as_="ui:supervisor", unit="U1"), board.found, target).run()
    assert [i.label for i in app.text_input if i.label == question] == [question]
    press_move(app, board.found)
    assert refusal in shown(card(app, board.found))
    assert theme(board.engine, board.found).stage == Stage.IDENTIFIED.value
    assert theme(board.engine, board.found).version == 1
    next(i for i in app.text_input if i.label == question).input(answer)
    press_move(app, board.found)
    assert column_of(app, board.found) == target
    assert note in shown(card(app, board.found))


def test_going_over_a_wip_limit_needs_a_confirmation_and_the_column_shows_it(board, monkeypatch):
    monkeypatch.setenv("VARTTI_WIP_LIMITS", "kehittamisryhmalla=1")
    app = open_page(KANBAN, as_="ui:supervisor", unit="U1")
    assert "Teemoja 1 · WIP-raja 1" in shown(app.get_by_key("column-kehittamisryhmalla"))
    press_move(choose(app, board.found, Stage.IN_GROUP), board.found)
    assert "Vaiheessa Kehittämisryhmällä on jo 1 teemaa, ja WIP-raja on 1. Siirretäänkö silti?" in shown(
        card(app, board.found))
    assert theme(board.engine, board.found).stage == Stage.IDENTIFIED.value
    assert "Yli WIP-rajan" not in shown(app)
    app.button(key=f"confirm-{board.found}").click().run()
    assert column_of(app, board.found) == Stage.IN_GROUP
    column = shown(app.get_by_key("column-kehittamisryhmalla"))
    assert "Teemoja 2 · WIP-raja 1" in column and "Yli WIP-rajan" in column
    assert audit(board.engine, "theme.move")[-1].after["over_wip_limit"] == {"limit": 1, "cards_before": 1}


def test_a_move_over_the_limit_can_be_called_off(board, monkeypatch):
    monkeypatch.setenv("VARTTI_WIP_LIMITS", "kehittamisryhmalla=1")
    app = press_move(choose(open_page(KANBAN, as_="ui:supervisor", unit="U1"), board.found, Stage.IN_GROUP),
                     board.found)
    app.button(key=f"cancel-{board.found}").click().run()
    assert column_of(app, board.found) == Stage.IDENTIFIED
    assert app.selectbox(key=f"move-{board.found}-v1")  # the move controls are back
    assert audit(board.engine, "theme.move") == []


def test_a_stale_move_says_someone_else_changed_the_theme_and_overwrites_nothing(board):
    app = choose(open_page(KANBAN, as_="ui:supervisor", unit="U1"), board.group, Stage.TRIAL)
    with session_scope(board.engine, write=True) as session:
        session.execute(update(Theme).where(Theme.id == board.group)
                        .values(title="Ajanvaraus muutettu muualla", version=Theme.version + 1))
    press_move(app, board.group)
    assert not app.exception
    text = shown(card(app, board.group))
    assert "Joku muu muutti tätä teemaa juuri – alla sen nykyinen tila." in text
    assert "Ajanvaraus muutettu muualla" in text
    assert column_of(app, board.group) == Stage.IN_GROUP
    assert (theme(board.engine, board.group).stage, version(board.engine, board.group)) == (Stage.IN_GROUP.value, 2)
    # The fresh state is what the page now offers: the next move passes the new version and succeeds.
    press_move(choose(app, board.group, Stage.TRIAL, seen=2), board.group, seen=2)
    assert column_of(app, board.group) == Stage.TRIAL


# --- creating and editing a theme ----------------------------------------------------------------------

def test_a_new_theme_starts_identified_and_needs_a_title(board):
    app = open_page(KANBAN, as_="ui:supervisor", unit="U1")
    button(app, "Lisää teema").click().run()
    assert "Teemalla pitää olla otsikko. Mitään ei muutettu." in shown(app)
    app.text_input(key="new-theme-title").input("Laboratorion jonotus")
    app.text_input(key="new-theme-owner").input("Jussi P.")
    button(app, "Lisää teema").click().run()
    assert not app.exception
    with session_scope(board.engine) as session:
        created = session.exec(select(Theme).where(Theme.title == "Laboratorion jonotus")).one()
    assert (created.stage, created.owner) == (Stage.IDENTIFIED.value, "Jussi P.")
    assert column_of(app, created.id) == Stage.IDENTIFIED
    assert app.text_input(key="new-theme-title").value == ""
    assert [e.entity_id for e in audit(board.engine, "theme.create")] == [str(created.id)]


def test_editing_a_theme_saves_it_and_a_stale_edit_keeps_both_the_other_change_and_the_draft(board):
    app = open_theme(open_page(KANBAN, as_="ui:supervisor", unit="U1"), board.found)
    prefix = f"edit-theme-{board.found}-v1"
    app.text_input(key=f"{prefix}-owner").input("Liisa V.")
    button(app, "Tallenna muutokset").click().run()
    assert theme(board.engine, board.found).owner == "Liisa V."
    assert "Vastuuhenkilö: Liisa V." in shown(card(app, board.found))
    prefix = f"edit-theme-{board.found}-v2"
    app.text_input(key=f"{prefix}-title").input("Oma otsikkoni")
    with session_scope(board.engine, write=True) as session:
        session.execute(update(Theme).where(Theme.id == board.found)
                        .values(title="Toisen otsikko", version=Theme.version + 1))
    button(app, "Tallenna muutokset").click().run()
    assert not app.exception
    assert "Joku muu muutti tätä teemaa juuri – alla sen nykyinen tila." in shown(app)
    assert "Otsikko: Oma otsikkoni" in shown(app)          # the user's draft is not lost
    assert theme(board.engine, board.found).title == "Toisen otsikko"
    assert app.text_input(key=f"edit-theme-{board.found}-v3-title").value == "Toisen otsikko"


# --- the action log and the history -------------------------------------------------------------------

def test_an_action_is_logged_and_published_only_with_a_public_text_and_the_publishing_can_be_undone(board):
    app = open_theme(open_page(KANBAN, as_="ui:supervisor", unit="U1"), board.group)
    button(app, "Kirjaa toimenpide").click().run()
    assert "Kirjoita, mitä teitte. Mitään ei muutettu." in shown(app)
    app.text_area(key=f"add-{board.group}-text").input("Lisäsimme aamuun kaksi puhelinvuoroa")
    button(app, "Kirjaa toimenpide").click().run()
    [action] = actions_of(board.engine, board.group)
    assert action.text == "Lisäsimme aamuun kaksi puhelinvuoroa" and action.published_at is None
    assert "Lisäsimme aamuun kaksi puhelinvuoroa" in shown(app.get_by_key(f"action-{action.id}"))

    app.toggle(key=f"publish-{action.id}-v1").set_value(True).run()
    assert "Julkaiseminen vaatii julkisen tekstin" in shown(app.get_by_key(f"action-{action.id}"))
    assert actions_of(board.engine, board.group)[0].published_at is None
    assert app.toggle(key=f"publish-{action.id}-v1").value is False

    app.text_area(key=f"edit-action-{action.id}-v1-public").input("Soitamme nyt takaisin samana päivänä.")
    button(app, "Tallenna toimenpide").click().run()
    app.toggle(key=f"publish-{action.id}-v2").set_value(True).run()
    published = actions_of(board.engine, board.group)[0]
    assert published.public_text == "Soitamme nyt takaisin samana päivänä." and published.published_at
    assert "Julkaistu " in shown(app.get_by_key(f"action-{action.id}"))

    app.toggle(key=f"publish-{action.id}-v3").set_value(False).run()
    assert actions_of(board.engine, board.group)[0].published_at is None
    assert "Ei julkaistu" in shown(app.get_by_key(f"action-{action.id}"))
    assert [len(audit(board.engine, a)) for a in ("action.add", "action.publish", "action.unpublish")] == [1, 1, 1]


def test_the_history_lists_who_moved_the_theme_and_what_changed(board):
    app = press_move(choose(open_page(KANBAN, as_="ui:supervisor", unit="U1"), board.found, Stage.IN_GROUP),
                     board.found)
    open_theme(app, board.found)
    history = app.get_by_key(f"history-{board.found}")
    newest = history.markdown[0].value.replace("\\", "")
    assert newest.replace("\u2060", "").endswith("· Teema siirretty** · ui:supervisor")
    assert history.text[0].value.startswith("Vaihe: Tunnistettu → Kehittämisryhmällä; Kehittäminen alkoi: – → ")


# --- who sees what -----------------------------------------------------------------------------------

def test_the_team_sees_the_board_read_only(board):
    app = open_page(KANBAN, as_="ui:team", unit="U1")
    assert not app.exception
    assert column_of(app, board.group) == Stage.IN_GROUP
    assert not app.selectbox and not app.text_input
    assert {b.label for b in app.button} == {"Toimenpiteet ja historia", "Kirjaudu ulos"}
    open_theme(app, board.group)
    assert not app.toggle and not app.text_area and not app.text_input
    assert [t.label for t in app.tabs] == ["Toimenpiteet", "Historia"]


def test_the_director_of_the_county_reads_the_board_but_cannot_edit(board):
    app = open_page(KANBAN, as_="ui:director", unit="U1")
    assert column_of(app, board.group) == Stage.IN_GROUP and not app.selectbox


def test_a_director_of_another_subtree_asking_for_u1_gets_a_polite_no_and_an_audit_row(board):
    with session_scope(board.engine, write=True) as session:
        add_grant(session, actor=None, principal="ui:director-b", role="director", unit_code="B", now=app_now())
    app = open_page(KANBAN, as_="ui:director-b", unit="U1")
    assert not app.exception
    assert "Sinulla ei ole käyttöoikeutta yksikön “U1” tietoihin." in shown(app)
    assert "Ajanvarauksen jonot" not in shown(app)
    assert [(e.actor, e.entity_id) for e in audit(board.engine, "auth.denied")] == [("ui:director-b", "U1")]
    assert app.selectbox[0].options == ["Aikuissosiaalityö (U3)", "Sosiaalipalvelut (B)"]


def test_without_a_unit_the_page_asks_for_one_and_an_unknown_unit_is_said_so(board):
    app = open_page(KANBAN, as_="ui:director")
    assert "Valitse yksikkö, jonka kehittämistaulu näytetään:" in shown(app)
    assert "Keskustan terveysasema (U1)" in app.selectbox[0].options
    app = app.button[0].click().run()  # opened without choosing
    assert "Valitse ensin yksikkö." in [w.value for w in app.warning]
    only = open_page(KANBAN, as_="ui:supervisor")  # a supervisor of one unit: nothing to choose
    assert not only.exception and "Yksikkö" not in [box.label for box in only.selectbox]
    assert only.query_params["unit"] == "U1" and "Keskustan terveysasema" in shown(only)
    unknown = open_page(KANBAN, as_="ui:supervisor", unit="NOPE")
    assert "Yksikköä “NOPE” ei löydy" in shown(unknown)


def test_theme_titles_with_markdown_and_html_are_shown_escaped(county):
    title = "**Lihavoitu** <script>alert(1)</script> [linkki](http://example.com) # otsikko"
    with session_scope(county, write=True) as session:
        hostile = add_theme(session, "U1", Stage.IDENTIFIED, app_now(), title=title, owner="<b>Pomo</b>")
    app = open_page(KANBAN, as_="ui:supervisor", unit="U1")
    on_card = [m.value for m in card(app, hostile.id).markdown]
    assert on_card[0] == f"**{inert(title)}**"
    assert inert("<b>Pomo</b>") in card(app, hostile.id).caption[0].value
    open_theme(app, hostile.id)
    assert f"### {inert(title)}" in [m.value for m in app.markdown]
    assert not app.exception


def test_a_supervisor_whose_right_to_edit_ends_before_the_click_gets_a_polite_no_and_nothing_moves(board):
    app = choose(open_page(KANBAN, as_="ui:supervisor", unit="U1"), board.group, Stage.TRIAL)
    with session_scope(board.engine, write=True) as session:
        session.execute(update(AccessGrant).where(AccessGrant.principal == "ui:supervisor").values(role="team"))
    press_move(app, board.group)
    assert not app.exception
    assert "Sinulla ei ole käyttöoikeutta yksikön “U1” tietoihin." in shown(app)
    assert theme(board.engine, board.group).stage == Stage.IN_GROUP.value
    assert [(e.actor, e.entity_id) for e in audit(board.engine, "auth.denied")] == [("ui:supervisor", "U1")]
    assert not app.selectbox  # the page now shows the board read-only


def test_a_public_text_with_a_phone_number_is_saved_masked_and_its_publishing_is_refused_with_the_reason(board):
    app = open_theme(open_page(KANBAN, as_="ui:supervisor", unit="U1"), board.group)
    app.text_area(key=f"add-{board.group}-text").input("Soitimme asiakkaalle 040/1234567")
    app.text_area(key=f"add-{board.group}-public").input("Kysy lisää numerosta 040/1234567")
    button(app, "Kirjaa toimenpide").click().run()
    [action] = actions_of(board.engine, board.group)
    assert action.public_text == "Kysy lisää numerosta [puhelinnumero]"
    assert action.text == "Soitimme asiakkaalle [puhelinnumero]"

    app.toggle(key=f"publish-{action.id}-v1").set_value(True).run()
    assert "Julkisessa tekstissä on henkilötunnus" in shown(app.get_by_key(f"action-{action.id}"))
    assert actions_of(board.engine, board.group)[0].published_at is None
    assert "1234567" not in shown(app)


# --- the link to the duels ---------------------------------------------------------------------------

def duel_links(app) -> list[tuple[str, str]]:
    """(label, address) of each link to the duels page."""
    return [(link.proto.label, f"{link.proto.page}?{link.proto.query_string}") for link in app.get("page_link")
            if "duels" in link.proto.page]


@pytest.mark.parametrize(("as_", "links"), [
    ("ui:supervisor", [("Äänestä tärkeimmät", "duels?unit=U1")]),
    ("ui:team", []),
    ("ui:director", []),
])
def test_only_who_may_edit_themes_finds_a_link_to_vote_on_the_units_most_important_matters(board, as_, links):
    app = open_page(KANBAN, as_=as_, unit="U1")
    assert not app.exception
    assert duel_links(app) == links


def test_the_reason_a_theme_was_not_pursued_is_published_from_its_card_and_withdrawn(board):
    with session_scope(board.engine, write=True) as session:
        session.exec(update(Theme).where(Theme.id == board.found).values(
            stage=Stage.NOT_PURSUED.value, not_pursued_reason="Päällekkäinen teeman Ajanvarauksen jonot kanssa"))
    app = open_page(KANBAN, as_="ui:supervisor", unit="U1")
    assert not app.exception
    app.button(key=f"reason-publish-{board.found}").click().run()
    assert theme(board.engine, board.found).reason_published_at is not None
    assert "Syy näkyy julkisella sivulla." in shown(card(app, board.found))
    app.button(key=f"reason-publish-{board.found}").click().run()
    assert theme(board.engine, board.found).reason_published_at is None
    assert [event.after["published"] for event in audit(board.engine, "theme.reason_publish")] == [True, False]
    # A theme still in development has no reason to publish.
    assert [b.key for b in app.button if b.key and b.key.startswith("reason-publish-")] == [f"reason-publish-{board.found}"]
