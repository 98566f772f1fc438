"""Sign-in sessions kept on the server: begun at the first rerun of a sign-in, checked on every rerun,
ended by signing out (in every tab at once), by age, or by an admin for all of a person's sessions."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, delete, select

from auth.access import Viewer, require
from auth.roles import Permission
from data.audit import record
from data.models import SignInSession, Unit

SIGNED_OUT = "sign_out"
EXPIRED = "expired"
ENDED_BY_ADMIN = "admin"


@dataclass(frozen=True)
class PersonSessions:
    """A person's open sign-ins, as the admin page lists them."""

    subject: str
    name: str
    open_sessions: int
    latest_start: datetime


def find_sign_in(session: Session, *, token_hash: str) -> SignInSession | None:
    """The sign-in of a token, begun or ended, or None when this token was never seen."""
    return session.exec(select(SignInSession).where(SignInSession.token_hash == token_hash)).first()


def is_open(sign_in: SignInSession, now: datetime) -> bool:
    """Not ended, and not past its expiry."""
    return sign_in.ended_at is None and now < sign_in.expires_at


def begin_sign_in(session: Session, *, viewer: Viewer, token_hash: str, issued_at: datetime, now: datetime,
                  max_age: timedelta) -> SignInSession:
    """Record a new sign-in; it expires `max_age` after its token was issued. A token seen before keeps its record."""
    existing = find_sign_in(session, token_hash=token_hash)
    if existing is not None:
        return existing
    # The first trusted e-mail is kept so that notify finds the person's language by a handler address.
    email = viewer.emails[0][:200].lower() if viewer.emails else None
    sign_in = SignInSession(token_hash=token_hash, subject=viewer.subject[:200], name=viewer.name[:200], email=email,
                            issued_at=issued_at, started_at=now, expires_at=issued_at + max_age)
    forget_expired_sign_ins(session, now=now)
    try:
        # Two tabs opened at once may both begin the same sign-in: the second finds the first's row.
        with session.begin_nested():
            session.add(sign_in)
            session.flush()
    except IntegrityError:
        return find_sign_in(session, token_hash=token_hash)
    record(session, actor=viewer.label, action="session.begin", entity="sign_in_session",
           entity_id=str(sign_in.id), now=now, after={"expires_at": sign_in.expires_at})
    return sign_in


# A token is refused by its age before its record is looked up, so a record a day past its expiry guards nothing.
FORGET_AFTER = timedelta(days=1)


def forget_expired_sign_ins(session: Session, *, now: datetime) -> int:
    """Delete the sign-in records that expired over a day ago (a person's sign-ins are not kept for ever)."""
    cutoff = now - FORGET_AFTER
    old = session.exec(select(func.count()).select_from(SignInSession).where(SignInSession.expires_at < cutoff)).one()
    if old:
        session.exec(delete(SignInSession).where(SignInSession.expires_at < cutoff))
        record(session, actor="system", action="session.forget", entity="sign_in_session", entity_id="expired",
               now=now, after={"deleted": old, "expired_before": cutoff})
    return old


def end_sign_in(session: Session, *, token_hash: str, actor: str, reason: str, now: datetime) -> bool:
    """End one sign-in (signing out, or found expired); False when it was already ended or never begun."""
    sign_in = find_sign_in(session, token_hash=token_hash)
    if sign_in is None or sign_in.ended_at is not None:
        return False
    _end(session, sign_in, actor=actor, reason=reason, now=now)
    return True


def _end(session: Session, sign_in: SignInSession, *, actor: str, reason: str, now: datetime) -> None:
    sign_in.ended_at, sign_in.ended_by, sign_in.end_reason = now, actor[:200], reason
    session.add(sign_in)
    record(session, actor=actor, action="session.end", entity="sign_in_session", entity_id=str(sign_in.id),
           now=now, before={"ended_at": None}, after={"ended_at": now, "reason": reason, "subject": sign_in.subject})


def _require_county_admin(session: Session, viewer: Viewer) -> None:
    # A person's sessions span every unit, so only an admin of the whole county may end them.
    root = session.exec(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id)).first()
    require(viewer, Permission.MANAGE_GRANTS, root.path if root else "", target=root.code if root else "")


def people_signed_in(session: Session, *, viewer: Viewer, now: datetime) -> list[PersonSessions]:
    """Who has open sign-ins, most recent first (county admins only)."""
    _require_county_admin(session, viewer)
    rows = session.exec(
        select(SignInSession.subject, func.max(SignInSession.name), func.count(), func.max(SignInSession.started_at))
        .where(SignInSession.ended_at.is_(None), SignInSession.expires_at > now)
        .group_by(SignInSession.subject)
        .order_by(func.max(SignInSession.started_at).desc())
    ).all()
    return [PersonSessions(subject, name, count, latest) for subject, name, count, latest in rows]


def end_sessions_of(session: Session, *, viewer: Viewer, subject: str, now: datetime) -> int:
    """End every open sign-in of one person (county admins only), each audited; returns how many were ended."""
    _require_county_admin(session, viewer)
    open_ones = session.exec(select(SignInSession).where(
        SignInSession.subject == subject, SignInSession.ended_at.is_(None))).all()
    for sign_in in open_ones:
        _end(session, sign_in, actor=viewer.label, reason=ENDED_BY_ADMIN, now=now)
    return len(open_ones)
