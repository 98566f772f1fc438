"""The words and numbers of what Vartti writes outside a page (the report's PDF): the gettext catalogues in
locale/, and numbers and dates in the reader's locale. pages/ui/texts.py and pages/ui/format.py read the
same catalogues and formats, with the reader's language of the rerun as the default.
"""
from __future__ import annotations

from datetime import date
from gettext import GNUTranslations
from io import BytesIO
from pathlib import Path

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LANGUAGES = ("fi", "sv", "en")
DEFAULT = "fi"
LOCALE = Path(__file__).resolve().parents[1] / "locale"
LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}

# Tests set this: a key missing in the language asked for is then an error, not silently Finnish.
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


def lookup(key: str, count: int | None, language: str, *, strict: bool | None = None) -> str:
    """The text of a key in a language; Finnish (the source) where the language lacks it, unless strict."""
    try:
        return _text(language if language in CATALOGUES else DEFAULT, key, count)
    except KeyError:
        if STRICT if strict is None else strict:
            raise
        return _text(DEFAULT, key, count)


def t(key: str, language: str = DEFAULT, **values: object) -> str:
    """The text for a key in the language, with values filled in."""
    text = lookup(key, None, language)
    return text.format(**values) if values else text


def _locale(language: str) -> str:
    return LOCALES.get(language, "fi_FI")


def number(value: float | int, decimals: int = 0, language: str = DEFAULT) -> str:
    """A number rounded to `decimals` places, grouped and with the locale's decimal sign."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(round(value, decimals), format=pattern, locale=_locale(language))


def signed(value: float, decimals: int = 0, language: str = DEFAULT) -> str:
    """A change with its sign: +4, −3 (a real minus sign), ±0."""
    shown = number(abs(value), decimals, language)
    if round(value, decimals) == 0:
        return f"±{shown}"
    return f"+{shown}" if value > 0 else f"−{shown}"


def day(value: date, language: str = DEFAULT) -> str:
    """A calendar date, e.g. 23.11.2026 (23/11/2026 in English)."""
    pattern = "short" if language == "en" else "d.M.yyyy"
    return format_date(value, format=pattern, locale=_locale(language))
