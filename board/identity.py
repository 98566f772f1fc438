"""Screening free text before it is stored: personal identity codes, e-mail addresses, phone numbers.

A henkilötunnus is DDMMYY, a century sign (`+` 1800s; `-YXWVU` 1900s; `ABCDEF` 2000s, the signs
after `-` and `A` added in 2023), a three-digit individual number (900–999: a temporary code) and a
check character. Only candidates that python-stdnum validates (date and check character) are
masked, so dates, amounts and phone-like numbers are left alone. Lower case counts too, and so do
the dashes a word processor puts in place of the hyphen.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum.fi import hetu

HETU_MASK = "[henkilötunnus]"
EMAIL_MASK = "[sähköposti]"
PHONE_MASK = "[puhelinnumero]"

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212"
_HETU = re.compile(
    r"(?<![0-9A-Za-z])(\d{6})([-+" + _DASHES + r"A-FU-Ya-fu-y])(\d{3})([0-9A-Ya-y])(?![0-9A-Za-z])")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
# A phone number: an international prefix or a leading zero, then digit groups separated by a
# space or a hyphen; 7–13 digits in all. A date (dots), an amount (decimal comma) or a plain
# running number without a leading zero is not one.
_PHONE = re.compile(r"(?<![\w.,/+(-])(?:\(0\d{1,3}\) ?|\+|00)?\d[\d \-]{5,18}\d(?![\w.,/]*\d)")
PHONE_DIGITS = (7, 13)
_MAY_HOLD = re.compile(r"[0-9@]")


@dataclass(frozen=True)
class Screened:
    """A text after screening and how many codes, addresses and numbers were masked."""

    text: str
    identity_codes: int = 0
    contacts: int = 0

    @property
    def redacted(self) -> bool:
        return bool(self.identity_codes or self.contacts)


def is_identity_code(candidate: str) -> bool:
    """Whether a string is a valid henkilötunnus (any case, any dash, temporary codes included)."""
    match = _HETU.fullmatch(candidate.strip())
    return match is not None and _valid(match)


def _valid(match: re.Match) -> bool:
    sign = match.group(2)
    sign = "-" if sign in _DASHES else sign.upper()
    code = f"{match.group(1)}{sign}{match.group(3)}{match.group(4).upper()}"
    try:
        hetu.validate(code, allow_temporary=True)
    except Exception:  # stdnum raises its own ValidationError family for every kind of invalid code
        return False
    return True


def mask_identity_codes(text: str) -> tuple[str, int]:
    """The text with every valid henkilötunnus replaced by HETU_MASK, and how many there were."""
    found = 0

    def replace(match: re.Match) -> str:
        nonlocal found
        if _valid(match):
            found += 1
            return HETU_MASK
        return match.group(0)

    return _HETU.sub(replace, text), found


def _is_phone(candidate: str) -> bool:
    digits = sum(ch.isdigit() for ch in candidate)
    if not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]:
        return False
    return candidate.startswith(("+", "00", "0", "(0"))


def mask_contacts(text: str) -> tuple[str, int]:
    """The text with e-mail addresses and phone numbers masked, and how many there were."""
    found = 0

    def email(match: re.Match) -> str:
        nonlocal found
        found += 1
        return EMAIL_MASK

    def phone(match: re.Match) -> str:
        nonlocal found
        if _is_phone(match.group(0)):
            found += 1
            return PHONE_MASK
        return match.group(0)

    text = _EMAIL.sub(email, text)
    return _PHONE.sub(phone, text), found


def screen(text: str) -> Screened:
    """Free text as it may be stored: identity codes first, then e-mail addresses and phone numbers."""
    if not text or not _MAY_HOLD.search(text):
        return Screened(text)   # no digit and no @: nothing to mask (most feedback)
    masked, codes = mask_identity_codes(text)
    masked, contacts = mask_contacts(masked)
    return Screened(masked, codes, contacts)


def has_identity_code(text: str) -> bool:
    """Whether any valid henkilötunnus occurs in the text."""
    return mask_identity_codes(text)[1] > 0
