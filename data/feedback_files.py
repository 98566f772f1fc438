"""Feedback files as rows: the declarative import profiles (data/profiles/*.toml) that map a source
system's columns, value labels and date formats to the native fields, and parsing a row with them.
Adding a profile is adding a TOML file; no code. Reading the file itself, within the county's limits,
is data/file_reading.py.

Nothing here touches the database: `data.imports` takes the parsed rows from here.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, datetime
from pathlib import Path
from typing import Any

from board.identity import EMAIL_MASK, HETU_MASK, PHONE_MASK, Screened, screen, screen_many
from board.likert import STATEMENT_KEYS
from board.record_links import check_record_url
from board.periods import HELSINKI, parse_local_or_aware
from data.file_reading import FileUnusable

PROFILES = Path(__file__).with_name("profiles")
CHANNELS = ("toimipiste", "verkko", "chat_video", "puhelin", "kotikaynti")
COLLECTIONS = ("web", "kiosk", "sms", "tablet", "email", "phone", "paper", "social")
LANGUAGES = ("fi", "sv", "en")
TEXT_FIELDS = ("open_answer", "free_text")
KEY_FIELDS = ("source", "source_id", "unit_code", "service_code")
REQUIRED = ("source", "source_id", "unit_code", "received_at")
NATIVE_FIELDS = ("source", "source_id", "unit_code", "received_at", "service_date", "channel", "collection",
                 "nps", *STATEMENT_KEYS, "open_answer", "free_text", "reply_requested", "replied_at",
                 "service_code", "language")
MAX_LENGTH = {"source": 40, "source_id": 200, "unit_code": 200, "service_code": 40,
              "open_answer": 10_000, "free_text": 10_000}
REJECT_CELL_KEPT = 200      # a kept reject holds at most this much of a field without a maximum of its own
CUT_MARK = "…"
SHORTEST_CONTACT = 6        # "a@b.fi"; a phone number has 7 digits, an identity code 11 characters
TRUE_WORDS = frozenset({"1", "true", "kyllä", "kylla", "k", "ja", "yes", "y", "x"})
FALSE_WORDS = frozenset({"0", "false", "ei", "e", "nej", "no", "n", ""})
_SCALES = (("nps", 0, 10), *((key, 1, 5) for key in STATEMENT_KEYS))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LEADING_INT = re.compile(r"^\s*(-?\d+)\s*(?:[-–—:.]\s*\D.*)?$")


class UnknownProfile(LookupError):
    """No profile file has this name."""


@dataclass(frozen=True)
class Profile:
    """How one source system's export maps to the native fields."""

    name: str
    description: str
    columns: dict[str, tuple[str, ...]]
    constants: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    unit_by: str = "code"
    datetime_formats: tuple[str, ...] = ("iso",)
    date_formats: tuple[str, ...] = ("iso",)
    empty_values: frozenset[str] = frozenset({""})
    notes: tuple[str, ...] = ()
    record_url: str | None = None       # a link template to each record in the source (board/record_links.py)

    @property
    def source(self) -> str | None:
        return self.constants.get("source")

    def labels(self, native: str) -> dict[str, Any]:
        """The value labels for a field (lower case), statements sharing those of "likert"."""
        return self._labels.get(native, {})

    @cached_property
    def _labels(self) -> dict[str, dict[str, Any]]:
        shared = self.values.get("likert", {})
        return {native: {**(shared if native in STATEMENT_KEYS else {}), **self.values.get(native, {})}
                for native in NATIVE_FIELDS}


def profile_names() -> list[str]:
    """The names of the shipped profiles, native first."""
    names = sorted(p.stem for p in PROFILES.glob("*.toml"))
    return sorted(names, key=lambda name: name != "native")


def load_profile(name: str) -> Profile:
    """The profile data/profiles/NAME.toml."""
    if not re.fullmatch(r"[a-z0-9_]{1,40}", name or "") or not (PROFILES / f"{name}.toml").is_file():
        raise UnknownProfile(name)
    raw = tomllib.loads((PROFILES / f"{name}.toml").read_text(encoding="utf-8"))
    constants = {key: str(value) for key, value in raw.get("constants", {}).items()}
    if raw.get("source"):
        constants["source"] = str(raw["source"])
    unknown = (set(raw.get("columns", {})) | set(constants)) - set(NATIVE_FIELDS)
    if unknown:
        raise ValueError(f"profile {name}: unknown native fields {sorted(unknown)}")
    return Profile(
        name=raw.get("name", name),
        description=raw.get("description", name),
        columns={native: tuple(headers) for native, headers in raw.get("columns", {}).items()},
        constants=constants,
        values={native: {str(label).strip().lower(): value for label, value in labels.items()}
                for native, labels in raw.get("values", {}).items()},
        unit_by=raw.get("unit_by", "code"),
        datetime_formats=tuple(raw.get("datetime_formats", ["iso"])),
        date_formats=tuple(raw.get("date_formats", ["iso"])),
        empty_values=frozenset(v.strip().lower() for v in raw.get("empty_values", [""])) | {""},
        notes=tuple(raw.get("notes", [])),
        record_url=check_record_url(raw["record_url"], name) if "record_url" in raw else None,
    )




# --- Columns and values --------------------------------------------------------------------------

@dataclass(frozen=True)
class ColumnMap:
    """Which cell of a row feeds which native field."""

    positions: dict[str, int]
    width: int

    def raw(self, cells: list[str], constants: dict[str, str]) -> dict[str, str]:
        """A row as native field → cell text (constants of the profile filled in)."""
        if len(cells) >= self.width:
            values = {native: cells[position] for native, position in self.positions.items()}
        else:
            values = {native: cells[position] if position < len(cells) else ""
                      for native, position in self.positions.items()}
        if constants:
            values.update(constants)
        return values


def map_columns(profile: Profile, header: list[str]) -> ColumnMap:
    """Match the header to the profile; a missing required column makes the file unusable."""
    found = {name.strip().lstrip("\ufeff").strip().lower(): i for i, name in reversed(list(enumerate(header)))}
    positions: dict[str, int] = {}
    for native, names in profile.columns.items():
        for name in names:
            if name.strip().lower() in found:
                positions[native] = found[name.strip().lower()]
                break
    missing = [n for n in REQUIRED if n not in positions and n not in profile.constants]
    if missing:
        wanted = [profile.columns.get(n, (n,))[0] for n in missing]
        raise FileUnusable("import.file.missing_columns", ", ".join(wanted))
    return ColumnMap(positions, len(header))


@dataclass(frozen=True)
class Problem:
    """Why a row can't be stored: the native field (column) and a reason key `import.reason.*`."""

    column: str
    reason: str


@dataclass
class ParsedRow:
    """A row's native values ready to store (texts screened), or its problem."""

    number: int
    raw: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    problem: Problem | None = None
    redacted: bool = False


def screen_raw(raw: dict[str, str]) -> tuple[dict[str, str], bool]:
    """Every cell of a raw row screened (what a kept reject may hold), and whether anything was masked."""
    screened, redacted = {}, False
    for key, value in raw.items():
        result = screen(value or "")
        screened[key] = result.text
        redacted = redacted or result.redacted
    return screened, redacted


def reject_data(raw: dict[str, str]) -> dict[str, str]:
    """A rejected row as it is kept and shown: screened, and each cell cut just past what its field may
    hold (marked with …), so a kept reject stays small and a cut cell stays rejected until corrected."""
    screened, _ = screen_raw(raw)
    return {key: _cut(value, MAX_LENGTH.get(key, REJECT_CELL_KEPT)) for key, value in screened.items()}


def _cut(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[:limit] + CUT_MARK


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
                return _strptime(text, formats, with_time=with_time)
            except ValueError:
                raise _Reject(native, reason) from None
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
