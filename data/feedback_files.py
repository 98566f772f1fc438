"""Feedback files as rows: the declarative import profiles (data/profiles/*.toml) that map a source
system's columns, value labels and date formats to the native fields, and the rows they give (checked and
converted in data/feedback_checks.py).
Adding a profile is adding a TOML file; no code. Reading the file itself, within the county's limits,
is data/file_reading.py.

Nothing here touches the database: `data.imports` takes the parsed rows from here.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from board.identity import screen
from board.likert import STATEMENT_KEYS
from board.record_links import check_record_url
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
