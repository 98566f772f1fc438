"""Checking and converting a batch of raw feedback rows (data/feedback_files.py's `ParsedRow`s) column by column:
each column cleaned and checked at once, repeated texts converted once, the keys and texts of all rows screened in
one pass; a row keeps the first problem in the order of the checks, so every reason, column and row number is what
a row-by-row check would give.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from board.identity import EMAIL_MASK, HETU_MASK, PHONE_MASK, Screened, screen, screen_many
from board.likert import STATEMENT_KEYS
from board.periods import HELSINKI, parse_local_or_aware
from data.feedback_files import (CHANNELS, COLLECTIONS, FALSE_WORDS, KEY_FIELDS, LANGUAGES, MAX_LENGTH, NATIVE_FIELDS,
                                 REQUIRED, SHORTEST_CONTACT, TEXT_FIELDS, TRUE_WORDS, ParsedRow, Problem, Profile,
                                 screen_raw)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SCALES = (("nps", 0, 10), *((key, 1, 5) for key in STATEMENT_KEYS))
_LEADING_INT = re.compile(r"^\s*(-?\d+)\s*(?:[-–—:.]\s*\D.*)?$")

_OFFSETS: dict[tuple[int, int, int, int], Any] = {}


def _helsinki_to_utc(moment: datetime) -> datetime:
    """A naive Helsinki wall time as naive UTC (fold=0, as parse_local_or_aware), with the hour's offset cached."""
    hour = (moment.year, moment.month, moment.day, moment.hour)
    offset = _OFFSETS.get(hour)
    if offset is None:
        if len(_OFFSETS) > 100_000:
            _OFFSETS.clear()
        offset = _OFFSETS[hour] = moment.replace(minute=0, second=0, microsecond=0, tzinfo=HELSINKI, fold=0).utcoffset()
    return moment - offset


# A received or replied time outside these years is a typo or a placeholder (Excel's 1900-01-01); the
# aggregates' Helsinki days also rely on whole-hour UTC offsets, which Helsinki has had since 1921.
PLAUSIBLE_FROM, PLAUSIBLE_UNTIL = datetime(2000, 1, 1), datetime(2100, 1, 1)


def _strptime(text: str, formats: tuple[str, ...], *, with_time: bool) -> datetime | date:
    if with_time and formats[0] == "iso" and len(text) == 19 and text[10] in "T ":
        try:
            return _helsinki_to_utc(datetime.fromisoformat(text))   # the common case: no offset, seconds
        except ValueError:
            pass
    for fmt in formats:
        try:
            if fmt == "iso":
                return parse_local_or_aware(text) if with_time else date.fromisoformat(text)
            moment = datetime.strptime(text, fmt)
            if not with_time:
                return moment.date()
            return _helsinki_to_utc(moment)
        except ValueError:
            continue
    raise ValueError(text)


def _integer(text: str, labels: dict[str, Any], low: int, high: int, column: str) -> int:
    value = int(text) if text.isdigit() and text.isascii() else labels.get(text.lower())
    if value is None:
        match = _LEADING_INT.match(text)
        if not match:
            raise _Reject(column, "import.reason.not_a_number")
        value = int(match.group(1))
    value = int(value)
    if not low <= value <= high:
        raise _Reject(column, "import.reason.out_of_range")
    return value


class _Reject(Exception):
    def __init__(self, column: str, reason: str) -> None:
        self.problem = Problem(column, reason)


def parse_row(profile: Profile, number: int, raw: dict[str, str]) -> ParsedRow:
    """Check and convert one raw row to native values; screen its texts. Units are resolved later."""
    return parse_rows(profile, [(number, raw)])[0]


def parse_rows(profile: Profile, numbered: list[tuple[int, dict[str, str]]]) -> list[ParsedRow]:
    """Check and convert many raw rows as `parse_row` does one, column by column: each column cleaned and checked
    at once, the keys and texts of all rows screened in one pass (most hold nothing to mask); a row's problem is
    the first one in the order of the checks (`_CHECKS`), whichever column finds it."""
    raws = [raw for _, raw in numbered]
    columns = {native: _clean_column(profile, [raw.get(native, "") for raw in raws]) for native in NATIVE_FIELDS}
    wanted: dict[str, None] = {}
    for native in KEY_FIELDS:
        wanted.update((text, None) for text in columns[native] if len(text) >= SHORTEST_CONTACT)
    for native in TEXT_FIELDS:
        wanted.update((text, None) for text in columns[native] if text)
    texts = list(wanted)
    screened = dict(zip(texts, screen_many(texts)))
    problems: list[Problem | None] = [None] * len(raws)
    values: dict[str, list[Any]] = {}
    for check in _CHECKS:
        check(profile, columns, screened, problems, values)
    redacted = _check_texts(columns, screened, problems, values)
    names = tuple(values)
    rows = []
    for (number, raw), problem, masked, row_values in zip(numbered, problems, redacted, zip(*values.values())):
        row = ParsedRow(number, raw)
        if problem is None:
            row.values = dict(zip(names, row_values))
            row.redacted = masked
        else:
            row.problem = problem
            # A rejected row is kept screened, so what was masked in it counts too.
            row.redacted = screen_raw(raw)[1]
        rows.append(row)
    return rows


def _clean_column(profile: Profile, cells: list[str]) -> list[str]:
    """A column's cells without control characters and surrounding space, the profile's blanks empty."""
    if "".join(cells).isprintable():
        cells = [cell.strip() for cell in cells]
    else:
        cells = [(cell if cell.isprintable() else _CONTROL.sub("", cell)).strip() for cell in cells]
    blanks = profile.empty_values
    if len(blanks) > 1:
        cells = ["" if cell.lower() in blanks else cell for cell in cells]
    return cells


# Each check reads cleaned columns and fills `values[native]` for every row (what rejected rows get is never
# used) and `problems[i]` where row i has none yet, so a row keeps its first problem in the order of _CHECKS
# (the texts last).


def _check_required(profile, columns, screened, problems, values) -> None:
    for native in REQUIRED:
        for i, text in enumerate(columns[native]):
            if not text and problems[i] is None:
                problems[i] = Problem(native, "import.reason.missing")


def _check_keys(profile, columns, screened, problems, values) -> None:
    for native in KEY_FIELDS:
        column, limit = columns[native], MAX_LENGTH[native]
        for i, text in enumerate(column):
            if len(text) < SHORTEST_CONTACT or problems[i] is not None:
                continue
            if len(text) > limit:
                problems[i] = Problem(native, "import.reason.too_long")
                continue
            try:
                _refuse_personal_key(native, text, screened.get(text) or screen(text))
            except _Reject as rejected:
                problems[i] = rejected.problem
        values[native] = [text or None for text in column]


def _by_distinct(column: list[str], convert, problems: list[Problem | None]) -> list[Any]:
    """A column converted one distinct text at a time (answers, channels and dates repeat a lot): the values in
    row order, and each row without a problem yet given its text's (convert raises _Reject; "" is None)."""
    outcome: dict[str, tuple[Any, Problem | None]] = {"": (None, None)}
    for text in set(column):
        if text:
            try:
                outcome[text] = (convert(text), None)
            except _Reject as rejected:
                outcome[text] = (None, rejected.problem)
    if any(problem for _, problem in outcome.values()):
        for i, text in enumerate(column):
            problem = outcome[text][1]
            if problem is not None and problems[i] is None:
                problems[i] = problem
    return [outcome[text][0] for text in column]


def _check_times(profile, columns, screened, problems, values) -> None:
    for native, formats, with_time, reason in (
            ("received_at", profile.datetime_formats, True, "import.reason.bad_time"),
            ("replied_at", profile.datetime_formats, True, "import.reason.bad_time"),
            ("service_date", profile.date_formats, False, "import.reason.bad_date")):
        def convert(text: str, formats=formats, with_time=with_time, native=native, reason=reason):
            try:
                moment = _strptime(text, formats, with_time=with_time)
            except ValueError:
                raise _Reject(native, reason) from None
            if with_time and not PLAUSIBLE_FROM <= moment < PLAUSIBLE_UNTIL:
                raise _Reject(native, "import.reason.implausible_time")
            return moment
        values[native] = _by_distinct(columns[native], convert, problems)


def _check_choices(profile, columns, screened, problems, values) -> None:
    for native, allowed in (("channel", CHANNELS), ("collection", COLLECTIONS), ("language", LANGUAGES)):
        def convert(text: str, labels=profile.labels(native), allowed=allowed, native=native):
            value = labels.get(text.lower(), text.lower())
            if value not in allowed:
                raise _Reject(native, "import.reason.unknown_value")
            return value
        values[native] = _by_distinct(columns[native], convert, problems)


def _check_scales(profile, columns, screened, problems, values) -> None:
    for key, low, high in _SCALES:
        def convert(text: str, labels=profile.labels(key), low=low, high=high, key=key):
            if len(text) <= 2 and text.isdigit() and text.isascii() and low <= int(text) <= high:
                return int(text)
            return _integer(text, labels, low, high, key)
        values[key] = _by_distinct(columns[key], convert, problems)


def _check_reply_requested(profile, columns, screened, problems, values) -> None:
    labels = profile.labels("reply_requested")
    outcome: dict[str, bool | None] = {}
    for text in set(columns["reply_requested"]):
        lower = text.lower()
        labelled = labels.get(lower)
        outcome[text] = (bool(labelled) if labelled is not None else True if lower in TRUE_WORDS
                         else False if lower in FALSE_WORDS else None)
    column = columns["reply_requested"]
    if None in outcome.values():
        for i, text in enumerate(column):
            if outcome[text] is None and problems[i] is None:
                problems[i] = Problem("reply_requested", "import.reason.unknown_value")
    values["reply_requested"] = [outcome[text] for text in column]


def _check_texts(columns, screened, problems, values) -> list[bool]:
    """The texts screened; per row, whether something in them was masked."""
    redacted = [False] * len(problems)
    for native in TEXT_FIELDS:
        limit = MAX_LENGTH[native]
        stored: list[str | None] = []
        for i, text in enumerate(columns[native]):
            if not text:
                stored.append(None)
                continue
            if len(text) > limit and problems[i] is None:
                problems[i] = Problem(native, "import.reason.too_long")
            result = screened.get(text) or screen(text)
            stored.append(result.text)
            redacted[i] = redacted[i] or result.redacted
        values[native] = stored
    return redacted


_CHECKS = (_check_required, _check_keys, _check_times, _check_choices, _check_scales, _check_reply_requested)


def _refuse_personal_key(native: str, text: str, found: Screened) -> None:
    """A key (source_id, service_code…) holding an identity code or a contact rejects its row: a key is
    compared and looked up, so it can't be stored masked; the kept reject holds it masked."""
    if found.identity_codes or HETU_MASK in text:
        raise _Reject(native, "import.reason.identity_code_in_key")
    if found.contacts or EMAIL_MASK in text or PHONE_MASK in text:
        raise _Reject(native, "import.reason.contact_in_key")
