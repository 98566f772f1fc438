"""Feedback files as rows: reading CSV (UTF-8 ± BOM, Windows-1252, `,`/`;`) and .xlsx, and the
declarative import profiles (data/profiles/*.toml) that map a source system's columns, value labels
and date formats to the native fields. Adding a profile is adding a TOML file; no code.

A file is read as a stream within the county's limits (`ImportLimits`): the size of the file, the
declared unpacked size and packing ratio of a workbook, rows, columns and cell length. The first
breach refuses the whole file (FileUnusable), so nothing of it is written.

Nothing here touches the database: `data.imports` takes the parsed rows from here.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, datetime
from pathlib import Path
from typing import Any

from board.identity import EMAIL_MASK, HETU_MASK, PHONE_MASK, screen
from board.likert import STATEMENT_KEYS
from board.record_links import check_record_url
from board.periods import HELSINKI, parse_local_or_aware

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
UTF8_BOM = b"\xef\xbb\xbf"
DECODE_CHUNK = 1 << 20
ZIP_RATIO_MAX = 100         # a workbook part that unpacks to more than 100× its packed size is a bomb
ZIP_RATIO_FREE = 1 << 20    # parts smaller than this when unpacked can't hurt, whatever their ratio
SHORTEST_CONTACT = 6        # "a@b.fi"; a phone number has 7 digits, an identity code 11 characters
TRUE_WORDS = frozenset({"1", "true", "kyllä", "kylla", "k", "ja", "yes", "y", "x"})
FALSE_WORDS = frozenset({"0", "false", "ei", "e", "nej", "no", "n", ""})
_SCALES = (("nps", 0, 10), *((key, 1, 5) for key in STATEMENT_KEYS))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LEADING_INT = re.compile(r"^\s*(-?\d+)\s*(?:[-–—:.]\s*\D.*)?$")
# A well-formed UTF-8 sequence of two to four bytes (RFC 3629): the evidence that a file is UTF-8.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}")


class FileUnusable(ValueError):
    """The file can't be read as a feedback table at all; nothing is written. `reason` is a text key."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class ImportLimits:
    """How big a feedback file may be (settings VARTTI_IMPORT_MAX_*); a breach refuses the whole file."""

    max_bytes: int = 100_000_000
    max_rows: int = 1_000_000
    max_columns: int = 500
    max_cell_chars: int = 100_000
    max_unzipped_bytes: int = 500_000_000


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:g}"


def check_file_size(size: int, limits: ImportLimits) -> None:
    """Refuse a file larger than the limit (before it is read, where the caller can)."""
    if size > limits.max_bytes:
        raise FileUnusable("import.file.too_big", _megabytes(limits.max_bytes))


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


# --- Reading the table ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Table:
    """The header and the rows of a file; each row is (row number, cells). The header is row 1."""

    header: list[str]
    rows: Iterator[tuple[int, list[str]]]


def _first_bad_byte(content: bytes, encoding: str) -> int | None:
    """Where `content` stops being valid in `encoding` (None: valid throughout), decoded a chunk at a
    time so that checking a big file does not hold a second, decoded copy of it."""
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(content)
    for start in range(0, len(content), DECODE_CHUNK):
        try:
            decoder.decode(view[start:start + DECODE_CHUNK], final=start + DECODE_CHUNK >= len(content))
        except UnicodeDecodeError as problem:
            return start + problem.start
    return None


def _line_of(content: bytes, position: int) -> str:
    return str(content.count(b"\n", 0, position) + 1)


def file_encoding(content: bytes) -> str:
    """The encoding of a whole CSV file, decided on evidence: UTF-8 when it is valid UTF-8 throughout,
    Windows-1252 only when it has no UTF-8 letters at all; a file with both is refused (mixed)."""
    if b"\x00" in content[:65536]:
        raise FileUnusable("import.file.binary")
    if content.startswith(UTF8_BOM):
        bad = _first_bad_byte(content[3:], "utf-8")
        if bad is not None:
            raise FileUnusable("import.file.encoding", _line_of(content, bad + 3))
        return "utf-8-sig"
    bad = _first_bad_byte(content, "utf-8")
    if bad is None:
        return "utf-8"
    # One stray Windows-1252 byte in a UTF-8 file must not turn every ä of it into Ã¤.
    if _UTF8_MULTIBYTE.search(content):
        raise FileUnusable("import.file.mixed_encoding", _line_of(content, bad))
    bad = _first_bad_byte(content, "cp1252")
    if bad is not None:
        raise FileUnusable("import.file.encoding", _line_of(content, bad))
    return "cp1252"


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _csv_table(content: bytes, limits: ImportLimits) -> Table:
    encoding = file_encoding(content)
    first_line = content[:65536].split(b"\n", 1)[0].decode(encoding, errors="replace")
    stream = io.TextIOWrapper(io.BytesIO(content), encoding=encoding, newline="")
    reader = csv.reader(stream, delimiter=_delimiter(first_line), strict=False)

    def read(number: int) -> list[str] | None:
        # The csv module stops at a field longer than its limit while reading it, so a 25-million-
        # character cell is refused without ever being held. The limit is process-wide: it is set
        # for this one row and given back, so other readers keep theirs.
        previous = csv.field_size_limit(limits.max_cell_chars)
        try:
            return next(reader)
        except StopIteration:
            return None
        except csv.Error as problem:
            if "field larger than field limit" in str(problem):
                raise FileUnusable("import.file.cell_too_long", str(limits.max_cell_chars)) from None
            raise FileUnusable("import.file.unreadable", f"row {number}: {problem}") from None
        finally:
            csv.field_size_limit(previous)

    header = read(1)
    if header is None:
        raise FileUnusable("import.file.empty")

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 1
        while (cells := read(number + 1)) is not None:
            number += 1
            yield number, cells

    return Table(header, rows())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep="T")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_workbook_archive(content: bytes, limits: ImportLimits) -> None:
    """Refuse a zip bomb from the sizes the archive declares, before anything is unpacked. Reading
    a part never yields more than its declared size (zipfile stops there), so the check holds."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError) as problem:
        raise FileUnusable("import.file.unreadable", str(problem)[:200]) from None
    if sum(part.file_size for part in parts) > limits.max_unzipped_bytes:
        raise FileUnusable("import.file.unzipped_too_big", _megabytes(limits.max_unzipped_bytes))
    for part in parts:
        if part.file_size > ZIP_RATIO_FREE and part.file_size > ZIP_RATIO_MAX * max(part.compress_size, 1):
            raise FileUnusable("import.file.packed_too_tightly", str(ZIP_RATIO_MAX))


def _xlsx_table(content: bytes, limits: ImportLimits) -> Table:
    import openpyxl  # only when a workbook arrives

    _check_workbook_archive(content, limits)
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        # The sheet's own claim of its size (even A1:XFD1048576) is not believed: without it the
        # rows come as stored, not padded to the claimed width and length.
        sheet.reset_dimensions()
        values = sheet.iter_rows(values_only=True)
        header = [_cell(v) for v in next(values)]
    except StopIteration:
        raise FileUnusable("import.file.empty") from None
    except Exception as problem:  # openpyxl raises many kinds for a broken workbook
        raise FileUnusable("import.file.unreadable", str(problem)[:200]) from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, row in enumerate(values, start=2):
                yield number, [_cell(v) for v in row]
        finally:
            book.close()

    return Table(header, rows())


def _within_limits(cells: list[str], limits: ImportLimits) -> list[str]:
    """The row's cells, or FileUnusable when the row breaks the column or cell-length limit."""
    if len(cells) > limits.max_columns and any(cells[limits.max_columns:]):
        raise FileUnusable("import.file.too_many_columns", str(limits.max_columns))
    if cells and max(map(len, cells)) > limits.max_cell_chars:
        raise FileUnusable("import.file.cell_too_long", str(limits.max_cell_chars))
    return cells


def _limited(table: Table, limits: ImportLimits) -> Table:
    """The table read within the limits: the first row beyond them refuses the file; blank rows are skipped."""
    header = _within_limits(table.header, limits)

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, cells in table.rows:
            if number - 1 > limits.max_rows:
                raise FileUnusable("import.file.too_many_rows", str(limits.max_rows))
            _within_limits(cells, limits)
            if any(cell.strip() for cell in cells):
                yield number, cells

    return Table(header, rows())


def read_table(content: bytes, file_name: str = "", limits: ImportLimits | None = None) -> Table:
    """The header and rows of a CSV or .xlsx file, read as a stream within the limits; FileUnusable
    when it can't be read at all or breaks a limit (the rows raise it when they reach the breach)."""
    limits = limits or ImportLimits()
    check_file_size(len(content), limits)
    if not content.strip():
        raise FileUnusable("import.file.empty")
    if content.startswith(b"PK\x03\x04"):
        return _limited(_xlsx_table(content, limits), limits)
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        raise FileUnusable("import.file.unreadable", "not a workbook")
    return _limited(_csv_table(content, limits), limits)


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
    row = ParsedRow(number, raw)
    try:
        row.values = _values(profile, raw, row)
    except _Reject as rejected:
        row.problem = rejected.problem
        # A rejected row is kept screened, so what was masked in it counts too.
        row.redacted = screen_raw(raw)[1]
    return row


def _refuse_personal_key(native: str, text: str) -> None:
    """A key (source_id, service_code…) holding an identity code or a contact rejects its row: a key is
    compared and looked up, so it can't be stored masked; the kept reject holds it masked."""
    found = screen(text)
    if found.identity_codes or HETU_MASK in text:
        raise _Reject(native, "import.reason.identity_code_in_key")
    if found.contacts or EMAIL_MASK in text or PHONE_MASK in text:
        raise _Reject(native, "import.reason.contact_in_key")


def _values(profile: Profile, raw: dict[str, str], row: ParsedRow) -> dict[str, Any]:
    clean: dict[str, str] = {}
    blanks = profile.empty_values
    for key, value in raw.items():
        if not value:
            clean[key] = ""
            continue
        if not value.isprintable():
            value = _CONTROL.sub("", value)
        value = value.strip()
        clean[key] = "" if len(blanks) > 1 and value.lower() in blanks else value
    for native in REQUIRED:
        if not clean.get(native):
            raise _Reject(native, "import.reason.missing")
    values: dict[str, Any] = {}
    for native in KEY_FIELDS:
        text = clean.get(native, "")
        if len(text) > MAX_LENGTH[native]:
            raise _Reject(native, "import.reason.too_long")
        if len(text) >= SHORTEST_CONTACT:
            _refuse_personal_key(native, text)
        values[native] = text or None
    try:
        values["received_at"] = _strptime(clean["received_at"], profile.datetime_formats, with_time=True)
    except ValueError:
        raise _Reject("received_at", "import.reason.bad_time") from None
    values["replied_at"] = None
    if clean.get("replied_at"):
        try:
            values["replied_at"] = _strptime(clean["replied_at"], profile.datetime_formats, with_time=True)
        except ValueError:
            raise _Reject("replied_at", "import.reason.bad_time") from None
    values["service_date"] = None
    if clean.get("service_date"):
        try:
            values["service_date"] = _strptime(clean["service_date"], profile.date_formats, with_time=False)
        except ValueError:
            raise _Reject("service_date", "import.reason.bad_date") from None
    for native, allowed in (("channel", CHANNELS), ("collection", COLLECTIONS), ("language", LANGUAGES)):
        text = clean.get(native, "")
        value = profile.labels(native).get(text.lower(), text.lower()) if text else None
        if value is not None and value not in allowed:
            raise _Reject(native, "import.reason.unknown_value")
        values[native] = value
    for key, low, high in _SCALES:
        text = clean.get(key, "")
        if not text:
            values[key] = None
        elif len(text) <= 2 and text.isdigit() and text.isascii() and low <= int(text) <= high:
            values[key] = int(text)
        else:
            values[key] = _integer(text, profile.labels(key), low, high, key)
    text = clean.get("reply_requested", "").lower()
    labelled = profile.labels("reply_requested").get(text)
    if labelled is not None:
        values["reply_requested"] = bool(labelled)
    elif text in TRUE_WORDS:
        values["reply_requested"] = True
    elif text in FALSE_WORDS:
        values["reply_requested"] = False
    else:
        raise _Reject("reply_requested", "import.reason.unknown_value")
    for native in TEXT_FIELDS:
        text = clean.get(native, "")
        if len(text) > MAX_LENGTH[native]:
            raise _Reject(native, "import.reason.too_long")
        result = screen(text) if text else None
        values[native] = result.text if result else None
        row.redacted = row.redacted or bool(result and result.redacted)
    return values
