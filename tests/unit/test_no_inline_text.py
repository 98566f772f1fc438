"""House rule: the pages and app.py show only catalogue texts, never words written inline."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([ROOT / "app.py", *(ROOT / "pages").glob("*.py"),
                  *(p for p in (ROOT / "pages" / "ui").glob("*.py") if p.name != "texts.py")])

# Streamlit calls that put their first argument, or these keywords, on the screen.
SHOWN = {"title", "header", "subheader", "write", "markdown", "caption", "text", "button", "info", "warning",
         "error", "success", "toast", "metric", "selectbox", "radio", "text_input", "text_area", "number_input",
         "date_input", "time_input", "checkbox", "toggle", "form_submit_button", "expander", "popover",
         "multiselect", "segmented_control", "pills", "link_button", "download_button", "page_link", "Page",
         "dialog", "data_editor", "slider", "select_slider", "file_uploader", "status", "spinner"}
KEYWORDS = {"label", "title", "help", "placeholder", "caption", "value", "alt"}
LOGGERS = {"LOG", "log", "logger", "logging"}  # LOG.warning(...) goes to the server's log, not the screen
WORD = re.compile(r"[^\W\d_]{2,}")  # two letters in a row: a word, not "·", "–", "**" or "({n})"


def _inline_words(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(part.value for part in node.values if isinstance(part, ast.Constant))
    else:
        return None
    # Markdown colour directives and Material icon names are not words a reader reads.
    text = re.sub(r":\w+\[|:material/\w+:", "", text)
    return text if WORD.search(text) else None


def inline_texts(source: str) -> list[str]:
    """Each literal with words given to a Streamlit call that shows it, as 'line N: text'."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SHOWN):
            continue
        if isinstance(node.func.value, ast.Name) and node.func.value.id in LOGGERS:
            continue
        # The first argument of a Page, and of a page_link, is a page's file, not a text.
        first = node.args[:1] if node.func.attr not in {"Page", "page_link"} else []
        shown = first + [k.value for k in node.keywords if k.arg in KEYWORDS]
        found += [f"line {node.lineno}: {text!r}" for arg in shown if (text := _inline_words(arg))]
    return found


def test_there_are_pages_to_check():
    assert len(SOURCES) > 8


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_page_shows_no_text_written_inline(path):
    assert inline_texts(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("source", [
    'st.title("Palautteet")',
    'st.button(label="Tallenna")',
    'st.write(f"Yhteensä {n}")',
    'st.sidebar.markdown("**Huom!**")',
    'st.text_input(t("x"), placeholder="esim. ajanvaraus")',
])
def test_the_check_finds_inline_words(source):
    assert inline_texts(source) != []


@pytest.mark.parametrize("source", [
    'st.title(t("kanban.title", unit=name))',
    'st.markdown(f"**{inert(title)}**  \\n{detail}")',
    'st.write(f"{a} · {b} ({c})")',
    'st.button(t("x"), icon=":material/logout:", key="sign-out")',
    'st.html(path)',
    'st.page_link("pages/rollup.py", label=t("x"))',
])
def test_the_check_lets_catalogue_texts_and_punctuation_pass(source):
    assert inline_texts(source) == []
