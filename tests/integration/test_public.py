"""The public page's data: published actions only, no feedback text, staff names off by default, small numbers hidden."""
from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime

import pytest
from sqlmodel import select

from auth.access import AccessDenied
from auth.roles import Role
from board.quarters import Quarter
from board.stages import Stage
from data.models import AuditEvent
from data.public import (
    UnknownTopic,
    check_topic,
    public_actions,
    public_areas,
    public_figures,
    public_units,
    set_show_staff_names,
    show_staff_names,
)
from tests.factories import add_action, add_feedback, add_theme, make_tree, person

NOW = datetime(2026, 11, 20, 10, 0)
Q3, Q4 = Quarter(2026, 3), Quarter(2026, 4)


@pytest.fixture
def tree(session):
    make_tree(session, NOW)
    return session


@pytest.fixture
def actions(tree):
    """Published and unpublished actions in two units, with feedback whose text must never show."""
    phones = add_theme(tree, "U1", Stage.DONE, NOW, title="Puhelinjonot", owner="Sari Esihenkilö")
    social = add_theme(tree, "U3", Stage.DONE, NOW, title="Ajanvaraus", owner="Olli Omistaja")
    add_feedback(tree, "U1", NOW, nps=2, free_text="Salainen palaute: jonotin tunnin")
    made = [
        add_action(tree, phones, date(2026, 11, 5), "Sisäinen: lisää väkeä", "Lisäsimme soittoaikoja", True),
        add_action(tree, phones, date(2026, 11, 9), "Luonnos", "Ei vielä julki", False),
        add_action(tree, social, date(2026, 11, 7), "Sisäinen", "Ajanvaraus verkossa", True),
        add_action(tree, social, date(2026, 11, 8), "Ei julkista tekstiä", None, False),
    ]
    made[0].topic = "saatavuus"
    tree.add(made[0])
    tree.flush()
    return made


def test_the_public_sees_only_published_actions_newest_first_with_unit_and_area(actions, tree):
    shown = public_actions(tree, language="fi")
    assert [(a.text, a.unit.name, a.area.name, a.taken_on) for a in shown] == [
        ("Ajanvaraus verkossa", "Aikuissosiaalityö", "Sosiaalipalvelut", date(2026, 11, 7)),
        ("Lisäsimme soittoaikoja", "Keskustan terveysasema", "Perusterveydenhuolto", date(2026, 11, 5)),
    ]
    assert shown[1].topic == "saatavuus"


def test_no_feedback_text_or_internal_text_reaches_the_public(actions, tree):
    everything = repr([asdict(a) for a in public_actions(tree, language="fi")])
    for secret in ("Salainen palaute", "Sisäinen", "Luonnos", "Ei vielä julki", "Puhelinjonot"):
        assert secret not in everything


@pytest.mark.parametrize(("filters", "expected"), [
    ({"area_code": "A"}, ["Lisäsimme soittoaikoja"]),
    ({"area_code": "B"}, ["Ajanvaraus verkossa"]),
    ({"unit_code": "U3"}, ["Ajanvaraus verkossa"]),
    ({"unit_code": "U2"}, []),
    ({"topic": "saatavuus"}, ["Lisäsimme soittoaikoja"]),
    ({"search": "VERKOSSA"}, ["Ajanvaraus verkossa"]),
    ({"search": "100%"}, []),
    ({"area_code": "NOPE"}, []),
])
def test_the_public_filters_actions_by_area_unit_topic_and_words(actions, tree, filters, expected):
    assert [a.text for a in public_actions(tree, language="fi", **filters)] == expected


def test_staff_names_are_off_by_default_and_an_admin_turns_them_on_with_an_audit_row(actions, tree):
    assert not show_staff_names(tree)
    assert {a.owner for a in public_actions(tree, language="fi")} == {None}
    admin = person(tree, Role.ADMIN, "C")
    set_show_staff_names(tree, viewer=admin, show=True, now=NOW)
    assert show_staff_names(tree)
    assert {a.owner for a in public_actions(tree, language="fi")} == {"Sari Esihenkilö", "Olli Omistaja"}
    audit = tree.exec(select(AuditEvent).where(AuditEvent.action == "setting.change")).all()
    assert [(e.actor, e.before, e.after) for e in audit] == [("admin@C", {"value": False}, {"value": True})]


@pytest.mark.parametrize(("role", "unit"), [(Role.SUPERVISOR, "U1"), (Role.DIRECTOR, "C"), (Role.ADMIN, "A")])
def test_only_an_admin_of_the_whole_county_may_show_staff_names(tree, role, unit):
    with pytest.raises(AccessDenied):
        set_show_staff_names(tree, viewer=person(tree, role, unit), show=True, now=NOW)
    assert not show_staff_names(tree)


@pytest.mark.parametrize(("topic", "ok"), [("saatavuus", True), ("", True), (None, True), ("palkka", False)])
def test_a_topic_is_a_national_statement_or_nothing(topic, ok):
    if ok:
        assert check_topic(topic) == (topic or None)
    else:
        with pytest.raises(UnknownTopic):
            check_topic(topic)


def test_places_come_in_the_readers_language_falling_back_to_finnish(tree):
    assert [p.code for p in public_areas(tree, language="sv")] == ["A", "B"]
    assert [p.code for p in public_units(tree, language="en", area_code="A")] == ["U1", "U2"]


def _answers(session, unit, count, *, nps=9, when=datetime(2026, 11, 3, 9), **statements):
    for _ in range(count):
        add_feedback(session, unit, when, nps=nps, **statements)


def test_public_figures_give_nps_with_n_and_statements_as_percent_agreeing_per_quarter(tree):
    _answers(tree, "U1", 6, nps=10, saatavuus=5)
    _answers(tree, "U2", 4, nps=0, saatavuus=2)
    _answers(tree, "U3", 10, nps=8, saatavuus=4)
    _answers(tree, "U3", 5, nps=10, when=datetime(2026, 8, 3, 9))
    county, areas = public_figures(tree, language="fi", quarters=[Q3, Q4], min_n=5)
    assert county.place.code == "C"
    assert [(q.n_nps, q.nps) for q in county.quarters] == [(5, 100.0), (20, 10.0)]
    assert county.quarters[1].agree_pct["saatavuus"] == 80.0
    by_code = {row.place.code: row for row in areas}
    assert (by_code["A"].quarters[1].n_nps, by_code["A"].quarters[1].nps) == (10, 20.0)
    assert by_code["A"].quarters[1].agree_pct["saatavuus"] == 60.0
    assert (by_code["B"].quarters[0].n_nps, by_code["B"].quarters[0].nps) == (5, 100.0)


def test_a_unit_with_too_few_answers_is_hidden_and_so_is_its_smallest_sibling(tree):
    _answers(tree, "U1", 3)
    _answers(tree, "U2", 8)
    area, units = public_figures(tree, language="fi", quarters=[Q4], min_n=5, area_code="A")
    assert area.quarters[0].n_nps == 11 and area.quarters[0].nps is not None
    shown = {row.place.code: (row.quarters[0].n_nps, row.quarters[0].nps, row.quarters[0].nps_hidden)
             for row in units}
    # U2 alone would give U1 away as the area's total minus U2: both hidden, n still shown.
    assert shown == {"U1": (3, None, True), "U2": (8, None, True)}
    assert {row.quarters[0].agree_pct["saatavuus"] for row in units} == {None}


def test_a_quarter_without_answers_shows_no_figure_and_hides_nothing(tree):
    _answers(tree, "U1", 7)
    _, units = public_figures(tree, language="fi", quarters=[Q4], min_n=5, area_code="A")
    shown = {row.place.code: (row.quarters[0].n_nps, row.quarters[0].nps_hidden) for row in units}
    assert shown == {"U1": (7, False), "U2": (0, False)}


def test_a_supervisor_sets_an_actions_topic_versioned_and_audited(actions, tree):
    from data.public import set_action_topic
    from data.editing import StaleEdit
    supervisor = person(tree, Role.SUPERVISOR, "U3")
    action = actions[2]
    set_action_topic(tree, viewer=supervisor, action_id=action.id, seen_version=1, topic="kohtaaminen", now=NOW)
    assert [a.topic for a in public_actions(tree, language="fi", unit_code="U3")] == ["kohtaaminen"]
    with pytest.raises(StaleEdit):
        set_action_topic(tree, viewer=supervisor, action_id=action.id, seen_version=1, topic=None, now=NOW)
    with pytest.raises(AccessDenied):
        set_action_topic(tree, viewer=person(tree, Role.SUPERVISOR, "U1"), action_id=action.id, seen_version=2,
                         topic=None, now=NOW)
    audit = tree.exec(select(AuditEvent).where(AuditEvent.action == "action.topic")).all()
    assert [(e.before, e.after) for e in audit] == [({"topic": None}, {"topic": "kohtaaminen"})]


@pytest.mark.parametrize(("value", "expected"), [
    ("", None),
    ("https://example.fi/palaute", "https://example.fi/palaute"),
    ("mailto:saavutettavuus@example.fi", "mailto:saavutettavuus@example.fi"),
    ("javascript:alert(1)", "error"),
    ("example.fi", "error"),
])
def test_the_public_pages_links_must_be_web_or_mail_addresses(value, expected):
    from data.settings import SettingsError, load_settings
    for name, field in (("VARTTI_FEEDBACK_URL", "feedback_url"), ("VARTTI_COMPLAINT_URL", "complaint_url"),
                        ("VARTTI_ACCESSIBILITY_CONTACT", "accessibility_contact")):
        if expected == "error":
            with pytest.raises(SettingsError, match=name):
                load_settings({name: value})
        else:
            assert getattr(load_settings({name: value}), field) == expected
