"""The rules of the house that code review would miss: read every module's syntax tree."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FORBIDDEN_IMPORTS = {
    "board": {"streamlit", "sqlalchemy", "sqlmodel", "msal", "pandas", "altair"},
    "data": {"streamlit", "pages"},  # the command line and jobs run without the pages (report18: the PDF)
    # auth/ is a lower layer than data/ and pages/: the arrows run one way (the sign-in gate is pages/ui/gate.py).
    "auth": {"streamlit", "data", "pages"},
}

# A module a newcomer can read in one sitting; catalogues, demo content and migrations are data, not code.
MOST_LINES = 400
LONG_BY_NATURE = {"data/demo_content.py", "pages/ui/texts.py"}
LONG_BY_NATURE_DIRS = ("data/migrations/",)
# Not split yet (issue 13): this list only shrinks.
STILL_TO_SPLIT: set[str] = set()

# board/ never reads the clock: `now` and `today` are arguments.
CLOCK_READS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today")} | {
    ("time", name) for name in ("time", "time_ns", "monotonic", "perf_counter")
}


def _python_files(directory):
    return sorted((ROOT / directory).rglob("*.py"))


def _tree(path):
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imported_modules(tree):
    """Top-level names of the modules a syntax tree imports, statically or by name."""
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and _called_name(node.func) in {"__import__", "import_module"}:
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                modules.add(node.args[0].value.split(".")[0])
    return modules


def clock_reads(tree):
    """The calls in a syntax tree that read the clock, such as datetime.now() or date.today()."""
    reads = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = _called_name(node.func.value)
            if (owner, node.func.attr) in CLOCK_READS:
                reads.append(f"line {node.lineno}: {owner}.{node.func.attr}()")
    return reads


def _called_name(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def test_board_has_modules_to_check():
    names = {path.name for path in _python_files("board")}
    assert {"periods.py", "nps.py", "likert.py", "replies.py", "stages.py", "privacy.py"} <= names


@pytest.mark.parametrize("path", _python_files("board"), ids=lambda path: path.name)
def test_board_imports_no_framework_storage_or_ui_library(path):
    assert not imported_modules(_tree(path)) & FORBIDDEN_IMPORTS["board"]


@pytest.mark.parametrize("path", _python_files("board"), ids=lambda path: path.name)
def test_board_never_reads_the_clock(path):
    assert clock_reads(_tree(path)) == []


def test_data_never_imports_streamlit_or_pages():
    # data/ is written alongside board/; whatever modules exist there are checked.
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_modules(_tree(path)) & FORBIDDEN_IMPORTS["data"])
        for path in _python_files("data")
    }
    assert {path: modules for path, modules in offenders.items() if modules} == {}


def test_auth_imports_neither_data_nor_pages_nor_streamlit():
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_modules(_tree(path)) & FORBIDDEN_IMPORTS["auth"])
        for path in _python_files("auth")
    }
    assert {path: modules for path, modules in offenders.items() if modules} == {}


def test_there_is_no_data_services_module_that_holds_every_use_case():
    # One module per area of the business (data/huddle.py, data/inbox.py, data/handling.py, …).
    assert not (ROOT / "data" / "services.py").exists()


def _app_modules():
    paths = [ROOT / "app.py"]
    for directory in ("auth", "board", "data", "pages"):
        paths += _python_files(directory)
    return [str(path.relative_to(ROOT)) for path in paths]


def _lines(relative):
    return len((ROOT / relative).read_text(encoding="utf-8").splitlines())


def test_no_module_of_the_app_is_longer_than_a_sitting():
    long = {
        relative: _lines(relative) for relative in _app_modules()
        if relative not in LONG_BY_NATURE and not relative.startswith(LONG_BY_NATURE_DIRS)
        and _lines(relative) > MOST_LINES
    }
    assert set(long) <= STILL_TO_SPLIT, {k: v for k, v in long.items() if k not in STILL_TO_SPLIT}


def test_a_module_split_is_struck_off_the_list_still_to_split():
    assert {relative for relative in STILL_TO_SPLIT if _lines(relative) <= MOST_LINES} == set()


@pytest.mark.parametrize(
    ("source", "module"),
    [
        ("import streamlit as st", "streamlit"),
        ("import streamlit.components.v1", "streamlit"),
        ("from sqlalchemy import select", "sqlalchemy"),
        ("from sqlmodel import Session", "sqlmodel"),
        ("import msal", "msal"),
        ("def f():\n    import pandas as pd", "pandas"),
        ("import importlib\naltair = importlib.import_module('altair')", "altair"),
        ("st = __import__('streamlit')", "streamlit"),
    ],
)
def test_the_import_check_sees_every_way_of_importing(source, module):
    assert module in imported_modules(ast.parse(source))


def test_the_import_check_ignores_relative_and_standard_library_imports():
    source = "from . import streamlit\nfrom datetime import datetime\nimport zoneinfo"
    assert imported_modules(ast.parse(source)) == {"datetime", "zoneinfo"}


@pytest.mark.parametrize(
    "source",
    [
        "from datetime import datetime\ndatetime.now()",
        "from datetime import datetime, UTC\ndatetime.now(UTC)",
        "import datetime\ndatetime.datetime.now()",
        "import datetime as dt\ndt.datetime.utcnow()",
        "from datetime import date\ndate.today()",
        "import datetime\ndatetime.date.today()",
        "from datetime import datetime\ndatetime.today()",
        "import time\ntime.time()",
    ],
)
def test_the_clock_check_sees_every_way_of_reading_the_clock(source):
    assert clock_reads(ast.parse(source))


def test_the_clock_check_allows_arguments_named_now_and_today():
    source = "def f(now, today, moment):\n    return now.date(), today.isoformat(), moment.replace(day=1)"
    assert clock_reads(ast.parse(source)) == []
