"""Themes on the kanban, their moves, history and action log — on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import text
from sqlmodel import func, select

from auth.access import AccessDenied
from auth.roles import Role
from board.handling import InvalidHandling
from board.kanban import IllegalMove, WipLimits
from board.stages import Stage
from data import schema
from data.db import make_engine
from data.models import Action, AuditEvent, Theme
from data.actions import add_action, edit_action, publish_action, published_actions, theme_actions
from data.editing import StaleEdit
from data.kanban import kanban
from data.themes import OverWipLimit, create_theme, edit_theme, move_theme, theme_choices, theme_history
from data.settings import Settings, SettingsError, load_settings
from tests.conftest import NOW
from tests.factories import add_feedback, add_theme, link, make_tree, person

LATER = NOW + timedelta(days=2)
NO_LIMITS = WipLimits()
TODAY = date(2026, 11, 23)


def _theme(session, theme_id) -> Theme:
    return session.exec(select(Theme).where(Theme.id == theme_id).execution_options(populate_existing=True)).one()


def _action(session, action_id) -> Action:
    return session.exec(select(Action).where(Action.id == action_id).execution_options(populate_existing=True)).one()


def _audit(session, entity="theme"):
    return session.exec(select(AuditEvent).where(AuditEvent.entity == entity).order_by(AuditEvent.id)).all()


@pytest.fixture
def tree(session):
    make_tree(session, NOW)
    return session


@pytest.fixture
def supervisor(tree):
    return person(tree, Role.SUPERVISOR, "U1", name="Sari Esihenkilö")


@pytest.fixture
def theme(tree, supervisor):
    return create_theme(tree, viewer=supervisor, unit_code="U1", title="Puhelinjonot", now=NOW)


def _move(session, viewer, theme_id, version, target, when=NOW, **extra):
    return move_theme(session, viewer=viewer, theme_id=theme_id, seen_version=version, target=target,
                      wip=extra.pop("wip", NO_LIMITS), now=when, **extra)


# --------------------------------------------------------------------------- creating and editing

def test_a_new_theme_starts_identified_with_its_creator_and_an_audit_row(tree, supervisor):
    theme = create_theme(tree, viewer=supervisor, unit_code="U1", title="  Puhelinjonot ",
                         description=" Soittopyyntöjä ei palauteta ", owner=" Sari K. ", now=NOW)
    assert (theme.title, theme.description, theme.owner) == ("Puhelinjonot", "Soittopyyntöjä ei palauteta", "Sari K.")
    assert (theme.stage, theme.stage_since, theme.version) == (Stage.IDENTIFIED.value, NOW, 1)
    assert theme.development_started_at is None and theme.created_by == supervisor.label
    [event] = _audit(tree)
    assert event.action == "theme.create" and event.after["title"] == "Puhelinjonot" and event.after["unit"] == "U1"


@pytest.mark.parametrize(
    "fields, reason",
    [
        ({"title": "   "}, "title_missing"),
        ({"title": "x" * 201}, "too_long"),
        ({"title": "Jonot", "owner": "y" * 201}, "too_long"),
    ],
)
def test_a_theme_with_a_missing_or_too_long_field_is_refused_and_nothing_is_created(tree, supervisor, fields,
                                                                                  reason):
    with pytest.raises(InvalidHandling) as refused:
        create_theme(tree, viewer=supervisor, unit_code="U1", now=NOW, **fields)
    assert refused.value.reason == reason
    assert tree.exec(select(func.count()).select_from(Theme)).one() == 0 and _audit(tree) == []


def test_editing_a_theme_records_only_what_changed(tree, supervisor, theme):
    state = edit_theme(tree, viewer=supervisor, theme_id=theme.id, seen_version=1, title="Puhelinjonot",
                       description="Takaisinsoitot viipyvät", owner="Matti", now=LATER)
    assert state.version == 2 and state.values["owner"] == "Matti"
    event = _audit(tree)[-1]
    assert event.action == "theme.edit" and event.at == LATER
    assert event.before == {"description": "", "owner": None}
    assert event.after == {"description": "Takaisinsoitot viipyvät", "owner": "Matti"}


def test_saving_a_theme_unchanged_writes_nothing(tree, supervisor, theme):
    state = edit_theme(tree, viewer=supervisor, theme_id=theme.id, seen_version=1, title=" Puhelinjonot",
                       description="", owner=None, now=LATER)
    assert state.version == 1 and len(_audit(tree)) == 1


def test_an_edit_on_an_old_version_gets_the_current_theme_back(tree, supervisor, theme):
    edit_theme(tree, viewer=supervisor, theme_id=theme.id, seen_version=1, title="Jonot", description="",
               owner=None, now=LATER)
    with pytest.raises(StaleEdit) as stale:
        edit_theme(tree, viewer=supervisor, theme_id=theme.id, seen_version=1, title="Toinen", description="",
                   owner=None, now=LATER)
    assert stale.value.current.version == 2 and stale.value.current.values["title"] == "Jonot"
    assert _theme(tree, theme.id).title == "Jonot"


# --------------------------------------------------------------------------- access

WRITES = {
    "create_theme": lambda s, v, t: create_theme(s, viewer=v, unit_code="U1", title="Uusi", now=NOW),
    "edit_theme": lambda s, v, t: edit_theme(s, viewer=v, theme_id=t.id, seen_version=1, title="Muu",
                                             description="", owner=None, now=NOW),
    "move_theme": lambda s, v, t: _move(s, v, t.id, 1, Stage.IN_GROUP),
    "add_action": lambda s, v, t: add_action(s, viewer=v, theme_id=t.id, taken_on=TODAY, text="Tehtiin", now=NOW),
}


@pytest.mark.parametrize(
    "role, grant_unit, allowed",
    [
        (Role.SUPERVISOR, "U1", True),
        (Role.SUPERVISOR, "C", True),
        (Role.SUPERVISOR, "U2", False),
        (Role.SUPERVISOR, "U3", False),
        (Role.TEAM, "U1", False),
        (Role.DIRECTOR, "C", False),
        (Role.ADMIN, "C", False),
    ],
)
def test_only_a_supervisor_of_the_themes_unit_may_change_it(tree, role, grant_unit, allowed):
    viewer = person(tree, role, grant_unit)
    for name, write in WRITES.items():
        theme = add_theme(tree, "U1", Stage.IDENTIFIED, NOW, title="Teema")
        if allowed:
            write(tree, viewer, theme)
            continue
        with pytest.raises(AccessDenied):
            write(tree, viewer, theme)
        assert (_theme(tree, theme.id).version, _theme(tree, theme.id).stage) == (1, Stage.IDENTIFIED.value), name
    assert len(_audit(tree)) + len(_audit(tree, "action")) == (len(WRITES) if allowed else 0)


@pytest.mark.parametrize("role, grant_unit, can_read", [(Role.TEAM, "U1", True), (Role.TEAM, "S", True),
                                                        (Role.DIRECTOR, "C", True), (Role.TEAM, "U3", False),
                                                        (Role.ADMIN, "C", False)])
def test_the_team_reads_the_kanban_but_cannot_edit_it(tree, settings, theme, role, grant_unit, can_read):
    viewer = person(tree, role, grant_unit)
    if not can_read:
        with pytest.raises(AccessDenied):
            kanban(tree, viewer=viewer, unit_code="U1", now=NOW, settings=settings)
        with pytest.raises(AccessDenied):
            theme_history(tree, viewer=viewer, theme_id=theme.id)
        return
    board = kanban(tree, viewer=viewer, unit_code="U1", now=NOW, settings=settings)
    assert not board.can_edit and board.column(Stage.IDENTIFIED).cards[0].title == "Puhelinjonot"
    assert [e.action for e in theme_history(tree, viewer=viewer, theme_id=theme.id)] == ["theme.create"]


# --------------------------------------------------------------------------- moving

def test_a_theme_moves_through_the_board_and_its_development_start_is_kept(tree, supervisor, theme):
    days = [NOW + timedelta(days=d) for d in range(5)]
    state = _move(tree, supervisor, theme.id, 1, Stage.IN_GROUP, days[1])
    assert state.values["development_started_at"] == days[1] and state.values["stage_since"] == days[1]
    state = _move(tree, supervisor, theme.id, 2, Stage.TRIAL, days[2])
    state = _move(tree, supervisor, theme.id, 3, Stage.DONE, days[3])
    state = _move(tree, supervisor, theme.id, 4, Stage.IN_GROUP, days[4])  # reopened: the split stays
    assert state.values["stage"] == Stage.IN_GROUP.value and state.version == 5
    assert state.values["development_started_at"] == days[1] and state.values["stage_since"] == days[4]
    moves = [(e.before["stage"], e.after["stage"]) for e in _audit(tree) if e.action == "theme.move"]
    assert moves == [("tunnistettu", "kehittamisryhmalla"), ("kehittamisryhmalla", "kokeilussa"),
                     ("kokeilussa", "valmis"), ("valmis", "kehittamisryhmalla")]


@pytest.mark.parametrize(
    "target, extra, reason",
    [
        (Stage.DONE, {}, "not_allowed"),
        (Stage.TRIAL, {}, "not_allowed"),
        (Stage.IDENTIFIED, {}, "same_stage"),
        (Stage.ESCALATED, {}, "escalation_target_missing"),
        (Stage.ESCALATED, {"escalated_to": "  "}, "escalation_target_missing"),
        (Stage.NOT_PURSUED, {"reason": ""}, "reason_missing"),
        (Stage.NOT_PURSUED, {"reason": "z" * 401}, "too_long"),
    ],
)
def test_a_move_no_rule_allows_is_refused_and_changes_nothing(tree, supervisor, theme, target, extra, reason):
    with pytest.raises(IllegalMove) as refused:
        _move(tree, supervisor, theme.id, 1, target, LATER, **extra)
    assert refused.value.reason == reason
    row = _theme(tree, theme.id)
    assert (row.stage, row.stage_since, row.version, row.escalated_to) == (Stage.IDENTIFIED.value, NOW, 1, None)
    assert [e.action for e in _audit(tree)] == ["theme.create"]


def test_an_exit_keeps_where_to_or_why_and_reopening_clears_it(tree, supervisor, theme):
    hours = [NOW + timedelta(hours=h) for h in range(4)]
    state = _move(tree, supervisor, theme.id, 1, Stage.ESCALATED, hours[1], escalated_to=" Alueellinen hanke ")
    assert state.values["escalated_to"] == "Alueellinen hanke" and state.values["development_started_at"] is None
    state = _move(tree, supervisor, theme.id, 2, Stage.IDENTIFIED, hours[2], reason="not stored for this move")
    assert state.values["escalated_to"] is None and state.values["not_pursued_reason"] is None
    state = _move(tree, supervisor, theme.id, 3, Stage.NOT_PURSUED, hours[3], reason="Ei resursseja")
    assert state.values["not_pursued_reason"] == "Ei resursseja"
    last = _audit(tree)[-1]
    assert last.before == {"stage": "tunnistettu", "stage_since": hours[2].isoformat(), "not_pursued_reason": None}
    assert last.after == {"stage": "ei_edeta", "stage_since": hours[3].isoformat(),
                          "not_pursued_reason": "Ei resursseja"}


def test_a_move_on_an_old_version_is_refused_even_if_the_move_itself_is_fine(tree, supervisor, theme):
    _move(tree, supervisor, theme.id, 1, Stage.IN_GROUP)
    with pytest.raises(StaleEdit) as stale:
        _move(tree, supervisor, theme.id, 1, Stage.NOT_PURSUED, reason="Ei")
    assert stale.value.current.values["stage"] == Stage.IN_GROUP.value and stale.value.current.version == 2
    assert _theme(tree, theme.id).stage == Stage.IN_GROUP.value


def test_going_over_the_units_wip_limit_needs_a_confirmation(tree, supervisor, settings, theme):
    limits = WipLimits({Stage.IN_GROUP: 1})
    first = add_theme(tree, "U1", Stage.IDENTIFIED, NOW, title="Ensimmäinen")
    add_theme(tree, "U2", Stage.IN_GROUP, NOW, title="Toisen yksikön")  # another unit's card does not count
    _move(tree, supervisor, first.id, 1, Stage.IN_GROUP, wip=limits)
    with pytest.raises(OverWipLimit) as over:
        _move(tree, supervisor, theme.id, 1, Stage.IN_GROUP, wip=limits)
    assert (over.value.stage, over.value.limit, over.value.count) == (Stage.IN_GROUP, 1, 1)
    assert _theme(tree, theme.id).stage == Stage.IDENTIFIED.value
    _move(tree, supervisor, theme.id, 1, Stage.IN_GROUP, wip=limits, confirm_over_limit=True)
    assert _audit(tree)[-1].after["over_wip_limit"] == {"limit": 1, "cards_before": 1}
    board = kanban(tree, viewer=supervisor, unit_code="U1", now=NOW,
                   settings=Settings(wip_limits=limits, min_n=settings.min_n))
    column = board.column(Stage.IN_GROUP)
    assert (column.count, column.limit, column.over) == (2, 1, True)
    assert (board.column(Stage.TRIAL).limit, board.column(Stage.TRIAL).over) == (None, False)


# --------------------------------------------------------------------------- the kanban

def test_the_kanban_shows_all_six_stages_with_cards_days_and_feedback_counts(tree, supervisor, settings):
    add_theme(tree, "U1", Stage.TRIAL, datetime(2026, 11, 13, 8, 0), title="Kokeilu", owner="Matti")
    add_theme(tree, "U2", Stage.TRIAL, NOW, title="Toinen yksikkö")
    linked = add_theme(tree, "U1", Stage.IDENTIFIED, NOW - timedelta(hours=1), title="Jonot")
    link(tree, linked, *[add_feedback(tree, "U1", datetime(2026, 11, 1 + i)) for i in range(3)])
    board = kanban(tree, viewer=supervisor, unit_code="U1", now=NOW, settings=settings)
    assert [c.stage for c in board.columns] == [Stage.IDENTIFIED, Stage.IN_GROUP, Stage.TRIAL, Stage.DONE,
                                                Stage.ESCALATED, Stage.NOT_PURSUED]
    assert board.can_edit and (board.unit_code, board.unit_name) == ("U1", "Keskustan terveysasema")
    [trial] = board.column(Stage.TRIAL).cards
    assert (trial.title, trial.owner, trial.days_in_stage, trial.feedback_count) == ("Kokeilu", "Matti", 10, 0)
    [identified] = board.column(Stage.IDENTIFIED).cards
    assert identified.feedback_count == 3 and identified.before is None and identified.after is None
    area = kanban(tree, viewer=person(tree, Role.TEAM, "S"), unit_code="S", now=NOW, settings=settings)
    assert [c.title for c in area.column(Stage.TRIAL).cards] == ["Kokeilu", "Toinen yksikkö"]


def test_a_card_compares_its_feedback_before_and_after_it_went_into_development(tree, supervisor):
    theme = add_theme(tree, "U1", Stage.IDENTIFIED, datetime(2026, 10, 1))
    start = datetime(2026, 11, 10, 8, 0)
    before = [(0, 2), (3, 1), (6, 4), (9, 5), (10, None)]        # NPS 40 − 60 = −20; saatavuus 2 of 4 agree
    after = [(9, 5), (10, 4), (10, 5), (8, 3), (7, None), (2, 2)]  # NPS 50 − 16.7; saatavuus 3 of 5 agree
    rows = [add_feedback(tree, "U1", start - timedelta(days=1 + i), nps=n, saatavuus=s)
            for i, (n, s) in enumerate(before)]
    rows += [add_feedback(tree, "U1", start + timedelta(minutes=i), nps=n, saatavuus=s)
             for i, (n, s) in enumerate(after)]
    link(tree, theme, *rows)
    add_feedback(tree, "U1", start, nps=0)  # not linked: not counted
    _move(tree, supervisor, theme.id, 1, Stage.IN_GROUP, start)
    board = kanban(tree, viewer=supervisor, unit_code="U1", now=NOW, settings=Settings(min_n=5))
    [card] = board.column(Stage.IN_GROUP).cards
    assert card.feedback_count == 11 and card.development_started_at == start
    assert (card.before.feedback, card.before.nps.n, card.before.nps.score) == (5, 5, pytest.approx(-20.0))
    assert card.before.agree_pct("saatavuus") == pytest.approx(50.0)
    assert (card.after.feedback, card.after.nps.n, card.after.nps.score) == (6, 6, pytest.approx(100 * 2 / 6))
    assert card.after.agree_pct("saatavuus") == pytest.approx(60.0)
    assert card.after.agree_pct("kohtaaminen") is None
    small = kanban(tree, viewer=supervisor, unit_code="U1", now=NOW, settings=Settings(min_n=6))
    assert small.column(Stage.IN_GROUP).cards[0].before.nps.score is None  # too few answers: withheld


def test_a_card_without_feedback_after_the_split_shows_empty_figures(tree, supervisor, settings, theme):
    _move(tree, supervisor, theme.id, 1, Stage.IN_GROUP)
    [card] = kanban(tree, viewer=supervisor, unit_code="U1", now=NOW, settings=settings).column(Stage.IN_GROUP).cards
    assert card.before.feedback == 0 and card.after.feedback == 0 and card.after.nps.score is None


def test_theme_choices_are_the_open_themes_the_viewer_may_edit(tree, supervisor, theme):
    add_theme(tree, "U1", Stage.DONE, NOW, title="Valmis")
    add_theme(tree, "U2", Stage.IDENTIFIED, NOW, title="Muu")
    assert [c.title for c in theme_choices(tree, viewer=supervisor)] == ["Puhelinjonot"]
    assert theme_choices(tree, viewer=person(tree, Role.TEAM, "C")) == []


# --------------------------------------------------------------------------- history

def test_a_themes_history_tells_who_did_what_and_when_oldest_first(tree, supervisor, theme):
    other = person(tree, Role.SUPERVISOR, "S", name="Matti")
    edit_theme(tree, viewer=other, theme_id=theme.id, seen_version=1, title="Puhelinjonot", description="",
               owner="Matti", now=NOW + timedelta(hours=1))
    _move(tree, supervisor, theme.id, 2, Stage.IN_GROUP, NOW + timedelta(hours=2))
    action = add_action(tree, viewer=other, theme_id=theme.id, taken_on=TODAY, text="Lisättiin soittoaika",
                        public_text="Lisäsimme soittoaikoja", now=NOW + timedelta(hours=3))
    publish_action(tree, viewer=supervisor, action_id=action.id, seen_version=1, publish=True,
                   now=NOW + timedelta(hours=4))
    unrelated = create_theme(tree, viewer=supervisor, unit_code="U1", title="Muu", now=NOW + timedelta(hours=5))
    add_action(tree, viewer=supervisor, theme_id=unrelated.id, taken_on=TODAY, text="Muuta", now=NOW)
    history = theme_history(tree, viewer=supervisor, theme_id=theme.id)
    assert [(h.action, h.actor) for h in history] == [
        ("theme.create", supervisor.label), ("theme.edit", other.label), ("theme.move", supervisor.label),
        ("action.add", other.label), ("action.publish", supervisor.label)]
    assert [h.at for h in history] == [NOW + timedelta(hours=h) for h in range(5)]
    assert history[2].before["stage"] == "tunnistettu" and history[2].after["stage"] == "kehittamisryhmalla"


# --------------------------------------------------------------------------- actions

def test_an_action_is_logged_unpublished_and_listed_latest_first(tree, supervisor, theme):
    first = add_action(tree, viewer=supervisor, theme_id=theme.id, taken_on=date(2026, 11, 2), text=" Palaveri ",
                       now=NOW)
    second = add_action(tree, viewer=supervisor, theme_id=theme.id, taken_on=date(2026, 11, 20), text="Muutos",
                        public_text=" Muutimme ", now=NOW)
    assert (first.text, first.public_text, first.published_at) == ("Palaveri", None, None)
    assert second.public_text == "Muutimme"
    assert [a.id for a in theme_actions(tree, viewer=person(tree, Role.TEAM, "U1"), theme_id=theme.id)] == [
        second.id, first.id]
    assert [e.action for e in _audit(tree, "action")] == ["action.add", "action.add"]


@pytest.mark.parametrize(
    "taken_on, text, public_text, reason",
    [
        (TODAY, "  ", None, "text_missing"),
        (TODAY + timedelta(days=1), "Huomenna", None, "date_in_future"),
        (TODAY, "Teksti", "p" * 1001, "too_long"),
    ],
)
def test_an_invalid_action_is_refused_and_nothing_is_logged(tree, supervisor, theme, taken_on, text, public_text,
                                                            reason):
    with pytest.raises(InvalidHandling) as refused:
        add_action(tree, viewer=supervisor, theme_id=theme.id, taken_on=taken_on, text=text,
                   public_text=public_text, now=NOW)
    assert refused.value.reason == reason
    assert tree.exec(select(func.count()).select_from(Action)).one() == 0 and _audit(tree, "action") == []


def test_publishing_needs_a_public_text_and_can_be_undone(tree, supervisor, theme):
    action = add_action(tree, viewer=supervisor, theme_id=theme.id, taken_on=TODAY, text="Sisäinen", now=NOW)
    with pytest.raises(InvalidHandling) as refused:
        publish_action(tree, viewer=supervisor, action_id=action.id, seen_version=1, publish=True, now=NOW)
    assert refused.value.reason == "public_text_missing" and _action(tree, action.id).published_at is None
    state = edit_action(tree, viewer=supervisor, action_id=action.id, seen_version=1, taken_on=TODAY,
                        text="Sisäinen", public_text="Julkinen teksti", now=NOW)
    state = publish_action(tree, viewer=supervisor, action_id=action.id, seen_version=state.version, publish=True,
                           now=LATER)
    assert state.values["published_at"] == LATER and state.version == 3
    with pytest.raises(InvalidHandling):  # a published action keeps its public text
        edit_action(tree, viewer=supervisor, action_id=action.id, seen_version=3, taken_on=TODAY, text="Sisäinen",
                    public_text=" ", now=NOW)
    state = publish_action(tree, viewer=supervisor, action_id=action.id, seen_version=3, publish=False, now=LATER)
    assert state.values["published_at"] is None and state.version == 4
    assert [e.action for e in _audit(tree, "action")] == ["action.add", "action.edit", "action.publish",
                                                          "action.unpublish"]
    assert _audit(tree, "action")[2].after == {"published_at": LATER.isoformat()}


def test_publishing_an_old_version_is_refused_with_the_current_action(tree, supervisor, theme):
    action = add_action(tree, viewer=supervisor, theme_id=theme.id, taken_on=TODAY, text="Teksti",
                        public_text="Julkinen", now=NOW)
    edit_action(tree, viewer=supervisor, action_id=action.id, seen_version=1, taken_on=TODAY, text="Teksti",
                public_text="Parempi julkinen", now=NOW)
    with pytest.raises(StaleEdit) as stale:
        publish_action(tree, viewer=supervisor, action_id=action.id, seen_version=1, publish=True, now=NOW)
    assert stale.value.current.values["public_text"] == "Parempi julkinen"
    assert _action(tree, action.id).published_at is None


def test_a_team_member_cannot_publish(tree, supervisor, theme):
    action = add_action(tree, viewer=supervisor, theme_id=theme.id, taken_on=TODAY, text="T", public_text="J",
                        now=NOW)
    with pytest.raises(AccessDenied):
        publish_action(tree, viewer=person(tree, Role.TEAM, "U1"), action_id=action.id, seen_version=1,
                       publish=True, now=NOW)
    assert _action(tree, action.id).published_at is None


def test_the_public_sees_only_published_actions_with_unit_and_date(tree, supervisor, theme):
    other_unit = add_theme(tree, "U3", Stage.DONE, NOW, title="Sosiaalityö")
    boss = person(tree, Role.SUPERVISOR, "C")
    made = [
        (theme.id, date(2026, 11, 2), "Sisäinen vain", None, False),
        (theme.id, date(2026, 11, 5), "Soittoajat", "Lisäsimme soittoaikoja", True),
        (theme.id, date(2026, 11, 9), "Luonnos", "Ei vielä julki", False),
        (other_unit.id, date(2026, 11, 7), "Ajanvaraus", "Ajanvaraus verkossa", True),
    ]
    for theme_id, taken_on, text, public_text, publish in made:
        action = add_action(tree, viewer=boss, theme_id=theme_id, taken_on=taken_on, text=text,
                            public_text=public_text, now=NOW)
        if publish:
            publish_action(tree, viewer=boss, action_id=action.id, seen_version=1, publish=True, now=NOW)
    everything = published_actions(tree)
    assert [(p.public_text, p.unit_name, p.taken_on) for p in everything] == [
        ("Ajanvaraus verkossa", "Aikuissosiaalityö", date(2026, 11, 7)),
        ("Lisäsimme soittoaikoja", "Keskustan terveysasema", date(2026, 11, 5))]
    assert [p.public_text for p in published_actions(tree, unit_code="S")] == ["Lisäsimme soittoaikoja"]
    assert len(published_actions(tree, limit=1)) == 1


# --------------------------------------------------------------------------- migration 0003

def test_upgrading_to_0003_dates_the_development_start_of_themes_already_with_the_group(database_url):
    engine = make_engine(database_url)
    config = schema._config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0002")
        since = datetime(2026, 11, 2, 8, 0)
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO unit (id, code, path, name_fi, name_sv, name_en, level, active) "
                                    "VALUES (1, 'U1', '/1/', 'Yksikkö', '', '', 'unit', :yes)"), {"yes": True})
            for theme_id, stage in enumerate(["tunnistettu", "kehittamisryhmalla", "kokeilussa"], start=1):
                connection.execute(text(
                    "INSERT INTO theme (id, unit_id, title, description, stage, stage_since, created_at, created_by, "
                    "version) VALUES (:id, 1, 'T', '', :stage, :since, :since, 'test', 1)"),
                    {"id": theme_id, "stage": stage, "since": since})
        schema.upgrade(engine)
        with engine.connect() as connection:
            started = dict(connection.execute(select(Theme.stage, Theme.development_started_at)).all())
        assert started == {"tunnistettu": None, "kehittamisryhmalla": since, "kokeilussa": None}
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- the WIP setting

@pytest.mark.parametrize(
    "raw, limits",
    [
        (None, {}),
        ("", {}),
        ("kehittamisryhmalla=5, kokeilussa=3", {Stage.IN_GROUP: 5, Stage.TRIAL: 3}),
        (" Tunnistettu = 10 ", {Stage.IDENTIFIED: 10}),
    ],
)
def test_wip_limits_come_from_vartti_wip_limits_and_default_to_none(raw, limits):
    values = {} if raw is None else {"VARTTI_WIP_LIMITS": raw}
    assert dict(load_settings(values).wip_limits.limits) == limits


@pytest.mark.parametrize("raw", ["valmis=3", "kokeilussa=0", "kokeilussa", "kokeilussa=kolme",
                                 "kokeilussa=2,kokeilussa=3"])
def test_an_unusable_wip_limit_setting_is_refused_by_name(raw):
    with pytest.raises(SettingsError, match="VARTTI_WIP_LIMITS"):
        load_settings({"VARTTI_WIP_LIMITS": raw})
