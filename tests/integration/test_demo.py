"""The demo county: big, believable, dated relative to `now`, and the same for the same seed.

Seeding takes seconds, so each backend is seeded once per module (`demo`) and the tests only read.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, func
from sqlalchemy.orm import aliased
from sqlmodel import select

from board.periods import helsinki_date, last_days
from board.stages import IN_DEVELOPMENT, Stage
from data.db import make_engine, session_scope
from data.demo import DemoRefused, DemoSummary, seed_demo
from data.metrics import feedback_figures
from data.models import CHANNELS, COLLECTIONS, Action, AuditEvent, Feedback, Theme, ThemeFeedback, Unit
from data.organisation import unit_by_code
from data.schema import upgrade
from data.huddle_board import metrics_for
from data.settings import Settings
from tests.conftest import NOW, _fresh_postgres
from tests.factories import make_tree

SEED = 1
COUNTY = "JSHVA"


@dataclass(frozen=True)
class Demo:
    engine: Engine
    summary: DemoSummary


def _seed(url: str, seed: int) -> tuple[Engine, DemoSummary]:
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine, write=True) as session:
        summary = seed_demo(session, seed=seed, now=NOW)
    return engine, summary


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo(request, tmp_path_factory):
    """The demo county seeded once per backend with SEED and NOW."""
    if request.param == "sqlite":
        url, drop = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'vartti.db'}", (lambda: None)
    else:
        url, drop = _fresh_postgres(request.getfixturevalue("postgres_url"))
    engine, summary = _seed(url, SEED)
    yield Demo(engine, summary)
    engine.dispose()
    drop()


@pytest.fixture
def session(demo):
    """A read session on the demo database (shadows the empty database of conftest)."""
    with session_scope(demo.engine) as session:
        yield session


def _count(session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def _feedback_per_unit(session) -> dict[str, int]:
    rows = session.exec(
        select(Unit.code, func.count(Feedback.id))
        .join(Feedback, Feedback.unit_id == Unit.id, isouter=True)
        .where(Unit.level == "unit")
        .group_by(Unit.code)
    ).all()
    return {code: count for code, count in rows}


# ---------------------------------------------------------------- shape

def test_the_county_has_a_believable_organisation(session, demo):
    levels = dict(session.exec(select(Unit.level, func.count()).group_by(Unit.level)).all())
    assert levels["county"] == 1
    assert levels["result_area"] >= 3
    assert levels["service_area"] >= levels["result_area"]
    assert levels["unit"] >= 40
    assert sum(levels.values()) == demo.summary.units
    assert _count(session, Unit, Unit.active.is_(False)) == 0
    county = unit_by_code(session, COUNTY)
    assert county.level == "county" and county.parent_id is None
    assert _count(session, Unit, Unit.path.startswith(county.path)) == demo.summary.units


def test_every_unit_has_feedback_and_only_units_have_it(session, demo):
    per_unit = _feedback_per_unit(session)
    assert min(per_unit.values()) > 0
    assert sum(per_unit.values()) == _count(session, Feedback) == demo.summary.feedback


def test_yearly_volumes_go_from_a_few_hundred_to_thousands(session):
    volumes = sorted(_feedback_per_unit(session).values())
    assert 100 <= volumes[0] <= 600, volumes[:5]
    assert 2000 <= volumes[-1] <= 10000, volumes[-5:]
    assert 50_000 <= sum(volumes) <= 120_000


def test_feedback_comes_through_every_collection_and_channel(session):
    collections = set(session.exec(select(Feedback.collection).distinct()).all())
    channels = set(session.exec(select(Feedback.channel).distinct()).all())
    assert set(COLLECTIONS) - {"social"} <= collections <= set(COLLECTIONS)
    assert channels == set(CHANNELS)


def test_feedback_covers_the_year_up_to_now(session):
    oldest, newest = session.exec(select(func.min(Feedback.received_at), func.max(Feedback.received_at))).one()
    assert newest <= NOW
    assert NOW - newest < timedelta(days=1)
    assert timedelta(days=360) <= NOW - oldest <= timedelta(days=365)
    assert _count(session, Feedback, Feedback.replied_at > NOW) == 0
    assert _count(session, Feedback, Feedback.replied_at < Feedback.received_at) == 0
    assert _count(session, Feedback, Feedback.replied_at.is_not(None), Feedback.replied_by.is_(None)) == 0
    assert _count(session, Feedback, Feedback.replied_at.is_not(None),
                  Feedback.reply_requested.is_(False)) == 0


def test_scores_are_on_the_national_scales(session):
    assert _count(session, Feedback, (Feedback.nps < 0) | (Feedback.nps > 10)) == 0
    for column in (Feedback.saatavuus, Feedback.kohtaaminen, Feedback.osallistuminen, Feedback.turvallisuus,
                   Feedback.tiedon_saanti, Feedback.ymmarrettavyys, Feedback.hyodyllisyys):
        assert _count(session, Feedback, (column < 1) | (column > 5)) == 0
    assert 0 < _count(session, Feedback, Feedback.nps.is_(None)) < _count(session, Feedback) * 0.05


# ---------------------------------------------------------------- figures

def test_the_county_nps_of_the_last_30_days_is_realistic(session):
    metrics = metrics_for(session, unit_code=COUNTY, period=None, now=NOW, settings=Settings())
    assert metrics.figures.period == last_days(date(2026, 11, 23), 30)
    assert metrics.figures.volume > 3000
    assert 55 <= metrics.figures.nps.score <= 75


def test_units_differ_from_each_other(session):
    period = last_days(helsinki_date(NOW), 90)
    scores = [
        feedback_figures(session, unit, period, min_n=5).nps.score
        for unit in session.exec(select(Unit).where(Unit.level == "unit")).all()
    ]
    assert None not in scores
    assert max(scores) - min(scores) >= 15


def test_some_replies_in_the_county_are_overdue(session):
    metrics = metrics_for(session, unit_code=COUNTY, period=None, now=NOW, settings=Settings())
    requested = _count(session, Feedback, Feedback.reply_requested)
    assert 0 < metrics.replies.overdue < requested * 0.1
    assert metrics.in_development > 0


# ---------------------------------------------------------------- themes

def test_themes_stand_in_every_stage(session, demo):
    stages = dict(session.exec(select(Theme.stage, func.count()).group_by(Theme.stage)).all())
    assert set(stages) == {stage.value for stage in Stage}
    assert sum(stages.values()) == demo.summary.themes
    assert _count(session, Action) == demo.summary.actions > 0


def test_every_theme_in_development_has_an_owner(session):
    stages = [stage.value for stage in IN_DEVELOPMENT]
    assert _count(session, Theme, Theme.stage.in_(stages)) > 0
    assert _count(session, Theme, Theme.stage.in_(stages), (Theme.owner.is_(None)) | (Theme.owner == "")) == 0


def test_themes_are_dated_in_the_past_and_exits_have_their_reason(session):
    assert _count(session, Theme, Theme.stage_since > NOW) == 0
    assert _count(session, Theme, Theme.created_at > Theme.stage_since) == 0
    assert _count(session, Theme, Theme.stage == Stage.ESCALATED.value, Theme.escalated_to.is_(None)) == 0
    assert _count(session, Theme, Theme.stage == Stage.NOT_PURSUED.value,
                  Theme.not_pursued_reason.is_(None)) == 0


def test_linked_feedback_belongs_to_the_themes_unit(session):
    assert _count(session, ThemeFeedback) > 0
    mismatched = session.exec(
        select(func.count()).select_from(ThemeFeedback)
        .join(Theme, Theme.id == ThemeFeedback.theme_id)
        .join(Feedback, Feedback.id == ThemeFeedback.feedback_id)
        .where(Theme.unit_id != Feedback.unit_id)
    ).one()
    assert mismatched == 0


# ---------------------------------------------------------------- texts

FINNISH_LETTERS = set("abcdefghijklmnopqrstuvwxyzåäöé")


@pytest.mark.parametrize("column", ["open_answer", "free_text"])
def test_answers_are_finished_finnish_texts(session, column):
    texts = set(session.exec(select(getattr(Feedback, column)).distinct()).all()) - {None}
    assert len(texts) >= 20
    for text in texts:
        assert text.strip() == text and text, repr(text)
        assert not set(text) & set("{}<>[]_\\"), text
        assert {c for c in text.lower() if c.isalpha()} <= FINNISH_LETTERS, text
    with_umlauts = [text for text in texts if set(text.lower()) & set("äö")]
    assert len(with_umlauts) > len(texts) / 2


def test_about_half_of_the_answers_have_an_open_answer(session):
    share = _count(session, Feedback, Feedback.open_answer.is_not(None)) / _count(session, Feedback)
    assert 0.35 <= share <= 0.55


# ---------------------------------------------------------------- determinism

def _digest(engine: Engine) -> str:
    """A digest of the county's content in a fixed order, without database ids."""
    digest = hashlib.sha256()

    def add(rows):
        for row in rows:
            digest.update(json.dumps([str(value) for value in row], ensure_ascii=False).encode())
            digest.update(b"\n")

    feedback_columns = [c for c in Feedback.__table__.columns if c.name not in {"id", "unit_id"}]
    with session_scope(engine) as session:
        add(session.exec(select(Unit.code, Unit.path, Unit.level, Unit.name_fi, Unit.name_sv,
                                Unit.name_en).order_by(Unit.code)).all())
        add(session.exec(select(Unit.code, *feedback_columns).join(Unit, Unit.id == Feedback.unit_id)
                         .order_by(Feedback.source, Feedback.source_id)).all())
        theme_columns = [c for c in Theme.__table__.columns if c.name not in {"id", "unit_id"}]
        add(session.exec(select(Unit.code, *theme_columns).join(Unit, Unit.id == Theme.unit_id)
                         .order_by(Unit.code, Theme.title, Theme.stage)).all())
        linked = aliased(Feedback)
        add(session.exec(select(Theme.title, Unit.code, linked.source_id).select_from(ThemeFeedback)
                         .join(Theme, Theme.id == ThemeFeedback.theme_id)
                         .join(Unit, Unit.id == Theme.unit_id)
                         .join(linked, linked.id == ThemeFeedback.feedback_id)
                         .order_by(Unit.code, Theme.title, linked.source_id)).all())
        add(session.exec(select(Unit.code, Theme.title, Action.taken_on, Action.text, Action.public_text,
                                Action.public_text_sv, Action.public_text_en, Action.published_at, Action.created_at)
                         .join(Theme, Theme.id == Action.theme_id).join(Unit, Unit.id == Theme.unit_id)
                         .order_by(Unit.code, Theme.title, Action.taken_on, Action.text)).all())
    return digest.hexdigest()


def _fresh_sqlite_digest(path, seed: int) -> str:
    engine, _ = _seed(f"sqlite:///{path / f'seed-{seed}.db'}", seed)
    try:
        return _digest(engine)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def same_seed_digest(tmp_path_factory) -> str:
    return _fresh_sqlite_digest(tmp_path_factory.mktemp("again"), SEED)


def test_the_same_seed_and_day_give_the_same_county_on_any_database(demo, same_seed_digest):
    # Compared with a second, fresh SQLite database: on PostgreSQL this also proves the backends agree.
    assert _digest(demo.engine) == same_seed_digest


def test_another_seed_gives_another_county(same_seed_digest, tmp_path):
    assert _fresh_sqlite_digest(tmp_path, SEED + 1) != same_seed_digest


def _counts(engine: Engine) -> list[int]:
    with session_scope(engine) as session:
        return [_count(session, model) for model in (Unit, Feedback, Theme, Action, AuditEvent)]


def test_the_demo_is_not_loaded_twice(demo):
    before = _counts(demo.engine)
    with pytest.raises(DemoRefused):
        with session_scope(demo.engine, write=True) as session:
            seed_demo(session, seed=SEED + 1, now=NOW)
    assert _counts(demo.engine) == before


def test_a_database_with_only_the_organisation_is_not_empty(engine):
    with session_scope(engine, write=True) as session:
        make_tree(session, NOW)
    with pytest.raises(DemoRefused):
        with session_scope(engine, write=True) as session:
            seed_demo(session, seed=SEED, now=NOW)
    with session_scope(engine) as session:
        assert _count(session, Feedback) == 0 and _count(session, Theme) == 0
