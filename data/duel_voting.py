"""The participant's side of a pairwise duel (issue 20): no sign-in, only the duel's join code and the
device's own random token (stored only as a hash) — no name. A device sees pairs, votes (rate limited)
and may add a few answers of its own. The supervisor's side is data/duels.py.
"""
from __future__ import annotations

import hashlib
import random
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from board.duel import OWN_ANSWERS_MOST, RATE_MOST, InvalidDuel, check_item_text, choose_pair, is_open, may_vote
from board.handling import screened_text
from data.audit import record
from data.duel_tables import Duel, DuelItem, DuelParticipant, DuelVote
from data.duels import DuelClosed
from data.models import Unit


class UnknownDuel(LookupError):
    """No duel has this join code."""



class TooFast(Exception):
    """This device has voted RATE_MOST times within the last minute; wait a moment."""


@dataclass(frozen=True)
class Choice:
    """One item of a pair as the participant sees it."""

    id: int
    text: str



@dataclass(frozen=True)
class DuelInvitation:
    """What a participant sees of a duel before voting."""

    question: str
    unit_name: str
    is_open: bool
    closes_at: datetime | None



def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_device_token() -> str:
    """A random token for one device (browser) taking part; only its hash is stored."""
    return secrets.token_urlsafe(16)


def _participant_label(participant: DuelParticipant) -> str:
    # The audit trail's actor for an anonymous participant: the duel and a short prefix of the hash.
    return f"duel-participant:{participant.duel_id}:{participant.token_hash[:12]}"



def _duel_by_code(session: Session, code: str) -> tuple[Duel, Unit]:
    row = session.exec(select(Duel, Unit).join(Unit, Unit.id == Duel.unit_id)
                       .where(Duel.code == (code or "").strip()[:16])).first()
    if row is None:
        raise UnknownDuel(code)
    return row


def invitation(session: Session, *, code: str, now: datetime, language: str = "fi") -> DuelInvitation:
    """The duel behind a join code; UnknownDuel for a code no duel has."""
    duel, unit = _duel_by_code(session, code)
    return DuelInvitation(duel.question, unit.name(language),
                          is_open(closes_at=duel.closes_at, closed_at=duel.closed_at, now=now), duel.closes_at)


def _open_duel(session: Session, code: str, now: datetime) -> tuple[Duel, Unit]:
    duel, unit = _duel_by_code(session, code)
    if not is_open(closes_at=duel.closes_at, closed_at=duel.closed_at, now=now):
        raise DuelClosed()
    return duel, unit


def _participant(session: Session, duel: Duel, token: str, now: datetime) -> DuelParticipant:
    token_hash = _token_hash(token)
    found = session.exec(select(DuelParticipant).where(DuelParticipant.duel_id == duel.id,
                                                       DuelParticipant.token_hash == token_hash)).first()
    if found is None:
        found = DuelParticipant(duel_id=duel.id, token_hash=token_hash, joined_at=now)
        session.add(found)
        session.flush()
    return found


def next_pair(session: Session, *, code: str, token: str, seed: int, now: datetime) -> tuple[Choice, Choice] | None:
    """The next two visible items for this device: the least shown first, a pair it has not yet seen."""
    duel, _ = _open_duel(session, code, now)
    items = session.exec(select(DuelItem.id, DuelItem.text).where(DuelItem.duel_id == duel.id,
                                                                  DuelItem.hidden_at.is_(None))).all()
    texts = dict(items)
    shown_left = select(DuelVote.left_item_id.label("item"), func.count().label("n")).where(
        DuelVote.duel_id == duel.id).group_by(DuelVote.left_item_id)
    shown_right = select(DuelVote.right_item_id.label("item"), func.count().label("n")).where(
        DuelVote.duel_id == duel.id).group_by(DuelVote.right_item_id)
    exposure: dict[int, int] = {}
    for query in (shown_left, shown_right):
        for item, n in session.exec(query).all():
            exposure[item] = exposure.get(item, 0) + n
    seen = session.exec(select(DuelVote.left_item_id, DuelVote.right_item_id)
                        .join(DuelParticipant, DuelParticipant.id == DuelVote.participant_id)
                        .where(DuelVote.duel_id == duel.id,
                               DuelParticipant.token_hash == _token_hash(token))).all()
    pair = choose_pair(sorted(texts), exposure, {frozenset(p) for p in seen}, random.Random(seed))
    return None if pair is None else (Choice(pair[0], texts[pair[0]]), Choice(pair[1], texts[pair[1]]))


def vote(session: Session, *, code: str, token: str, left_id: int, right_id: int, winner_id: int | None,
         now: datetime) -> None:
    """One comparison of a device: the winner of the pair, or none ("en osaa sanoa"); rate limited per device."""
    duel, _ = _open_duel(session, code, now)
    if winner_id not in (left_id, right_id, None) or left_id == right_id:
        raise InvalidDuel("not_in_pair", "the choice is not one of the pair")
    visible = set(session.exec(select(DuelItem.id).where(DuelItem.duel_id == duel.id, DuelItem.hidden_at.is_(None),
                                                         DuelItem.id.in_([left_id, right_id]))).all())
    if visible != {left_id, right_id}:
        raise InvalidDuel("item_gone", "an item of the pair is hidden or not in this duel")
    participant = _participant(session, duel, token, now)
    recent = session.exec(select(DuelVote.voted_at).where(DuelVote.participant_id == participant.id)
                          .order_by(DuelVote.voted_at.desc()).limit(RATE_MOST)).all()
    if not may_vote(recent, now):
        raise TooFast()
    # The vote row is itself the record of this anonymous change (who: the hashed token; when): it is not
    # copied into the audit trail, which keeps the changes made by staff and the items participants add.
    session.add(DuelVote(duel_id=duel.id, participant_id=participant.id, left_item_id=left_id,
                         right_item_id=right_id, winner_item_id=winner_id, voted_at=now))


def votes_of(session: Session, *, code: str, token: str) -> int:
    """How many comparisons this device has made in the duel."""
    duel, _ = _duel_by_code(session, code)
    return session.exec(select(func.count()).select_from(DuelVote)
                        .join(DuelParticipant, DuelParticipant.id == DuelVote.participant_id)
                        .where(DuelVote.duel_id == duel.id, DuelParticipant.token_hash == _token_hash(token))).one()


def add_answer(session: Session, *, code: str, token: str, text: str, now: datetime) -> DuelItem:
    """A participant adds an answer of their own: screened for identity codes and contacts, at most three per device."""
    duel, unit = _open_duel(session, code, now)
    text = check_item_text(screened_text(text))
    participant = _participant(session, duel, token, now)
    own = session.exec(select(func.count()).select_from(DuelItem)
                       .where(DuelItem.participant_id == participant.id)).one()
    if own >= OWN_ANSWERS_MOST:
        raise InvalidDuel("too_many_answers", f"a device adds at most {OWN_ANSWERS_MOST} answers")
    same = session.exec(select(DuelItem.id).where(DuelItem.duel_id == duel.id,
                                                  func.lower(DuelItem.text) == text.lower())).first()
    if same is not None:
        raise InvalidDuel("duplicate", "the duel has this answer already")
    item = DuelItem(duel_id=duel.id, text=text, origin="participant", participant_id=participant.id, created_at=now)
    session.add(item)
    session.flush()
    record(session, actor=_participant_label(participant), action="duel_item.add", entity="duel_item",
           entity_id=str(item.id), unit_id=unit.id, now=now, after={"text": text, "duel": duel.id})
    return item
