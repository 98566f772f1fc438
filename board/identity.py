"""Screening free text before it is stored: personal identity codes, e-mail addresses, phone numbers.

A henkilötunnus is DDMMYY, a century sign (`+` 1800s; `-YXWVU` 1900s; `ABCDEF` 2000s, the signs
after `-` and `A` added in 2023), a three-digit individual number (900–999: a temporary code) and a
check character. Only candidates that python-stdnum validates (date and check character) are
masked, so dates, amounts and phone-like numbers are left alone. Lower case counts too, and so do
the dashes a word processor puts in place of the hyphen.

Text is folded before it is screened (`fold`): Unicode NFKC (full-width digits and letters become
plain ones), soft hyphens and zero-width characters taken out, digits of any script made ASCII. A
text in which nothing is found is kept as it was typed; a text with a mask is kept folded.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

from stdnum.fi import hetu

HETU_MASK = "[henkilötunnus]"
EMAIL_MASK = "[sähköposti]"
PHONE_MASK = "[puhelinnumero]"

MASKS = (HETU_MASK, EMAIL_MASK, PHONE_MASK)

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212"
# Soft hyphen, zero-width space/non-joiner/joiner, word joiner, BOM (invisible, and they split a code),
# and a digit of another script than ASCII.
_UNFOLDED = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]|[^\D0-9]")
# Letters may touch a code ("hetu131052-308T"), digits may not: then it is part of a longer number.
_HETU = re.compile(
    r"(?<![0-9])(\d{6})([-+" + _DASHES + r"A-FU-Ya-fu-y])(\d{3})([0-9A-Ya-y])(?![0-9])")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
# A phone number: an optional prefix (a country code with or without "+"/"00", perhaps followed by the
# trunk zero in brackets as in +358 (0)40…; an area code in brackets; an area code and a slash as in
# 040/123…), then digit groups separated by a space or a hyphen. `_is_phone` then asks for 7–13 digits
# and a start that only a phone number has, so a date (dots), an amount (decimal comma) or a running
# number without a leading zero is not one.
_PHONE = re.compile(
    r"(?<![\w.,/+(-])"
    r"(?:(?:\+|00)?\d{1,3} ?\(0\) ?|\+\d{1,3}[ -]?|\(0\d{1,3}\) ?|0\d{1,3} ?/ ?)?"
    r"\d(?:[ -]?\d){5,12}(?![\w.,/]*\d)")
PHONE_DIGITS = (7, 13)
PHONE_STARTS = ("+", "00", "0", "(0", "358")
_DIGIT = re.compile(r"[0-9]")
# What a public text must not hold even when no rule above is sure: anything shaped like an identity
# code (a wrong check character is still someone's code), an "@", or a long run of digits.
_SUSPICIOUS = re.compile(r"\d{6}[-+" + _DASHES + r"A-FU-Ya-fu-y]\d{3}|@|\d{7,}")


@dataclass(frozen=True)
class Screened:
    """A text after screening and how many codes, addresses and numbers were masked."""

    text: str
    identity_codes: int = 0
    contacts: int = 0

    @property
    def redacted(self) -> bool:
        return bool(self.identity_codes or self.contacts)


def fold(text: str) -> str:
    """The text as it is screened: NFKC, without soft hyphens or zero-width characters, ASCII digits."""
    if text.isascii():
        return text
    return _UNFOLDED.sub(_folded_char, unicodedata.normalize("NFKC", text))


def _folded_char(match: re.Match) -> str:
    char = match.group()
    return str(unicodedata.decimal(char)) if char.isdecimal() else ""


def is_identity_code(candidate: str) -> bool:
    """Whether a string is a valid henkilötunnus (any case, any dash, temporary codes included)."""
    match = _HETU.fullmatch(fold(candidate).strip())
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
    if candidate.startswith("358"):
        return digits >= 11   # a Finnish number with the country code but without "+": 358 40 1234567
    return candidate.startswith(PHONE_STARTS)


def _mask_phones(text: str) -> tuple[str, int]:
    """Phone numbers masked; a run that is not one is searched again from its next digit group, so
    "klo 14 0401234567" still gives up its number."""
    parts, found, position, start = [], 0, 0, 0
    while match := _PHONE.search(text, position):
        if _is_phone(match.group(0)):
            parts += [text[start:match.start()], PHONE_MASK]
            found += 1
            position = start = match.end()
        else:
            position = match.start() + 1
    parts.append(text[start:])
    return "".join(parts), found


def mask_contacts(text: str) -> tuple[str, int]:
    """The text with e-mail addresses and phone numbers masked, and how many there were."""
    found = 0

    def email(match: re.Match) -> str:
        nonlocal found
        found += 1
        return EMAIL_MASK

    text = _EMAIL.sub(email, text)
    text, phones = _mask_phones(text)
    return text, found + phones


def screen(text: str) -> Screened:
    """Free text as it may be stored: identity codes first, then e-mail addresses and phone numbers."""
    if not text:
        return Screened(text)
    folded = fold(text)
    if "@" not in folded and len(_DIGIT.findall(folded)) < PHONE_DIGITS[0]:
        # No @ and fewer digits than the shortest phone number (a code has nine): nothing to mask (most feedback).
        return Screened(text)
    masked, codes = mask_identity_codes(folded)
    masked, contacts = mask_contacts(masked)
    if not (codes or contacts):
        return Screened(text)   # nothing found: kept exactly as written, unfolded
    return Screened(masked, codes, contacts)


# Texts screened together are joined by a character no stored text holds (control characters are taken
# out of every cell before screening), which neither NFKC nor the folding joins to its neighbours.
_JOIN = "\x00"
# A text worth the full screen: an "@", or seven digits (the fewest a phone number has; a code has nine).
_CANDIDATE = re.compile(r"@|[0-9](?:[^0-9\x00]*[0-9]){%d}" % (PHONE_DIGITS[0] - 1))


def screen_many(texts: list[str]) -> list[Screened]:
    """Many texts screened as `screen` screens each: one pass of one pattern over them all finds the few
    that hold an "@" or enough digits to hide a code or number, one pass of each mask's own pattern over
    those finds the ones it would change, and only those are screened in full."""
    if not texts:
        return []
    if any(_JOIN in text for text in texts):
        return [screen(text) for text in texts]
    joined = _JOIN.join(texts)
    folded = fold(joined)
    parts = texts if folded == joined else folded.split(_JOIN)
    found = [Screened(text) for text in texts]
    candidates = sorted(_texts_matching(_CANDIDATE, folded, parts))
    if not candidates:
        return found
    # A text in which no mask's pattern matches at all comes out of `screen` as it went in.
    inner = [parts[i] for i in candidates]
    joined_inner = _JOIN.join(inner)
    touched: set[int] = set()
    for pattern in (_HETU, _EMAIL, _PHONE):
        touched |= _texts_matching(pattern, joined_inner, inner)
    for position in touched:
        index = candidates[position]
        found[index] = screen(texts[index])
    return found


def _texts_matching(pattern: re.Pattern, joined: str, parts: list[str]) -> set[int]:
    """The indexes of the parts (joined by _JOIN into `joined`) in which the pattern matches."""
    starts, position = [], 0
    for part in parts:
        starts.append(position)
        position += len(part) + 1
    return {bisect_right(starts, match.start()) - 1 for match in pattern.finditer(joined)}


def has_identity_code(text: str) -> bool:
    """Whether any valid henkilötunnus occurs in the text."""
    return mask_identity_codes(fold(text))[1] > 0


def looks_personal(text: str | None) -> bool:
    """Whether a text holds a mask, an identity code or contact, or something shaped like one: what may not be published."""
    if not text:
        return False
    folded = fold(text)
    return (any(mask in folded for mask in MASKS) or screen(folded).redacted
            or _SUSPICIOUS.search(folded) is not None)
