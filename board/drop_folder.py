"""The drop folder's rules: which files are ready to take, where a taken file goes, and its new name there.

Pure: the caller passes what the file system said (names, sizes, modification times) and the moment.
"""
from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from pathlib import PurePath

DONE, PARTIAL, UNREADABLE = "done", "partial", "unreadable"
OUTCOME_FOLDERS = (DONE, PARTIAL, UNREADABLE)
# A file that changed within this many seconds may still be being written (an SFTP upload, a kiosk export).
SETTLE_SECONDS = 5.0
# Names a writer uses while a file is not complete yet (WinSCP: .filepart; curl, rsync: .part, .tmp).
UNFINISHED_ENDINGS = (".part", ".tmp", ".filepart", ".partial", ".crdownload")


@dataclass(frozen=True)
class Seen:
    """A file in the folder as the file system described it."""

    name: str
    size: int
    modified: float   # seconds since the epoch


def is_unfinished_name(name: str) -> bool:
    """A hidden file (an rsync temporary, our lock) or one ending in .part/.tmp is still being written."""
    return name.startswith(".") or name.lower().endswith(UNFINISHED_ENDINGS)


def is_settled(seen: Seen, now: float, settle: float = SETTLE_SECONDS) -> bool:
    """A file is taken only when it has not changed for `settle` seconds (a file dated in the future waits too)."""
    return now - seen.modified >= settle


def ready_files(files: list[Seen], now: float, settle: float = SETTLE_SECONDS) -> list[Seen]:
    """The files to take, oldest first (by modification time, then name): complete and unchanged for a while."""
    ready = [f for f in files if not is_unfinished_name(f.name) and is_settled(f, now, settle)]
    return sorted(ready, key=lambda f: (f.modified, f.name))


def unchanged(before: Seen, after: Seen) -> bool:
    """Whether a file stayed the same while it was read (else a writer is still at it: not taken now)."""
    return (before.size, before.modified) == (after.size, after.modified)


def outcome_folder(*, rejected: int, conflicts: int) -> str:
    """All rows inserted or duplicates: done/; some rejected or in conflict: partial/."""
    return DONE if rejected == 0 and conflicts == 0 else PARTIAL


def free_name(name: str, taken: Container[str]) -> str:
    """The file's name in its new folder; a name already there gets a number: palaute.csv → palaute (2).csv."""
    if name not in taken:
        return name
    path = PurePath(name)
    stem, suffix = (path.stem, path.suffix) if path.stem else (name, "")
    number = 2
    while f"{stem} ({number}){suffix}" in taken:
        number += 1
    return f"{stem} ({number}){suffix}"
