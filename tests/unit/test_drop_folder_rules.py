"""The drop folder's rules (board/drop_folder.py): which files are ready, where a file goes, its new name."""
from __future__ import annotations

import pytest

from board.drop_folder import (
    DONE,
    PARTIAL,
    Seen,
    free_name,
    is_settled,
    is_unfinished_name,
    outcome_folder,
    ready_files,
    unchanged,
)

NOW = 1_800_000_000.0


@pytest.mark.parametrize("name, unfinished", [
    ("palaute.csv", False),
    ("palaute.xlsx", False),
    ("palaute.csv.part", True),
    ("palaute.csv.PART", True),
    ("palaute.tmp", True),
    ("palaute.csv.filepart", True),
    (".palaute.csv.Ab12Cd", True),
    (".vartti-import-dir.lock", True),
])
def test_a_hidden_file_or_one_ending_in_part_or_tmp_is_still_being_written(name, unfinished):
    assert is_unfinished_name(name) is unfinished


@pytest.mark.parametrize("age, settled", [(0, False), (4.9, False), (5, True), (3600, True), (-60, False)],
                         ids=["just written", "4.9 s ago", "5 s ago", "an hour ago", "dated in the future"])
def test_a_file_is_taken_only_when_it_has_not_changed_for_five_seconds(age, settled):
    assert is_settled(Seen("a.csv", 10, NOW - age), NOW) is settled


def test_ready_files_are_the_settled_finished_ones_oldest_first():
    files = [Seen("c.csv", 1, NOW - 100), Seen("a.csv", 1, NOW - 300), Seen("b.csv", 1, NOW - 300),
             Seen("d.csv.part", 1, NOW - 900), Seen("e.csv", 1, NOW - 1)]
    assert [f.name for f in ready_files(files, NOW)] == ["a.csv", "b.csv", "c.csv"]


@pytest.mark.parametrize("after, same", [
    (Seen("a.csv", 10, NOW), True),
    (Seen("a.csv", 11, NOW), False),
    (Seen("a.csv", 10, NOW + 1), False),
], ids=["same", "grew", "touched"])
def test_a_file_that_changed_while_it_was_read_is_not_taken(after, same):
    assert unchanged(Seen("a.csv", 10, NOW), after) is same


@pytest.mark.parametrize("rejected, conflicts, folder", [(0, 0, DONE), (1, 0, PARTIAL), (0, 2, PARTIAL)])
def test_a_file_goes_to_done_when_every_row_was_taken_else_to_partial(rejected, conflicts, folder):
    assert outcome_folder(rejected=rejected, conflicts=conflicts) == folder


@pytest.mark.parametrize("name, taken, new", [
    ("palaute.csv", set(), "palaute.csv"),
    ("palaute.csv", {"palaute.csv"}, "palaute (2).csv"),
    ("palaute.csv", {"palaute.csv", "palaute (2).csv"}, "palaute (3).csv"),
    ("README", {"README"}, "README (2)"),
    ("a.tar.gz", {"a.tar.gz"}, "a.tar (2).gz"),
])
def test_a_name_already_in_the_target_folder_gets_a_number(name, taken, new):
    assert free_name(name, taken) == new
