"""Reading a feedback file as a table: CSV (UTF-8 ± BOM, Windows-1252, `,`/`;`/tab) and .xlsx.

A file is read as a stream within the county's limits (`ImportLimits`): the size of the file, the
declared unpacked size and packing ratio of a workbook, rows, columns and cell length. The first
breach refuses the whole file (FileUnusable), so nothing of it is written.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

UTF8_BOM = b"\xef\xbb\xbf"
DECODE_CHUNK = 1 << 20
ZIP_RATIO_MAX = 100         # a workbook part that unpacks to more than 100× its packed size is a bomb
ZIP_RATIO_FREE = 1 << 20    # parts smaller than this when unpacked can't hurt, whatever their ratio
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

