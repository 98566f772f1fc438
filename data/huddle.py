"""The huddle itself: prompts per unit, the huddle log and capture links (QR); escalation is data/escalation.py.

One function per user action, each one transaction; every change of state writes an audit row.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import String, cast
from sqlmodel import Session, select

from auth.access import Viewer, require
from auth.roles import Permission
from board.content_language import InLanguage, in_language
from board.handling import check_theme_title, screened_text
from board.huddle import (
    CAPTURE_DETAIL_MAX,
    PROMPT_MAX,
    SECTIONS,
    HuddleRuleBroken,
    capture_expires,
    check_capture,
    check_length,
    check_present,
    check_section,
    held_share,
    working_days,
)
from board.periods import helsinki_date, helsinki_midnight_utc
from board.stages import Stage
from data.audit import record
from data.models import AuditEvent, Theme, Unit
from data.huddle_tables import CaptureLink, Huddle, HuddlePrompt
from data.organisation import in_subtree
from data.editing import RowState, StaleEdit, UnknownItem, bump_version
from data.units import unit_for

CAPTURE_TOKEN_BYTES = 24
LOG_SHOWN = 10
# What counts as a decision of the huddle: themes captured or moved, escalations sent or answered.
DECISIONS = ("theme.create", "theme.move", "theme.capture", "escalation.create", "escalation.take",
             "escalation.return", "escalation.forward")


# --- Prompts -----------------------------------------------------------------------------------

def huddle_prompts(session: Session, *, viewer: Viewer, unit_code: str) -> dict[str, tuple[str, int] | None]:
    """The unit's own prompt and its version for each section; None where the default text is used."""
    unit = unit_for(session, viewer, Permission.VIEW_HUDDLE, unit_code)
    rows = session.exec(select(HuddlePrompt).where(HuddlePrompt.unit_id == unit.id)).all()
    own = {row.section: (row.text, row.version) for row in rows}
    return {section: own.get(section) for section in SECTIONS}


def prompt_translations(session: Session, *, viewer: Viewer, unit_code: str) -> dict[str, dict[str, str | None]]:
    """The unit's own prompts in Swedish and English per section (empty where the prompt has none)."""
    unit = unit_for(session, viewer, Permission.VIEW_HUDDLE, unit_code)
    rows = session.exec(select(HuddlePrompt).where(HuddlePrompt.unit_id == unit.id)).all()
    return {row.section: {"sv": row.text_sv, "en": row.text_en} for row in rows}


def huddle_prompts_in(session: Session, *, viewer: Viewer, unit_code: str,
                      language: str) -> dict[str, InLanguage | None]:
    """The unit's own prompt per section in the reader's language, or in Finnish (marked); None: the default."""
    unit = unit_for(session, viewer, Permission.VIEW_HUDDLE, unit_code)
    rows = session.exec(select(HuddlePrompt).where(HuddlePrompt.unit_id == unit.id)).all()
    own = {row.section: in_language({"fi": row.text, "sv": row.text_sv, "en": row.text_en}, language)
           for row in rows}
    return {section: own.get(section) for section in SECTIONS}


def _checked_prompt(text: str | None) -> str:
    text = screened_text(text)
    if len(text) > PROMPT_MAX:
        raise HuddleRuleBroken("too_long", f"the prompt has {len(text)} characters, more than {PROMPT_MAX}")
    return text


def set_huddle_prompt(session: Session, *, viewer: Viewer, unit_code: str, section: str, text: str,
                      seen_version: int | None, translations: dict[str, str | None] | None = None,
                      now: datetime) -> None:
    """A supervisor sets the unit's prompt of a section (≤ 300 characters, sv/en optional); empty Finnish: default."""
    unit = unit_for(session, viewer, Permission.EDIT_THEMES, unit_code)
    section = check_section(section)
    text = _checked_prompt(text)
    translated = {f"text_{language}": _checked_prompt(value) or None
                  for language, value in (translations or {}).items() if language in ("sv", "en")}
    row = session.exec(select(HuddlePrompt).where(HuddlePrompt.unit_id == unit.id,
                                                  HuddlePrompt.section == section)).first()
    if (row.version if row else None) != seen_version:
        raise StaleEdit([RowState("huddle_prompt", row.id if row else 0, row.version if row else None, {})])
    before = {"text": row.text, **{name: getattr(row, name) for name in translated}} if row else None
    after = {"text": text, **translated} if text else None
    if row is None and text:
        session.add(HuddlePrompt(unit_id=unit.id, section=section, updated_at=now, updated_by=viewer.label, **after))
    elif row is not None and not text:
        session.delete(row)
    elif row is not None and after != before:
        bump_version(session, HuddlePrompt, "huddle_prompt", row.id, seen_version,
                     {**after, "updated_at": now, "updated_by": viewer.label})
    else:
        return  # nothing changes: no audit row
    record(session, actor=viewer.label, action="huddle.prompt", entity="huddle_prompt",
           entity_id=f"{unit.code}/{section}", unit_id=unit.id, now=now, before=before, after=after)


# --- The huddle log ----------------------------------------------------------------------------

def start_huddle(session: Session, *, viewer: Viewer, unit_code: str, minutes: int, now: datetime) -> Huddle:
    """A person at the board starts a 5, 10 or 15-minute huddle; a kiosk screen runs one without a log."""
    unit = unit_for(session, viewer, Permission.RUN_HUDDLE, unit_code)
    huddle = Huddle(unit_id=unit.id, started_at=now, planned_minutes=check_length(minutes),
                    started_by=viewer.label)
    session.add(huddle)
    session.flush()
    record(session, actor=viewer.label, action="huddle.start", entity="huddle", entity_id=str(huddle.id),
           unit_id=unit.id, now=now, after={"unit": unit.code, "planned_minutes": minutes})
    return huddle


def end_huddle(session: Session, *, viewer: Viewer, huddle_id: int, seen_version: int, present: int | None,
               now: datetime) -> None:
    """End a huddle and note how many were present (a count, never names)."""
    huddle, unit = _huddle(session, huddle_id)
    require(viewer, Permission.RUN_HUDDLE, unit.path, target=unit.code)
    present = check_present(present)
    ended_at = max(now, huddle.started_at)
    bump_version(session, Huddle, "huddle", huddle.id, seen_version, {"ended_at": ended_at, "present": present})
    record(session, actor=viewer.label, action="huddle.end", entity="huddle", entity_id=str(huddle.id),
           unit_id=unit.id, now=now, before={"ended_at": huddle.ended_at, "present": huddle.present},
           after={"ended_at": ended_at, "present": present})


def _huddle(session: Session, huddle_id: int) -> tuple[Huddle, Unit]:
    row = session.exec(select(Huddle, Unit).join(Unit, Unit.id == Huddle.unit_id).where(Huddle.id == huddle_id)
                       .execution_options(populate_existing=True)).first()
    if row is None:
        raise UnknownItem("huddle", huddle_id)
    return row


@dataclass(frozen=True)
class Decision:
    action: str
    title: str


@dataclass(frozen=True)
class HuddleEntry:
    id: int
    version: int
    started_at: datetime
    planned_minutes: int
    ended_at: datetime | None
    present: int | None
    decisions: list[Decision]

    @property
    def minutes(self) -> int | None:
        """How long it lasted, in whole minutes (None while it runs)."""
        if self.ended_at is None:
            return None
        return round((self.ended_at - self.started_at).total_seconds() / 60)


@dataclass(frozen=True)
class HuddleLog:
    entries: list[HuddleEntry]
    held_days: int
    working_days: int
    not_held: list[date]   # working days of the period without a huddle, newest first


def huddle_log(session: Session, *, viewer: Viewer, unit_code: str, first: date, last: date) -> HuddleLog:
    """The unit's huddles begun on Helsinki days first…last with their decisions, and the working days without one."""
    unit = unit_for(session, viewer, Permission.VIEW_HUDDLE, unit_code)
    huddles = session.exec(
        select(Huddle).where(Huddle.unit_id == unit.id,
                             Huddle.started_at >= helsinki_midnight_utc(first),
                             Huddle.started_at < helsinki_midnight_utc(date.fromordinal(last.toordinal() + 1)))
        .order_by(Huddle.started_at.desc()).execution_options(populate_existing=True)
    ).all()
    days = working_days(first, last)
    held, total = held_share([h.started_at for h in huddles], days)
    held_on = {helsinki_date(h.started_at) for h in huddles}
    entries = [HuddleEntry(h.id, h.version, h.started_at, h.planned_minutes, h.ended_at, h.present,
                           _decisions(session, unit, h)) for h in huddles[:LOG_SHOWN]]
    return HuddleLog(entries, held, total, [d for d in reversed(days) if d not in held_on])


def _decisions(session: Session, unit: Unit, huddle: Huddle) -> list[Decision]:
    """Themes captured or moved and escalations sent or answered in the unit's subtree while the huddle ran."""
    until = huddle.ended_at or huddle.started_at
    rows = session.exec(
        select(AuditEvent.action, AuditEvent.entity, AuditEvent.entity_id, AuditEvent.after)
        .where(in_subtree(unit, AuditEvent.unit_id), AuditEvent.action.in_(DECISIONS),
               AuditEvent.at >= huddle.started_at, AuditEvent.at <= until)
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    theme_ids = [int(entity_id) for _, entity, entity_id, _ in rows if entity == "theme" and entity_id]
    titles = dict(session.exec(select(cast(Theme.id, String), Theme.title).where(Theme.id.in_(theme_ids))).all()) \
        if theme_ids else {}
    return [Decision(action, titles.get(entity_id, "") if entity == "theme" else (after or {}).get("theme", ""))
            for action, entity, entity_id, after in rows]


def huddles_held(session: Session, *, viewer: Viewer, unit_code: str, first: date, last: date) -> tuple[int, int]:
    """(working days with a huddle, working days) of one unit over Helsinki days first…last: the roll-up's figure."""
    unit = unit_for(session, viewer, Permission.VIEW_ROLLUP, unit_code)
    starts = session.exec(select(Huddle.started_at).where(
        Huddle.unit_id == unit.id, Huddle.started_at >= helsinki_midnight_utc(first),
        Huddle.started_at < helsinki_midnight_utc(date.fromordinal(last.toordinal() + 1)))).all()
    return held_share(list(starts), working_days(first, last))


# --- Capture links (QR) ------------------------------------------------------------------------

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedCapture:
    token: str
    expires_at: datetime


def issue_capture_link(session: Session, *, viewer: Viewer, unit_code: str, now: datetime) -> IssuedCapture:
    """A link for the board's QR code: adds ideas to this unit's "Tunnistettu" only, for a few minutes; only its hash is kept."""
    # A kiosk screen may issue one for its own unit: it is the screen's one way to let a phone write.
    unit = unit_for(session, viewer, Permission.VIEW_HUDDLE, unit_code)
    token = secrets.token_urlsafe(CAPTURE_TOKEN_BYTES)
    link = CaptureLink(unit_id=unit.id, token_hash=_token_hash(token), created_at=now, created_by=viewer.label,
                       expires_at=capture_expires(now))
    session.add(link)
    session.flush()
    record(session, actor=viewer.label, action="capture.issue", entity="capture_link", entity_id=str(link.id),
           unit_id=unit.id, now=now, after={"unit": unit.code, "expires_at": link.expires_at})
    return IssuedCapture(token, link.expires_at)


@dataclass(frozen=True)
class CaptureTarget:
    unit_code: str
    unit_name: str
    expires_at: datetime


def _capture_link(session: Session, token: str, now: datetime) -> tuple[CaptureLink, Unit] | None:
    if not token or len(token) > 200:
        return None
    row = session.exec(select(CaptureLink, Unit).join(Unit, Unit.id == CaptureLink.unit_id)
                       .where(CaptureLink.token_hash == _token_hash(token))
                       .execution_options(populate_existing=True)).first()
    if row is None or now >= row[0].expires_at or not row[1].active:
        return None
    return row


def capture_target(session: Session, *, token: str, now: datetime, language: str = "fi") -> CaptureTarget | None:
    """The unit a capture link adds to, None when the token is unknown or expired (the page then shows nothing)."""
    row = _capture_link(session, token, now)
    if row is None:
        return None
    link, unit = row
    return CaptureTarget(unit.code, unit.name(language), link.expires_at)


def capture_idea(session: Session, *, token: str, title: str, detail: str = "", now: datetime) -> int:
    """An idea or problem from a phone goes onto the unit's kanban at "Tunnistettu", screened; returns the theme's id."""
    row = _capture_link(session, token, now)
    if row is None:
        raise HuddleRuleBroken("capture_expired", "the capture link is unknown or has expired")
    link, unit = row
    check_capture(expires_at=link.expires_at, uses=link.uses, last_used_at=link.last_used_at, now=now)
    title = check_theme_title(title)
    detail = screened_text(detail)
    if len(detail) > CAPTURE_DETAIL_MAX:
        raise HuddleRuleBroken("too_long", f"the detail has {len(detail)} characters, more than {CAPTURE_DETAIL_MAX}")
    # Counted first, WHERE version = seen: two phones racing cannot both take the last use.
    bump_version(session, CaptureLink, "capture_link", link.id, link.version, {"uses": link.uses + 1, "last_used_at": now})
    actor = f"capture:{link.id}"
    theme = Theme(unit_id=unit.id, title=title, description=detail, stage=Stage.IDENTIFIED.value, stage_since=now,
                  created_at=now, created_by=actor)
    session.add(theme)
    session.flush()
    record(session, actor=actor, action="theme.capture", entity="theme", entity_id=str(theme.id), unit_id=unit.id,
           now=now, after={"title": title, "description": detail, "stage": theme.stage, "unit": unit.code})
    return theme.id
