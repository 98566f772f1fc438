"""The demo supervisor's desk is never empty, whatever the day the demo is loaded on.

People try the supervisor's day by hand on any date, so the generator itself guarantees the showcase
unit's work: replies overdue, due soon and not yet due, fresh critical answers no theme holds yet,
themes in every stage, and actions of the last weeks, published and not. Proved here for every day of
a leap year and for the days that break naive date arithmetic.

Only the showcase unit's feedback is generated (the whole tree is made), each day in a transaction
that is rolled back. The property is the generator's, not the backend's, so SQLite alone carries it.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import Engine, exists, func
from sqlmodel import Session, select

from board.periods import HELSINKI, as_utc_naive, helsinki_date
from board.stages import Stage
from data.db import make_engine
from data.demo import SHOWCASE_UNIT, seed_demo
from data.models import Action, Feedback, Theme, ThemeFeedback
from data.organisation import unit_by_code
from data.schema import upgrade
from data.huddle_board import metrics_for
from data.settings import Settings

SETTINGS = Settings()
RECENT = timedelta(days=21)


def _helsinki(text: str) -> datetime:
    return as_utc_naive(datetime.fromisoformat(text).replace(tzinfo=HELSINKI))


# The days the issue named, and their awkward neighbours: clock changes (the skipped and the repeated
# hour), the turn of the year inside ISO week 53, a leap day, and just after midnight on a Monday.
AWKWARD_MOMENTS = [
    "2027-03-28T02:30", "2027-03-28T04:30", "2027-10-31T03:30", "2027-10-31T12:00",
    "2026-03-29T10:00", "2026-10-25T03:30", "2026-12-31T23:50", "2027-01-01T00:10",
    "2026-12-28T09:00", "2028-02-29T10:00", "2027-12-06T00:30", "2026-11-30T00:30",
]
LEAP_YEAR = [date(2028, 1, 1) + timedelta(days=n) for n in range(366)]


@dataclass(frozen=True)
class Desk:
    """What the showcase supervisor finds to do on a given moment."""

    overdue: int
    due_soon: int
    not_yet_due: int
    fresh_unlinked: int
    stages: frozenset[str]
    actions_published: int
    actions_internal: int


@pytest.fixture(scope="module")
def empty_database(tmp_path_factory) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('demo-days') / 'vartti.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


def desk_on(engine: Engine, now: datetime) -> Desk:
    """Load the showcase unit's demo as of `now` and read its desk; nothing is kept."""
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            session = Session(bind=connection)
            seed_demo(session, seed=1, now=now, only={SHOWCASE_UNIT})
            return _read_desk(session, now)
        finally:
            transaction.rollback()


def _read_desk(session: Session, now: datetime) -> Desk:
    unit = unit_by_code(session, SHOWCASE_UNIT)
    metrics = metrics_for(session, unit_code=SHOWCASE_UNIT, period=None, now=now, settings=SETTINGS)
    mine = Feedback.unit_id == unit.id
    awaiting = session.exec(select(func.count()).select_from(Feedback).where(
        mine, Feedback.reply_requested, Feedback.replied_at.is_(None), Feedback.no_reply_reason.is_(None))).one()
    in_a_theme = exists().where(ThemeFeedback.feedback_id == Feedback.id)
    fresh = session.exec(select(func.count()).select_from(Feedback).where(
        mine, Feedback.received_at > now - timedelta(days=2), Feedback.received_at <= now, Feedback.nps <= 6,
        Feedback.open_answer.is_not(None), ~in_a_theme)).one()
    stages = frozenset(session.exec(select(Theme.stage).where(Theme.unit_id == unit.id)).all())
    recent_actions = select(Action.published_at).join(Theme).where(
        Theme.unit_id == unit.id, Action.taken_on >= helsinki_date(now - RECENT), Action.taken_on <= helsinki_date(now))
    published = session.exec(recent_actions).all()
    return Desk(
        overdue=metrics.replies.overdue,
        due_soon=metrics.replies.due_soon,
        not_yet_due=awaiting - metrics.replies.overdue - metrics.replies.due_soon,
        fresh_unlinked=fresh,
        stages=stages,
        actions_published=sum(1 for at in published if at is not None and at <= now),
        actions_internal=sum(1 for at in published if at is None),
    )


def _assert_alive(desk: Desk, now: datetime) -> None:
    assert desk.overdue >= 2, (now, desk)
    assert desk.due_soon >= 2, (now, desk)
    assert desk.not_yet_due >= 2, (now, desk)
    assert desk.fresh_unlinked >= 2, (now, desk)
    assert desk.stages == {stage.value for stage in Stage}, (now, desk)
    assert desk.actions_published >= 1 and desk.actions_internal >= 1, (now, desk)


@pytest.mark.parametrize("moment", AWKWARD_MOMENTS)
def test_the_showcase_desk_is_alive_on_the_awkward_days(empty_database, moment):
    now = _helsinki(moment)
    _assert_alive(desk_on(empty_database, now), now)


def test_the_showcase_desk_is_alive_on_every_day_of_a_leap_year(empty_database):
    for day in LEAP_YEAR:
        # Mid-morning, when a huddle is held; the awkward hours have their own test above.
        now = as_utc_naive(datetime.combine(day, time(9, 45), tzinfo=HELSINKI))
        _assert_alive(desk_on(empty_database, now), now)


def test_the_awkward_moments_are_what_they_claim():
    assert date(2026, 12, 31).isocalendar().week == 53 and date(2026, 12, 28).isocalendar().week == 53
    assert date(2027, 12, 6).weekday() == 0 and date(2026, 11, 30).weekday() == 0
    assert date(2027, 3, 28).weekday() == date(2027, 10, 31).weekday() == 6  # the last Sundays: clock changes
