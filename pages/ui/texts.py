"""The texts of the interface: gettext catalogues in locale/, looked up by key with `t(key)` and `tn(key, count)`.

The msgid of every entry is its dotted key ("huddle.nps.title"); locale/fi/LC_MESSAGES/messages.po is the source
catalogue, sv and en translate it. See "Languages" in the README.
"""
from __future__ import annotations

from gettext import GNUTranslations
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from pages.ui.language import DEFAULT, LANGUAGES, current

LOCALE = Path(__file__).resolve().parents[2] / "locale"

# Tests set this: a key missing in the reader's language is then an error, not silently Finnish.
STRICT = False


def load(language: str, locale: Path = LOCALE) -> GNUTranslations:
    """One language's catalogue, from the .mo that `make texts` compiles.

    The .mo files are built, not committed. Where one is missing (a fresh checkout run without make) or older than
    its .po (a developer edited the .po), the .po is compiled here in memory instead: the app then shows the
    texts of the .po as they are, never keys, and nothing is written next to the sources.
    """
    po = locale / language / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        return GNUTranslations(BytesIO(mo.read_bytes()))
    compiled = BytesIO()
    with po.open("rb") as source:
        write_mo(compiled, read_po(source, locale=language))
    compiled.seek(0)
    return GNUTranslations(compiled)


# Loaded once per process, at import (three small files).
CATALOGUES: dict[str, GNUTranslations] = {code: load(code) for code in LANGUAGES}


def _text(code: str, key: str, count: int | None) -> str:
    catalogue = CATALOGUES[code]
    text = catalogue.gettext(key) if count is None else catalogue.ngettext(key, key, count)
    if text == key:  # gettext hands the msgid back when the catalogue has no text for it
        raise KeyError(f"text {key!r} is missing in language {code!r}")
    return text


def _lookup(key: str, count: int | None, language: str | None) -> str:
    language = language or current()
    try:
        return _text(language if language in CATALOGUES else DEFAULT, key, count)
    except KeyError:
        if STRICT:
            raise
        return _text(DEFAULT, key, count)


def known(key: str) -> bool:
    """Whether the Finnish (source) catalogue has a text for the key."""
    return CATALOGUES[DEFAULT].gettext(key) != key


def t(key: str, language: str | None = None, **values: object) -> str:
    """The text for a key in the language (the reader's by default), with values filled in."""
    text = _lookup(key, None, language)
    return text.format(**values) if values else text


def tn(key: str, count: int, language: str | None = None, **values: object) -> str:
    """The singular or plural of a key as the count asks (gettext ngettext); the count is the value `n` unless
    given (e.g. formatted: `tn("inbox.count", total, n=fmt.number(total))`)."""
    return _lookup(key, count, language).format(**{"n": count, **values})
