"""The demo county: a deterministic, believable year of feedback dated relative to today."""
from __future__ import annotations

import math
import random
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, insert
from sqlmodel import Session, select

from board.likert import STATEMENT_KEYS
from board.periods import HELSINKI, as_utc_naive, helsinki_date
from board.stages import Stage
from data import demo_content as content
from data.demo_topics import tag_demo_feedback
from data.aggregates import count_new
from data.audit import record
from data.models import AccessGrant, Action, Feedback, Theme, ThemeFeedback, Unit
from data.organisation import UnitRow, upsert_units

ACTOR = "demo"
DAYS = 365
YEARLY_VOLUME = {"small": (220, 450), "medium": (900, 2000), "large": (3000, 6000)}
GENERIC_TOPICS = ("general", "waiting", "booking", "kindness", "information", "expertise",
                  "facilities", "continuity")
OPEN_ALL_WEEK = {"emergency", "ward", "maternity", "home_care", "housing"}
CHANNELS = {
    "reception": {"toimipiste": 70, "puhelin": 15, "chat_video": 10, "verkko": 5},
    "dental": {"toimipiste": 95, "puhelin": 5},
    "emergency": {"toimipiste": 100},
    "ward": {"toimipiste": 100},
    "maternity": {"toimipiste": 100},
    "home_care": {"kotikaynti": 95, "puhelin": 5},
    "housing": {"toimipiste": 100},
    "social_work": {"toimipiste": 45, "puhelin": 30, "chat_video": 10, "verkko": 15},
    "family": {"toimipiste": 75, "chat_video": 10, "puhelin": 15},
    "mental_health": {"toimipiste": 55, "chat_video": 25, "puhelin": 20},
    "disability": {"toimipiste": 50, "kotikaynti": 30, "puhelin": 20},
    "lab_imaging": {"toimipiste": 100},
}
COLLECTIONS = {"sms": 58, "kiosk": 14, "web": 16, "tablet": 5, "paper": 4, "email": 2, "phone": 1}
SOURCES = {"sms": "sms-kysely", "kiosk": "kiosk", "tablet": "kiosk", "web": "webropol",
           "paper": "paperi", "email": "sahkoposti", "phone": "puhelin"}


@dataclass(frozen=True)
class DemoPersona:
    """A demo user to sign in as: the principal of their grant, a name, and the grant itself."""

    principal: str
    name: str
    role: str | None
    unit_code: str | None


DEMO_PERSONAS = (
    DemoPersona("demo:tiimi", "Tiimi – Keskustan terveysasema", "team", "PTH-TA-KESK"),
    DemoPersona("demo:esihenkilo", "Esihenkilö – Keskustan terveysasema", "supervisor", "PTH-TA-KESK"),
    # A second supervisor of the same unit: the colleague a reply is assigned to (issue 15).
    DemoPersona("demo:apulaisesihenkilo", "Apulaisesihenkilö – Keskustan terveysasema", "supervisor", "PTH-TA-KESK"),
    DemoPersona("demo:johtaja", "Tulosaluejohtaja – Perusterveydenhuolto", "director", "PTH"),
    DemoPersona("demo:aluejohtaja", "Hyvinvointialuejohtaja – koko hyvinvointialue", "director",
                content.COUNTY_CODE),
    DemoPersona("demo:paakayttaja", "Pääkäyttäjä – koko hyvinvointialue", "admin", content.COUNTY_CODE),
    DemoPersona("demo:uusi", "Uusi käyttäjä – ei vielä oikeuksia", None, None),
)


# The unit whose supervisor and team the demo signs in as: its desk is never empty, whatever the day.
SHOWCASE_UNIT = "PTH-TA-KESK"

# Replies the showcase unit always has awaiting, by how long ago they arrived: two overdue, two due
# within three days, three not yet due (with the default 14-day deadline).
AWAITING_AGES = (timedelta(days=20, hours=3), timedelta(days=16, hours=5),
                 timedelta(days=12, hours=20), timedelta(days=12, hours=2),
                 timedelta(days=6, hours=4), timedelta(days=2, hours=6), timedelta(hours=5))
# Fresh critical answers with text that no theme holds yet: the inbox's work for today.
FRESH_AGES = (timedelta(hours=2), timedelta(hours=9), timedelta(days=1, hours=1))
# Before this age feedback is never linked to a demo theme, so the fresh answers stay unhandled.
LINKED_AFTER = timedelta(days=21)


class DemoRefused(RuntimeError):
    """The database already has data; the demo county is only loaded into an empty one."""


@dataclass(frozen=True)
class DemoSummary:
    units: int
    feedback: int
    themes: int
    actions: int


@dataclass(frozen=True)
class UnitCharacter:
    """How a demo unit behaves: its volume, its NPS level and trend, how well it replies."""

    yearly: int
    nps_level: float
    nps_trend: float
    statements: tuple[str, ...]
    late_replies: int


def is_empty(session: Session) -> bool:
    """True when no unit and no feedback is stored yet."""
    return not session.exec(select(func.count()).select_from(Unit)).one()


def seed_demo(session: Session, *, seed: int, now: datetime, only: Collection[str] | None = None) -> DemoSummary:
    """Load the demo county into an empty database; the same seed and day give the same data.

    `only` limits the feedback and themes to those units' codes (the whole tree is always made).
    """
    if not is_empty(session):
        raise DemoRefused("the database is not empty")
    rows = [UnitRow(r.code, r.parent_code, r.name_fi, r.name_sv, r.name_en, r.level)
            for r in content.ORGANISATION]
    upsert_units(session, rows, actor=ACTOR, now=now)
    units = {u.code: u for u in session.exec(select(Unit)).all()}
    feedback = themes = actions = 0
    for row in content.ORGANISATION:
        if row.level != "unit" or (only is not None and row.code not in only):
            continue
        rng = random.Random(f"{seed}:{row.code}")
        unit = units[row.code]
        character = _character(rng, row.size)
        showcase = row.code == SHOWCASE_UNIT
        feedback += _add_feedback(session, rng, unit, row.profile, character, now, showcase)
        added_themes, added_actions = _add_themes(session, rng, unit, row.profile, now, showcase)
        themes += added_themes
        actions += added_actions
    for persona in DEMO_PERSONAS:
        if persona.role:
            session.add(AccessGrant(principal=persona.principal, role=persona.role,
                                    unit_id=units[persona.unit_code].id, created_at=now, created_by=ACTOR))
    session.flush()
    tag_demo_feedback(session, seed=seed, now=now)
    summary = DemoSummary(units=len(units), feedback=feedback, themes=themes, actions=actions)
    record(session, actor=ACTOR, action="demo.seed", entity="database", entity_id=None, now=now,
           after={"seed": seed, **summary.__dict__})
    return summary


def _character(rng: random.Random, size: str) -> UnitCharacter:
    low, high = YEARLY_VOLUME[size]
    trend = rng.choice((0.0, 0.0, 0.0, 12.0, -10.0, 8.0))
    return UnitCharacter(
        yearly=rng.randint(low, high),
        nps_level=rng.uniform(50, 80),
        nps_trend=trend,
        statements=tuple(sorted(rng.sample(STATEMENT_KEYS, rng.randint(3, 6)), key=STATEMENT_KEYS.index)),
        late_replies=rng.choice((0, 0, 0, 1, 2, 3)),
    )


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _day_factor(day: date, profile: str) -> float:
    weekend = day.weekday() >= 5
    if profile in OPEN_ALL_WEEK:
        weekday_factor = 0.85 if weekend else 1.05
    else:
        weekday_factor = 0.05 if weekend else (1.3 if day.weekday() == 0 else 1.15)
    summer = 0.7 if day.month == 7 else 1.0
    return weekday_factor * summer


def _poisson(rng: random.Random, mean: float) -> int:
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _nps_score(rng: random.Random, target: float) -> int:
    passive_share = 0.2
    promoter = min(0.97, max(0.05, (1 - passive_share + target / 100) / 2))
    detractor = min(0.9, max(0.005, (1 - passive_share - target / 100) / 2))
    draw = rng.random()
    if draw < promoter:
        return rng.choices((9, 10), weights=(35, 65))[0]
    if draw < promoter + detractor:
        return rng.choices(range(7), weights=(6, 3, 3, 5, 7, 12, 16))[0]
    return rng.choices((7, 8), weights=(40, 60))[0]


def _statement(rng: random.Random, nps_score: int) -> int:
    if nps_score >= 9:
        return rng.choices((5, 4, 3), weights=(70, 26, 4))[0]
    if nps_score >= 7:
        return rng.choices((5, 4, 3, 2), weights=(25, 50, 20, 5))[0]
    return rng.choices((5, 4, 3, 2, 1), weights=(5, 15, 30, 30, 20))[0]


def _open_answer(rng: random.Random, nps_score: int, profile: str) -> str:
    tone = "positive" if nps_score >= 9 else "neutral" if nps_score >= 7 else "negative"
    topics = content.OPEN_ANSWERS[tone]
    topic = profile if profile in topics and rng.random() < 0.35 else rng.choice(
        [t for t in GENERIC_TOPICS if t in topics])
    return rng.choice(topics[topic])


def _received_at(rng: random.Random, day: date, collection: str, profile: str) -> datetime:
    if collection == "sms" or profile in OPEN_ALL_WEEK:
        hour = rng.choices(range(7, 23), weights=(2, 6, 9, 10, 10, 9, 8, 8, 8, 7, 6, 6, 5, 4, 3, 2))[0]
    else:
        hour = rng.choices(range(7, 18), weights=(3, 9, 10, 10, 9, 8, 9, 9, 8, 6, 3))[0]
    local = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=HELSINKI)
    return as_utc_naive(local)


def _add_feedback(session: Session, rng: random.Random, unit: Unit, profile: str,
                  character: UnitCharacter, now: datetime, showcase: bool) -> int:
    today = helsinki_date(now)
    daily = character.yearly / DAYS
    rows = []
    for days_ago in range(DAYS - 1, -1, -1):
        day = today - timedelta(days=days_ago)
        # The unit's NPS drifts linearly over the year towards its trend.
        target = character.nps_level + character.nps_trend * (0.5 - days_ago / DAYS)
        for _ in range(_poisson(rng, daily * _day_factor(day, profile))):
            row = _feedback_row(rng, unit, profile, character, day, target, now, len(rows))
            if row["received_at"] <= now:
                rows.append(row)
    _leave_some_replies_late(rng, rows, character, now)
    _pick_quotes(rng, rows, now)
    if showcase:
        rows += _desk_rows(rng, unit, profile, character, now, first_index=len(rows))
    if rows:
        session.execute(insert(Feedback).execution_options(render_nulls=True), rows)
        count_new(session, rows)
    return len(rows)


def _feedback_row(rng: random.Random, unit: Unit, profile: str, character: UnitCharacter,
                  day: date, target: float, now: datetime, index: int) -> dict:
    collection = _weighted(rng, COLLECTIONS)
    score = _nps_score(rng, target + (4 if collection == "sms" else -3))
    received = _received_at(rng, day, collection, profile)
    answered = rng.sample(character.statements, rng.randint(max(1, len(character.statements) - 2),
                                                            len(character.statements)))
    reply_requested = rng.random() < (0.16 if score <= 6 else 0.04)
    replied_at = None
    if reply_requested:
        # Most replies go out within a week; some wait until the last days of the deadline.
        delay = rng.uniform(0.3, 7) if rng.random() < 0.8 else rng.uniform(7, 13.9)
        replied_at = received + timedelta(days=delay)
        if replied_at > now:
            replied_at = None
    language = "sv" if rng.random() < 0.04 else "fi"
    return {
        "unit_id": unit.id,
        "source": SOURCES[collection],
        "source_id": f"{unit.code}-{index:06d}",
        "received_at": received,
        "service_date": day - timedelta(days=1) if collection == "sms" else day,
        "channel": _weighted(rng, CHANNELS[profile]),
        "collection": collection,
        "nps": None if rng.random() < 0.02 else score,
        **{key: (_statement(rng, score) if key in answered else None) for key in STATEMENT_KEYS},
        "open_answer": _open_answer(rng, score, profile) if rng.random() < 0.45 else None,
        "free_text": rng.choice(content.FREE_TEXTS[rng.choice(GENERIC_TOPICS)]) if rng.random() < 0.08 else None,
        "reply_requested": reply_requested,
        "replied_at": replied_at,
        "replied_by": rng.choice(content.OWNERS) if replied_at else None,
        "no_reply_reason": None,
        "service_code": None,
        "language": language,
        "quote_picked_at": None,
        "redacted": False,
        "version": 1,
    }


def _desk_rows(rng: random.Random, unit: Unit, profile: str, character: UnitCharacter, now: datetime,
               first_index: int) -> list[dict]:
    """Critical answers with text received at fixed ages before now: replies awaiting and fresh work."""
    rows = []
    for number, age in enumerate(AWAITING_AGES + FRESH_AGES):
        received = now - age
        row = _feedback_row(rng, unit, profile, character, helsinki_date(received), character.nps_level, now,
                            first_index + number)
        score = rng.choice((2, 4, 5, 6))
        row.update(received_at=received, nps=score, open_answer=_open_answer(rng, score, profile),
                   reply_requested=age in AWAITING_AGES, replied_at=None, replied_by=None,
                   **{key: _statement(rng, score) for key in STATEMENT_KEYS if row[key] is not None})
        rows.append(row)
    return rows


def _leave_some_replies_late(rng: random.Random, rows: list[dict], character: UnitCharacter,
                             now: datetime) -> None:
    """Most units reply in time; some have a few replies left unsent past the deadline."""
    candidates = [r for r in rows if r["reply_requested"] and r["replied_at"]
                  and timedelta(days=15) < now - r["received_at"] < timedelta(days=40)]
    for row in rng.sample(candidates, min(character.late_replies, len(candidates))):
        row["replied_at"] = row["replied_by"] = None


def _pick_quotes(rng: random.Random, rows: list[dict], now: datetime) -> None:
    """The supervisor has picked a couple of recent answers as the customer's voice on the board."""
    recent = [r for r in rows if r["open_answer"] and now - r["received_at"] < timedelta(days=21)
              and len(r["open_answer"]) > 30]
    for row in rng.sample(recent, min(2, len(recent))):
        row["quote_picked_at"] = min(now, row["received_at"] + timedelta(days=1))


# Days a theme of each stage spent in development before its current stage.
DEVELOPMENT_BEFORE = {Stage.IN_GROUP: (0, 0), Stage.TRIAL: (7, 40), Stage.DONE: (20, 90)}

# The showcase unit's trial and done themes entered their stage this recently (days), so its actions are recent.
RECENT_ACTION_DAYS = {Stage.TRIAL: (5, 12), Stage.DONE: (3, 10)}

STAGE_PLAN = (
    (Stage.IDENTIFIED, 1, 20),
    (Stage.IN_GROUP, 3, 45),
    (Stage.TRIAL, 7, 60),
    (Stage.DONE, 20, 200),
    (Stage.ESCALATED, 30, 150),
    (Stage.NOT_PURSUED, 20, 150),
)


def _add_themes(session: Session, rng: random.Random, unit: Unit, profile: str,
                now: datetime, showcase: bool) -> tuple[int, int]:
    themes = [t for t in content.THEMES.get(profile, ())] + [
        t for topic in rng.sample(GENERIC_TOPICS, 3) for t in content.THEMES.get(topic, ())]
    if showcase:
        stages = [Stage.IN_GROUP, Stage.TRIAL, Stage.DONE, Stage.IDENTIFIED, Stage.ESCALATED, Stage.NOT_PURSUED]
    else:
        stages = [Stage.IN_GROUP, Stage.TRIAL, Stage.DONE] + rng.sample(
            [Stage.IDENTIFIED, Stage.IN_GROUP, Stage.TRIAL, Stage.DONE, Stage.ESCALATED, Stage.NOT_PURSUED],
            rng.randint(1, 3))
    actions = 0
    linkable = list(session.exec(
        select(Feedback.id).where(Feedback.unit_id == unit.id, Feedback.nps <= 8,
                                  Feedback.open_answer.is_not(None), Feedback.received_at < now - LINKED_AFTER)
        .order_by(Feedback.received_at.desc()).limit(200)
    ).all())
    chosen = rng.sample(themes, min(len(stages), len(themes)))
    for written, stage in zip(chosen, stages):
        _, low, high = next(plan for plan in STAGE_PLAN if plan[0] == stage)
        if showcase and stage in RECENT_ACTION_DAYS:
            low, high = RECENT_ACTION_DAYS[stage]
        since = now - timedelta(days=rng.randint(low, high), hours=rng.randint(0, 8))
        theme = Theme(
            unit_id=unit.id, title=written.title, title_sv=written.title_sv, title_en=written.title_en,
            description=written.description, stage=stage.value,
            owner=rng.choice(content.OWNERS), stage_since=since,
            created_at=since - timedelta(days=rng.randint(0, 30)), created_by=ACTOR,
            escalated_to=rng.choice(content.ESCALATION_TARGETS) if stage == Stage.ESCALATED else None,
            not_pursued_reason=rng.choice(content.NOT_PURSUED_REASONS) if stage == Stage.NOT_PURSUED else None,
            development_started_at=(since - timedelta(days=rng.randint(*DEVELOPMENT_BEFORE[stage]))
                                    if stage in DEVELOPMENT_BEFORE else None),
        )
        session.add(theme)
        session.flush()
        for feedback_id in rng.sample(linkable, min(len(linkable), rng.randint(3, 14))):
            session.add(ThemeFeedback(theme_id=theme.id, feedback_id=feedback_id))
        if stage in (Stage.TRIAL, Stage.DONE, Stage.ESCALATED):
            actions += _add_actions(session, rng, theme, now, showcase)
    session.flush()
    return len(chosen), actions


def _add_actions(session: Session, rng: random.Random, theme: Theme, now: datetime, showcase: bool) -> int:
    planned = content.ACTIONS.get(theme.title, ())
    for text, public_text, public_text_sv, public_text_en in planned:
        # The showcase's actions are of the last weeks: the trial's still internal, the done ones published.
        taken = theme.stage_since + timedelta(days=rng.randint(-4 if showcase else -10, 0))
        published = theme.stage == Stage.DONE.value and (showcase or rng.random() < 0.75)
        session.add(Action(
            theme_id=theme.id, taken_on=helsinki_date(taken), text=text,
            public_text=public_text, public_text_sv=public_text_sv, public_text_en=public_text_en,
            published_at=taken + timedelta(days=1) if published else None,
            created_by=ACTOR, created_at=taken,
        ))
    return len(planned)
