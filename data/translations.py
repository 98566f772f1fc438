"""Which published actions still lack a Swedish or English public text, per unit and language (/admin)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlmodel import Session, select

from auth.access import Viewer
from auth.roles import Permission
from board.content_language import TRANSLATED
from data.actions import PUBLIC_TEXT_COLUMNS
from data.metrics import _count_if
from data.models import Action, Theme, Unit
from data.units import scope_units, unit_name_column


@dataclass(frozen=True)
class MissingTranslations:
    """A unit's published actions without a public text in one language."""

    unit_code: str
    unit_name: str
    language: str
    missing: int
    published: int


def _blank(column):
    return or_(column.is_(None), func.trim(column) == "")


def missing_translations(session: Session, *, viewer: Viewer, language: str = "fi") -> list[MissingTranslations]:
    """Per unit of the admin's scope and per language (sv, en): published actions lacking that public text."""
    scope = scope_units(viewer, Permission.CONFIGURE)
    if scope is None:
        return []
    counts = [_count_if(_blank(getattr(Action, PUBLIC_TEXT_COLUMNS[code]))) for code in TRANSLATED]
    rows = session.exec(
        select(Unit.code, unit_name_column(language), func.count(Action.id), *counts)
        .select_from(Action).join(Theme, Theme.id == Action.theme_id).join(Unit, Unit.id == Theme.unit_id)
        .where(Action.published_at.is_not(None), Action.public_text.is_not(None), scope)
        # The raw name columns, not the coalesce(): PostgreSQL sees two builds of it as different expressions.
        .group_by(Unit.code, Unit.name_fi, Unit.name_sv, Unit.name_en)
        .order_by(Unit.code)
    ).all()
    result = []
    for code, name, published, *missing in rows:
        for lang, count in zip(TRANSLATED, missing):
            if count:
                result.append(MissingTranslations(code, name, lang, int(count), int(published)))
    return result
