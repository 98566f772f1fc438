"""Numbers, dates and times in the reader's locale (decimal comma in Finnish and Swedish), Helsinki time."""
from __future__ import annotations

from datetime import date, datetime, timezone

from babel.dates import format_date, format_time

from board.periods import HELSINKI
from data import texts
from pages.ui.language import current

LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}


def _locale(language: str | None) -> str:
    return LOCALES.get(language or current(), "fi_FI")


def number(value: float | int, decimals: int = 0, language: str | None = None) -> str:
    """A number rounded to `decimals` places, grouped and with the locale's decimal sign."""
    return texts.number(value, decimals, language or current())


def signed(value: float, decimals: int = 0, language: str | None = None) -> str:
    """A change with its sign: +4, −3 (a real minus sign), ±0."""
    return texts.signed(value, decimals, language or current())


def day(value: date, language: str | None = None) -> str:
    """A calendar date, e.g. 23.11.2026."""
    return texts.day(value, language or current())


def short_day(value: date, language: str | None = None) -> str:
    """A day without its year, e.g. 16.11. (16 Nov in English)."""
    pattern = "d MMM" if (language or current()) == "en" else "d.M."
    return format_date(value, format=pattern, locale=_locale(language))


def weekday_and_day(value: date, language: str | None = None) -> str:
    """A date with its weekday, e.g. maanantai 23.11.2026."""
    pattern = "cccc dd/MM/yyyy" if (language or current()) == "en" else "cccc d.M.yyyy"
    return format_date(value, format=pattern, locale=_locale(language))


def date_entry(language: str | None = None) -> str:
    """The format of a date_input's field in the language: DD.MM.YYYY, or DD/MM/YYYY in English."""
    return "DD/MM/YYYY" if (language or current()) == "en" else "DD.MM.YYYY"


def clock(moment_utc: datetime, language: str | None = None) -> str:
    """The Helsinki wall-clock time of a naive-UTC moment, e.g. 8.05."""
    aware = moment_utc.replace(tzinfo=timezone.utc)
    return format_time(aware, format="short", tzinfo=HELSINKI, locale=_locale(language))
