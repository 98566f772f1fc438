"""`python -m data notify`: wake-ups for new feedback asking for a reply, and the daily digest, to each unit's handlers.

What reached an address is stored (wake_sent per feedback item, digest_sent per Helsinki day), each
message in its own transaction right after Graph accepted it: re-running sends nothing twice, and a
message that failed is simply still unsent, so the next run tries it again.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import and_, case, func
from sqlmodel import Session, select

from board.notices import DIGEST, WAKE, Notice, digest_day_begun, message
from board.periods import helsinki_date
from board.replies import ReplyPolicy, due_soon_cutoff, overdue_cutoff
from data import audit
from data.db import session_scope
from data.models import Feedback, SignInSession, Unit, UserPreference
from data.notify_tables import DigestSent, FeedbackHandler, NotifyRun, WakeSent

ACTOR = "notify"
PROBLEM_MOST = 2000


@dataclass(frozen=True)
class Outgoing:
    """A notice to send and what it covers: the feedback items of a wake-up, the day of a digest."""

    notice: Notice
    unit_id: int
    feedback_ids: tuple[int, ...] = ()
    day: date | None = None


@dataclass
class NotifyResult:
    sent: list[Notice] = field(default_factory=list)
    failed: list[tuple[Notice, str]] = field(default_factory=list)
    problem: str | None = None


# Sends one message (to, subject, body) or raises with a loggable reason.
Send = Callable[[Sequence[str], str, str], None]


def _count_if(condition):
    return func.sum(case((condition, 1), else_=0))


def _awaiting_reply():
    return and_(Feedback.reply_requested, Feedback.replied_at.is_(None), Feedback.no_reply_reason.is_(None))


def _languages(session: Session, addresses: set[str]) -> dict[str, str]:
    """The saved language of the person whose sign-in subject, or e-mail recorded on sign-in, is the address
    (in any case); Finnish for the rest. A subject that is the address itself wins over an e-mail match."""
    if not addresses:
        return {}
    wanted = sorted({address.lower() for address in addresses})
    saved = session.exec(select(func.lower(UserPreference.subject), UserPreference.language)
                         .where(func.lower(UserPreference.subject).in_(wanted))).all()
    by_email = session.exec(
        select(func.lower(SignInSession.email), UserPreference.language)
        .join(UserPreference, UserPreference.subject == SignInSession.subject)
        .where(func.lower(SignInSession.email).in_(wanted))
        .order_by(SignInSession.started_at, SignInSession.id)).all()
    found = dict(by_email)   # the newest sign-in of an address last, so it counts
    found.update(saved)
    return {address: found.get(address.lower(), "fi") for address in addresses}


def _reply_counts(session: Session, unit_ids: set[int], now: datetime, policy: ReplyPolicy) -> dict[int, tuple[int, int]]:
    """(due soon, overdue) of each unit's own feedback now, by the rules of board.replies."""
    late_before, soon_before = overdue_cutoff(now, policy), due_soon_cutoff(now, policy)
    rows = session.exec(
        select(Feedback.unit_id,
               _count_if(and_(Feedback.received_at >= late_before, Feedback.received_at < soon_before)),
               _count_if(Feedback.received_at < late_before))
        .where(_awaiting_reply(), Feedback.unit_id.in_(sorted(unit_ids)))
        .group_by(Feedback.unit_id)
    ).all()
    return {unit_id: (int(soon or 0), int(late or 0)) for unit_id, soon, late in rows}


def _new_items(session: Session, now: datetime, policy: ReplyPolicy) -> dict[tuple[int, str], set[int]]:
    """(unit, address) → the open, not yet overdue items asking for a reply that the address was not woken for."""
    woken = select(WakeSent.feedback_id).where(WakeSent.feedback_id == Feedback.id,
                                               WakeSent.address == FeedbackHandler.address)
    rows = session.exec(
        select(FeedbackHandler.unit_id, FeedbackHandler.address, Feedback.id)
        .join(Feedback, Feedback.unit_id == FeedbackHandler.unit_id)
        # An overdue item is the digest's business: a first run does not wake anyone for old backlog.
        .where(_awaiting_reply(), Feedback.received_at >= overdue_cutoff(now, policy), Feedback.received_at <= now,
               ~woken.exists())
    ).all()
    items: dict[tuple[int, str], set[int]] = defaultdict(set)
    for unit_id, address, feedback_id in rows:
        items[(unit_id, address)].add(feedback_id)
    return items


def plan_notices(session: Session, *, now: datetime, policy: ReplyPolicy, digest_hour: int) -> list[Outgoing]:
    """Every message due now: a wake-up per unit and language for new items, a digest per unit, language and day."""
    handlers = session.exec(select(FeedbackHandler, Unit).join(Unit, Unit.id == FeedbackHandler.unit_id)
                            .where(Unit.active)).all()
    if not handlers:
        return []
    units = {unit.id: unit for _, unit in handlers}
    languages = _languages(session, {handler.address for handler, _ in handlers})
    counts = _reply_counts(session, set(units), now, policy)
    outgoing = _wakes(_new_items(session, now, policy), units, languages, counts)
    if digest_day_begun(now, digest_hour):
        outgoing += _digests(session, handlers, languages, counts, helsinki_date(now))
    return outgoing


def _wakes(items, units, languages, counts) -> list[Outgoing]:
    # Handlers of one unit and language who await the same items get one message together.
    groups: dict[tuple[int, str, frozenset[int]], list[str]] = defaultdict(list)
    for (unit_id, address), ids in items.items():
        if unit_id in units:
            groups[(unit_id, languages[address], frozenset(ids))].append(address)
    outgoing = []
    for (unit_id, language, ids), addresses in sorted(groups.items(), key=lambda g: (g[0][0], g[0][1], min(g[0][2]))):
        due_soon, overdue = counts.get(unit_id, (0, 0))
        notice = Notice(unit_code=units[unit_id].code, unit_name=units[unit_id].name(language), kind=WAKE,
                        language=language, to=tuple(sorted(addresses)), new=len(ids), due_soon=due_soon,
                        overdue=overdue)
        outgoing.append(Outgoing(notice=notice, unit_id=unit_id, feedback_ids=tuple(sorted(ids))))
    return outgoing


def _digests(session, handlers, languages, counts, day: date) -> list[Outgoing]:
    had = set(session.exec(select(DigestSent.unit_id, DigestSent.address).where(DigestSent.day == day)).all())
    groups: dict[tuple[int, str], list[str]] = defaultdict(list)
    units = {}
    for handler, unit in handlers:
        # A day with nothing due soon or overdue needs no digest.
        if (unit.id, handler.address) not in had and any(counts.get(unit.id, (0, 0))):
            groups[(unit.id, languages[handler.address])].append(handler.address)
            units[unit.id] = unit
    outgoing = []
    for (unit_id, language), addresses in sorted(groups.items()):
        due_soon, overdue = counts[unit_id]
        notice = Notice(unit_code=units[unit_id].code, unit_name=units[unit_id].name(language), kind=DIGEST,
                        language=language, to=tuple(sorted(addresses)), new=0, due_soon=due_soon, overdue=overdue)
        outgoing.append(Outgoing(notice=notice, unit_id=unit_id, day=day))
    return outgoing


def record_sent(session: Session, *, outgoing: Outgoing, to: Sequence[str], run_id: int, now: datetime) -> None:
    """Remember that the notice reached these addresses, so that no run sends it again; audited."""
    for address in to:
        if outgoing.notice.kind == WAKE:
            for feedback_id in outgoing.feedback_ids:
                if session.get(WakeSent, (feedback_id, address)) is None:
                    session.add(WakeSent(feedback_id=feedback_id, address=address, sent_at=now, run_id=run_id))
        elif session.get(DigestSent, (outgoing.unit_id, address, outgoing.day)) is None:
            session.add(DigestSent(unit_id=outgoing.unit_id, address=address, day=outgoing.day, sent_at=now,
                                   run_id=run_id))
    sent = replace(outgoing.notice, to=tuple(to))
    audit.record(session, actor=ACTOR, action=f"notify.{outgoing.notice.kind}", entity="unit",
                 entity_id=outgoing.notice.unit_code, unit_id=outgoing.unit_id, now=now, after=sent.as_json())


def start_run(engine, *, now: datetime, problem: str | None = None) -> int:
    """Store the start of a run (or a run that could not start, with its problem); its id."""
    with session_scope(engine, write=True) as session:
        run = NotifyRun(started_at=now, problem=problem[:PROBLEM_MOST] if problem else None)
        session.add(run)
        session.flush()
        return run.id


def _finish_run(engine, run_id: int, result: NotifyResult) -> None:
    with session_scope(engine, write=True) as session:
        run = session.get(NotifyRun, run_id)
        run.sent, run.failed = len(result.sent), len(result.failed)
        run.problem = result.problem[:PROBLEM_MOST] if result.problem else None
        run.failures = [notice.as_json() | {"error": error[:PROBLEM_MOST]} for notice, error in result.failed]


def _deliver(send: Send, notice: Notice, public_url: str) -> list[tuple[Notice, str | None]]:
    """Send the notice; when Graph refuses a message to several, each address is tried alone, so one bad address
    holds up only itself and is named in the failure."""
    subject, body = message(notice, public_url)
    try:
        send(notice.to, subject, body)
        return [(notice, None)]
    except Exception as problem:  # the sender's error, already worded safely
        if len(notice.to) == 1 or not getattr(problem, "refused_message", False):
            return [(notice, str(problem))]
    results = []
    for address in notice.to:
        alone = replace(notice, to=(address,))
        try:
            send(alone.to, subject, body)
            results.append((alone, None))
        except Exception as problem:
            results.append((alone, str(problem)))
    return results


def run_notify(engine, *, now: datetime, policy: ReplyPolicy, public_url: str, digest_hour: int,
               send: Send | None, token_problem: Callable[[], str | None] = lambda: None) -> NotifyResult:
    """Send every due notice (`send` None: a dry run that sends and stores nothing) and store the run."""
    with session_scope(engine) as session:
        outgoing = plan_notices(session, now=now, policy=policy, digest_hour=digest_hour)
    result = NotifyResult()
    if send is None:
        result.sent = [item.notice for item in outgoing]
        return result
    run_id = start_run(engine, now=now)
    for item in outgoing:
        for notice, error in _deliver(send, item.notice, public_url):
            if error is None:
                # Stored at once: a run that dies later must not send this one again.
                with session_scope(engine, write=True) as session:
                    record_sent(session, outgoing=item, to=notice.to, run_id=run_id, now=now)
                result.sent.append(notice)
            else:
                result.failed.append((notice, error))
    result.problem = token_problem()
    _finish_run(engine, run_id, result)
    return result
