"""Content in the reader's language: a text written in Finnish, Swedish and English, or Finnish when missing."""
from __future__ import annotations

from dataclasses import dataclass

SOURCE = "fi"
CONTENT_LANGUAGES = ("fi", "sv", "en")
TRANSLATED = ("sv", "en")


@dataclass(frozen=True)
class InLanguage:
    """A text and the language it is written in; `fallback` when the reader asked for another one."""

    text: str
    language: str
    fallback: bool


def in_language(texts: dict[str, str | None], language: str) -> InLanguage | None:
    """The reader's language when it has a text, else the Finnish text marked as Finnish; None without Finnish."""
    wanted = (texts.get(language) or "").strip() if language in CONTENT_LANGUAGES else ""
    if wanted:
        return InLanguage(wanted, language, False)
    finnish = (texts.get(SOURCE) or "").strip()
    if not finnish:
        return None
    return InLanguage(finnish, SOURCE, language != SOURCE)


def missing_translations(texts: dict[str, str | None]) -> tuple[str, ...]:
    """The languages other than Finnish that have no text yet."""
    return tuple(language for language in TRANSLATED if not (texts.get(language) or "").strip())
