"""The interface language a signed-in person chose, remembered across sessions."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from auth.access import Viewer
from data import audit
from data.models import LANGUAGES, UserPreference


def preferred_language(session: Session, *, viewer: Viewer) -> str | None:
    """The language the person chose last time, or None when they never chose (wall screens never do)."""
    if viewer.is_kiosk:
        return None
    preference = session.get(UserPreference, viewer.subject)
    return preference.language if preference is not None else None


def choose_language(session: Session, *, viewer: Viewer, language: str, now: datetime) -> None:
    """Remember the person's language for their next sessions; a wall screen keeps nothing."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    if viewer.is_kiosk:
        return
    preference = session.get(UserPreference, viewer.subject)
    before = None if preference is None else {"language": preference.language}
    if preference is None:
        preference = UserPreference(subject=viewer.subject, language=language, updated_at=now)
    elif preference.language == language:
        return
    else:
        preference.language, preference.updated_at = language, now
        preference.version += 1
    session.add(preference)
    audit.record(session, actor=viewer.label, action="preference.language", entity="user_preference",
                 entity_id=viewer.subject, now=now, before=before, after={"language": language})
