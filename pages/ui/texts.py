"""The texts of the interface: gettext catalogues in locale/, looked up by key with `t(key)` and `tn(key, count)`.

The msgid of every entry is its dotted key ("huddle.nps.title"); locale/fi/LC_MESSAGES/messages.po is the source
catalogue, sv and en translate it. See "Languages" in the README.
"""
from __future__ import annotations

from data.texts import CATALOGUES, LOCALE, load  # noqa: F401  (load: the catalogues' tests use it here)
from data.texts import lookup
from pages.ui.language import DEFAULT, current

# Tests set this: a key missing in the reader's language is then an error, not silently Finnish.
STRICT = False


def _lookup(key: str, count: int | None, language: str | None) -> str:
    return lookup(key, count, language or current(), strict=STRICT)


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
