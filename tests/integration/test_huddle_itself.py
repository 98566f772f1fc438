"""The huddle itself on SQLite and PostgreSQL: prompts, the huddle log, capture links, escalation between tiers."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from auth.access import AccessDenied, Viewer
from auth.roles import Role
from board.huddle import CAPTURE_MOST_USES, HuddleRuleBroken
from board.stages import Stage
from data.escalation import escalate_theme, escalations, forward_escalation, return_escalation, take_escalation
from data.huddle import (
    capture_idea,
    capture_target,
    end_huddle,
    huddle_log,
    huddle_prompts,
    huddles_held,
    issue_capture_link,
    set_huddle_prompt,
    start_huddle,
)
from data.models import AuditEvent, Theme
from data.huddle_tables import CaptureLink
from data.organisation import unit_by_code
from data.editing import StaleEdit
from data.kiosk import create_kiosk_link, kiosk_viewer
from tests.conftest import NOW
from tests.factories import add_theme, everyone, make_tree, person

MONDAY = date(2026, 11, 23)


@pytest.fixture
def county(session):
    make_tree(session, NOW)
    return session


def audit_actions(session, entity: str) -> list[str]:
    return [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.entity == entity)
                                           .order_by(AuditEvent.id)).all()]


# --- Prompts -----------------------------------------------------------------------------------

def test_a_supervisor_sets_a_units_own_prompt_and_empty_text_restores_the_default(county):
    boss = person(county, Role.SUPERVISOR, "U1")
    assert huddle_prompts(county, viewer=boss, unit_code="U1")["voice"] is None
    set_huddle_prompt(county, viewer=boss, unit_code="U1", section="voice", text="  Mitä asiakkaat sanoivat? ",
                      seen_version=None, now=NOW)
    assert huddle_prompts(county, viewer=boss, unit_code="U1")["voice"] == ("Mitä asiakkaat sanoivat?", 1)
    set_huddle_prompt(county, viewer=boss, unit_code="U1", section="voice", text="", seen_version=1, now=NOW)
    assert huddle_prompts(county, viewer=boss, unit_code="U1")["voice"] is None
    assert audit_actions(county, "huddle_prompt") == ["huddle.prompt", "huddle.prompt"]


@pytest.mark.parametrize(("text", "reason"), [("x" * 301, "too_long")])
def test_a_prompt_longer_than_300_characters_is_refused(county, text, reason):
    with pytest.raises(HuddleRuleBroken) as refused:
        set_huddle_prompt(county, viewer=person(county, Role.SUPERVISOR, "U1"), unit_code="U1", section="voice",
                          text=text, seen_version=None, now=NOW)
    assert refused.value.reason == reason


def test_a_prompt_is_screened_for_identity_codes_before_it_is_stored(county):
    boss = person(county, Role.SUPERVISOR, "U1")
    set_huddle_prompt(county, viewer=boss, unit_code="U1", section="replies", text="Soita 131052-308T",
                      seen_version=None, now=NOW)
    text, _ = huddle_prompts(county, viewer=boss, unit_code="U1")["replies"]
    assert "131052-308T" not in text


@pytest.mark.parametrize("role", [Role.TEAM, Role.DIRECTOR])
def test_only_a_supervisor_edits_prompts(county, role):
    with pytest.raises(AccessDenied):
        set_huddle_prompt(county, viewer=person(county, role, "U1"), unit_code="U1", section="voice", text="x",
                          seen_version=None, now=NOW)


def test_a_prompt_edited_meanwhile_by_someone_else_is_not_overwritten(county):
    boss = person(county, Role.SUPERVISOR, "U1")
    set_huddle_prompt(county, viewer=boss, unit_code="U1", section="voice", text="A", seen_version=None, now=NOW)
    with pytest.raises(StaleEdit):
        set_huddle_prompt(county, viewer=boss, unit_code="U1", section="voice", text="B", seen_version=None, now=NOW)


# --- The huddle log ----------------------------------------------------------------------------

def test_the_log_shows_start_length_count_present_and_the_themes_captured_and_moved(county):
    team = person(county, Role.TEAM, "U1")
    boss = person(county, Role.SUPERVISOR, "U1")
    huddle = start_huddle(county, viewer=team, unit_code="U1", minutes=10, now=NOW)
    add_theme(county, "U1", Stage.IDENTIFIED, NOW - timedelta(days=3), title="Ovikello")
    issued = issue_capture_link(county, viewer=team, unit_code="U1", now=NOW + timedelta(minutes=1))
    capture_idea(county, token=issued.token, title="Jonotusnumerot näkyviin", now=NOW + timedelta(minutes=2))
    moved = county.exec(select(Theme).where(Theme.title == "Ovikello")).one()
    escalate_theme(county, viewer=boss, theme_id=moved.id, seen_version=moved.version, reason="Koko aseman asia",
                   now=NOW + timedelta(minutes=3))
    end_huddle(county, viewer=team, huddle_id=huddle.id, seen_version=1, present=7, now=NOW + timedelta(minutes=9))
    # After the huddle: not a decision of it.
    add_later = issue_capture_link(county, viewer=team, unit_code="U1", now=NOW + timedelta(minutes=20))
    capture_idea(county, token=add_later.token, title="Myöhemmin", now=NOW + timedelta(minutes=21))

    log = huddle_log(county, viewer=team, unit_code="U1", first=MONDAY, last=MONDAY + timedelta(days=6))
    entry = log.entries[0]
    assert (entry.started_at, entry.planned_minutes, entry.minutes, entry.present) == (NOW, 10, 9, 7)
    assert [(d.action, d.title) for d in entry.decisions] == [
        ("theme.capture", "Jonotusnumerot näkyviin"), ("theme.move", "Ovikello"), ("escalation.create", "Ovikello")]
    assert (log.held_days, log.working_days) == (1, 5)
    assert log.not_held[0] == MONDAY + timedelta(days=4)


def test_huddles_held_over_working_days_counts_each_day_once_and_skips_weekends(county):
    team = person(county, Role.TEAM, "U1")
    for days in (0, 0, 2, 5):  # Monday twice, Wednesday, Saturday
        start_huddle(county, viewer=team, unit_code="U1", minutes=5, now=NOW + timedelta(days=days))
    assert huddles_held(county, viewer=everyone(), unit_code="U1", first=MONDAY,
                        last=MONDAY + timedelta(days=13)) == (2, 10)


@pytest.mark.parametrize("present", [-1, 501, True])
def test_the_number_present_is_a_plausible_count(county, present):
    team = person(county, Role.TEAM, "U1")
    huddle = start_huddle(county, viewer=team, unit_code="U1", minutes=5, now=NOW)
    with pytest.raises(HuddleRuleBroken):
        end_huddle(county, viewer=team, huddle_id=huddle.id, seen_version=1, present=present, now=NOW)


@pytest.mark.parametrize("minutes", [0, 7, 60])
def test_a_huddle_lasts_5_10_or_15_minutes(county, minutes):
    with pytest.raises(HuddleRuleBroken):
        start_huddle(county, viewer=person(county, Role.TEAM, "U1"), unit_code="U1", minutes=minutes, now=NOW)


def test_a_kiosk_screen_may_not_write_the_huddle_log(county):
    token = create_kiosk_link(county, viewer=person(county, Role.SUPERVISOR, "U1"), unit_code="U1", label="Tauko",
                              now=NOW, valid_days=None)
    screen = kiosk_viewer(county, token=token, now=NOW)
    with pytest.raises(AccessDenied):
        start_huddle(county, viewer=screen, unit_code="U1", minutes=5, now=NOW)


# --- Capture links -----------------------------------------------------------------------------

def test_a_capture_link_adds_a_screened_idea_to_identified_of_its_unit_only(county):
    issued = issue_capture_link(county, viewer=person(county, Role.TEAM, "U1"), unit_code="U1", now=NOW)
    assert capture_target(county, token=issued.token, now=NOW).unit_code == "U1"
    theme_id = capture_idea(county, token=issued.token, title="Soittakaa 040 123 4567 <b>heti</b>",
                            detail="hetu 131052-308T", now=NOW)
    theme = county.get(Theme, theme_id)
    assert (theme.stage, theme.unit_id) == (Stage.IDENTIFIED.value, unit_by_code(county, "U1").id)
    assert "040 123 4567" not in theme.title and "131052-308T" not in theme.description
    assert theme.created_by.startswith("capture:")
    assert county.exec(select(CaptureLink)).one().token_hash != issued.token
    assert "theme.capture" in audit_actions(county, "theme")


def test_a_capture_link_from_a_kiosk_screen_works_for_its_own_unit(county):
    token = create_kiosk_link(county, viewer=person(county, Role.SUPERVISOR, "U1"), unit_code="U1", label="Tauko",
                              now=NOW, valid_days=None)
    screen = kiosk_viewer(county, token=token, now=NOW)
    assert issue_capture_link(county, viewer=screen, unit_code="U1", now=NOW).token
    with pytest.raises(AccessDenied):
        issue_capture_link(county, viewer=screen, unit_code="U2", now=NOW)


@pytest.mark.parametrize(("minutes_later", "works"), [(9, True), (10, False), (60, False)])
def test_a_capture_link_expires_in_ten_minutes(county, minutes_later, works):
    issued = issue_capture_link(county, viewer=person(county, Role.TEAM, "U1"), unit_code="U1", now=NOW)
    later = NOW + timedelta(minutes=minutes_later)
    assert (capture_target(county, token=issued.token, now=later) is not None) is works
    if not works:
        with pytest.raises(HuddleRuleBroken):
            capture_idea(county, token=issued.token, title="Idea", now=later)


@pytest.mark.parametrize("token", ["", "nonsense", "x" * 500])
def test_an_unknown_token_captures_nothing(county, token):
    assert capture_target(county, token=token, now=NOW) is None
    with pytest.raises(HuddleRuleBroken):
        capture_idea(county, token=token, title="Idea", now=NOW)


def test_a_capture_link_is_rate_limited(county):
    issued = issue_capture_link(county, viewer=person(county, Role.TEAM, "U1"), unit_code="U1", now=NOW)
    capture_idea(county, token=issued.token, title="Eka", now=NOW)
    with pytest.raises(HuddleRuleBroken) as refused:
        capture_idea(county, token=issued.token, title="Toka", now=NOW + timedelta(seconds=2))
    assert refused.value.reason == "capture_too_fast"
    for i in range(1, CAPTURE_MOST_USES):
        capture_idea(county, token=issued.token, title=f"Idea {i}", now=NOW + timedelta(seconds=6 * i))
    with pytest.raises(HuddleRuleBroken) as refused:
        capture_idea(county, token=issued.token, title="Liikaa", now=NOW + timedelta(minutes=5))
    assert refused.value.reason == "capture_used_up"


def test_a_capture_needs_a_title(county):
    issued = issue_capture_link(county, viewer=person(county, Role.TEAM, "U1"), unit_code="U1", now=NOW)
    with pytest.raises(Exception) as refused:
        capture_idea(county, token=issued.token, title="   ", now=NOW)
    assert getattr(refused.value, "reason", None) == "title_missing"


# --- Escalation --------------------------------------------------------------------------------

@pytest.fixture
def escalated(county):
    theme = add_theme(county, "U1", Stage.IN_GROUP, NOW - timedelta(days=10), title="Ajanvarauksen jonot")
    escalation_id = escalate_theme(county, viewer=person(county, Role.SUPERVISOR, "U1"), theme_id=theme.id,
                                   seen_version=theme.version, reason="Puhelinjärjestelmä on yhteinen", now=NOW)
    return theme, escalation_id


def test_an_escalated_theme_appears_at_the_parent_with_its_path_and_reason(county, escalated):
    theme, _ = escalated
    county.refresh(theme)
    assert theme.stage == Stage.ESCALATED.value and theme.escalated_to == "Terveysasemat"
    parent = escalations(county, viewer=person(county, Role.SUPERVISOR, "S"), unit_code="S")
    (row,) = parent.incoming
    assert (row.title, row.state, row.reason) == ("Ajanvarauksen jonot", "open", "Puhelinjärjestelmä on yhteinen")
    assert row.path == ("Keskustan terveysasema", "Terveysasemat")
    assert [r.state for r in escalations(county, viewer=person(county, Role.TEAM, "U1"), unit_code="U1").sent] == ["open"]


@pytest.mark.parametrize("reason", ["", "   ", "x" * 401])
def test_escalating_needs_a_reason_of_at_most_400_characters(county, reason):
    theme = add_theme(county, "U1", Stage.IDENTIFIED, NOW)
    with pytest.raises(HuddleRuleBroken):
        escalate_theme(county, viewer=person(county, Role.SUPERVISOR, "U1"), theme_id=theme.id,
                       seen_version=theme.version, reason=reason, now=NOW)
    county.refresh(theme)
    assert theme.stage == Stage.IDENTIFIED.value


def test_the_county_itself_has_no_tier_above_to_escalate_to(county):
    theme = add_theme(county, "C", Stage.IDENTIFIED, NOW)
    with pytest.raises(HuddleRuleBroken) as refused:
        escalate_theme(county, viewer=person(county, Role.SUPERVISOR, "C"), theme_id=theme.id,
                       seen_version=theme.version, reason="Ylös", now=NOW)
    assert refused.value.reason == "no_parent"


def test_the_parent_takes_an_escalation_as_its_own_theme_and_the_unit_sees_it_taken(county, escalated):
    _, escalation_id = escalated
    taken_id = take_escalation(county, viewer=person(county, Role.SUPERVISOR, "S"), escalation_id=escalation_id,
                               seen_version=1, now=NOW + timedelta(hours=1))
    taken = county.get(Theme, taken_id)
    assert (taken.unit_id, taken.stage, taken.title) == (unit_by_code(county, "S").id, "tunnistettu",
                                                         "Ajanvarauksen jonot")
    assert [r.state for r in escalations(county, viewer=person(county, Role.TEAM, "U1"), unit_code="U1").sent] == [
        "taken"]
    assert "escalation.take" in audit_actions(county, "escalation")


def test_the_parent_sends_it_back_with_a_note_and_the_theme_reopens_at_identified(county, escalated):
    theme, escalation_id = escalated
    return_escalation(county, viewer=person(county, Role.SUPERVISOR, "S"), escalation_id=escalation_id,
                      seen_version=1, note="Kokeilkaa ensin takaisinsoittoa", now=NOW)
    county.refresh(theme)
    assert theme.stage == Stage.IDENTIFIED.value
    (row,) = escalations(county, viewer=person(county, Role.TEAM, "U1"), unit_code="U1").sent
    assert (row.state, row.answer_note) == ("returned", "Kokeilkaa ensin takaisinsoittoa")


def test_the_parent_escalates_further_and_the_path_grows(county, escalated):
    _, escalation_id = escalated
    forward_escalation(county, viewer=person(county, Role.SUPERVISOR, "S"), escalation_id=escalation_id,
                       seen_version=1, reason="Koko tulosalueen järjestelmä", now=NOW)
    (row,) = escalations(county, viewer=person(county, Role.SUPERVISOR, "A"), unit_code="A").incoming
    assert row.path == ("Keskustan terveysasema", "Terveysasemat", "Perusterveydenhuolto")
    assert escalations(county, viewer=person(county, Role.TEAM, "U1"), unit_code="U1").sent[0].state == "open"


@pytest.mark.parametrize("who", [(Role.SUPERVISOR, "U1"), (Role.SUPERVISOR, "U2"), (Role.TEAM, "S"),
                                 (Role.DIRECTOR, "C")])
def test_only_a_supervisor_of_the_receiving_unit_answers_an_escalation(county, escalated, who):
    _, escalation_id = escalated
    with pytest.raises(AccessDenied):
        take_escalation(county, viewer=person(county, *who), escalation_id=escalation_id, seen_version=1, now=NOW)


def test_an_escalation_answered_meanwhile_cannot_be_answered_again(county, escalated):
    _, escalation_id = escalated
    boss = person(county, Role.SUPERVISOR, "S")
    take_escalation(county, viewer=boss, escalation_id=escalation_id, seen_version=1, now=NOW)
    with pytest.raises(StaleEdit):
        return_escalation(county, viewer=boss, escalation_id=escalation_id, seen_version=1, note="Ei", now=NOW)


def test_a_kiosk_viewer_reads_escalations_of_its_unit_but_cannot_escalate(county):
    theme = add_theme(county, "U1", Stage.IDENTIFIED, NOW)
    token = create_kiosk_link(county, viewer=person(county, Role.SUPERVISOR, "U1"), unit_code="U1", label="Tauko",
                              now=NOW, valid_days=None)
    screen: Viewer = kiosk_viewer(county, token=token, now=NOW)
    assert escalations(county, viewer=screen, unit_code="U1").sent == []
    with pytest.raises(AccessDenied):
        escalate_theme(county, viewer=screen, theme_id=theme.id, seen_version=theme.version, reason="x", now=NOW)
