"""House rule: text that is not ours never reaches a Markdown-rendering Streamlit call unescaped.

Streamlit renders Markdown (links, images, LaTeX, `:color[]`, `:material/…:`, autolinks) in st.markdown,
st.write, captions, headings, alerts, metric labels and values, widget labels, help tooltips and table
cells. Anything shown there must be a constant, one of our catalogue texts (`t(...)`) whose values are
themselves safe, a number or date formatted by pages/ui/format.py, or a text passed through
`pages.ui.plain.inert`. Everything else (a variable, an attribute, an f-string of them) is refused.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from pages.ui.plain import WORD_JOINER, inert, neutral

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([ROOT / "app.py", *(ROOT / "pages").glob("*.py"),
                  *(p for p in (ROOT / "pages" / "ui").glob("*.py") if p.name not in {"texts.py", "plain.py"})])

# Calls whose first argument Streamlit renders as Markdown.
MARKDOWN_FIRST = {"markdown", "write", "caption", "title", "header", "subheader", "info", "warning", "error",
                  "success", "toast", "metric", "button", "link_button", "download_button", "form_submit_button",
                  "checkbox", "toggle", "radio", "selectbox", "multiselect", "text_input", "text_area",
                  "number_input", "date_input", "time_input", "slider", "select_slider", "file_uploader",
                  "color_picker", "expander", "popover", "pills", "segmented_control", "feedback", "status",
                  "spinner", "dialog", "chat_input", "audio_input", "camera_input", "badge",
                  # column_config: the label of a column
                  "Column", "TextColumn", "NumberColumn", "CheckboxColumn", "SelectboxColumn", "DatetimeColumn",
                  "DateColumn", "TimeColumn", "ListColumn", "LinkColumn", "ImageColumn", "ProgressColumn",
                  "LineChartColumn", "BarChartColumn", "AreaChartColumn", "JSONColumn", "MultiselectColumn"}
# Keywords Streamlit renders as Markdown on any call (labels, tooltips, metric values, radio captions).
MARKDOWN_KEYWORDS = {"label", "help", "body", "value", "delta", "caption", "captions", "title"}
# Keywords that are plain text or not text at all on the calls above.
PLAIN_KEYWORDS = {"value": {"text_input", "text_area", "number_input", "date_input", "time_input", "slider",
                            "select_slider", "checkbox", "toggle", "color_picker"}}
LOGGERS = {"LOG", "log", "logger", "logging"}

# Calls whose result is ours: escaped text, numbers, catalogue texts (`t`, and import_tab's `tr`).
ESCAPING = {"inert", "plain"}
NUMERIC = {"len", "int", "round", "abs", "min", "max", "sum"}
CATALOGUE = {"t", "tr"}
# Helpers of pages/ui that return a formatted catalogue text (checked by their own module's rule).
OURS_ELSEWHERE = {"period_name", "nps_text"}
# The operator's configuration (app.py reads it from the environment), not a user's text.
CONFIGURATION = {"settings"}


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


class Module:
    """What one module assigns and returns, to tell whether a name or a local helper holds only our text."""

    def __init__(self, tree: ast.AST):
        self.assigned: dict[str, list[ast.expr]] = {}
        self.returns: dict[str, list[ast.expr]] = {}
        self.params: dict[str, list[str]] = {}
        self.passed: dict[str, list[ast.expr]] = {}  # "function.param" → the values callers pass
        self.unknown: set[str] = set()  # loop variables, unpacked tuples, parameters of lambdas
        self.ours: set[str] = set()
        self._collect(tree)
        self._settle()

    def _collect(self, tree: ast.AST) -> None:
        functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for function in functions:
            names = [a.arg for a in function.args.posonlyargs + function.args.args + function.args.kwonlyargs]
            self.params[function.name] = names
            self.returns[function.name] = [n.value for n in ast.walk(function)
                                           if isinstance(n, ast.Return) and n.value is not None]
            defaults = function.args.defaults
            for name, default in zip(names[len(names) - len(defaults):], defaults):
                self.passed.setdefault(f"{function.name}.{name}", []).append(default)
            for name in names:
                self.passed.setdefault(f"{function.name}.{name}", [])
        for node in ast.walk(tree):
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    if isinstance(target, ast.Name):
                        self.assigned.setdefault(target.id, []).append(node.value)
                    else:
                        self.unknown.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                self.assigned.setdefault(node.target.id, []).append(node.value)
            elif isinstance(node, (ast.For, ast.comprehension, ast.withitem, ast.NamedExpr)):
                target = getattr(node, "target", None) or getattr(node, "optional_vars", None)
                self.unknown.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name)) if target else None
            elif isinstance(node, ast.Lambda):
                self.unknown.update(a.arg for a in node.args.args)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in self.params:
                names = self.params[node.func.id]
                for name, arg in zip(names, node.args):
                    self.passed[f"{node.func.id}.{name}"].append(arg)
                for keyword in node.keywords:
                    if keyword.arg in names:
                        self.passed[f"{node.func.id}.{keyword.arg}"].append(keyword.value)

    def _settle(self) -> None:
        # Grow the set of names known to be ours until nothing changes (a least fixpoint).
        changed = True
        while changed:
            changed = False
            for function, names in self.params.items():
                for name in names:
                    values = self.passed[f"{function}.{name}"]
                    # A parameter is ours when every caller in the module passes our text (or nobody passes it).
                    if name not in self.ours and name not in self.unknown and values and \
                            self._same_everywhere(name):
                        self.ours.add(name)
                        changed = True
            for name, values in self.assigned.items():
                if name not in self.ours and name not in self.unknown and not self._is_parameter(name) and \
                        all(self.is_ours(v) for v in values):
                    self.ours.add(name)
                    changed = True
            for function, values in self.returns.items():
                key = function + "()"
                if key not in self.ours and values and all(self.is_ours(v) for v in values):
                    self.ours.add(key)
                    changed = True

    def _is_parameter(self, name: str) -> bool:
        return any(name in names for names in self.params.values())

    def _same_everywhere(self, name: str) -> bool:
        # A parameter name reused by several functions, or also assigned, must be ours in all of them.
        others = [f"{f}.{name}" for f, names in self.params.items() if name in names]
        values = [v for key in others for v in self.passed[key]] + self.assigned.get(name, [])
        return all(self.passed[key] for key in others) and all(self.is_ours(v) for v in values)

    def is_ours(self, node: ast.expr) -> bool:
        """Whether an expression can only hold our own text: constants, catalogue texts, formatted figures."""
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.Name):
            return node.id in self.ours
        if isinstance(node, ast.Attribute):
            return _name(node.value) in CONFIGURATION
        if isinstance(node, ast.JoinedStr):
            return all(self.is_ours(p.value) for p in node.values if isinstance(p, ast.FormattedValue))
        if isinstance(node, ast.BinOp):
            return self.is_ours(node.left) and self.is_ours(node.right)
        if isinstance(node, ast.BoolOp):
            return all(self.is_ours(value) for value in node.values)
        if isinstance(node, ast.IfExp):
            return self.is_ours(node.body) and self.is_ours(node.orelse)
        if isinstance(node, (ast.List, ast.Tuple)):
            return all(self.is_ours(element) for element in node.elts)
        if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
            return self.is_ours(node.elt)
        if isinstance(node, ast.Call):
            return self._call_is_ours(node)
        return False

    def _call_is_ours(self, node: ast.Call) -> bool:
        name = _name(node.func)
        if name in ESCAPING or name in NUMERIC or name in OURS_ELSEWHERE:
            return True
        if name in CATALOGUE:
            # t(key, language, **values): the key and language choose our text; every value must be ours.
            return all(self.is_ours(keyword.value) for keyword in node.keywords)
        if isinstance(node.func, ast.Attribute) and _name(node.func.value) == "fmt":
            return True  # numbers, dates and times formatted in the reader's locale
        if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Constant):
            return all(self.is_ours(arg) for arg in node.args)  # " · ".join(...), "x".format(...)
        if isinstance(node.func, ast.Name):
            return f"{name}()" in self.ours
        return False


def unescaped_texts(source: str) -> list[str]:
    """Each expression given to a Markdown-rendering Streamlit call that may hold text not ours."""
    tree = ast.parse(source)
    module = Module(tree)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        call = node.func.attr
        if _name(node.func.value) in LOGGERS:
            continue
        shown = node.args[:1] if call in MARKDOWN_FIRST else []
        shown += [k.value for k in node.keywords
                  if k.arg in MARKDOWN_KEYWORDS and call not in PLAIN_KEYWORDS.get(k.arg, set())]
        found += [f"line {arg.lineno}: {call}({ast.unparse(arg)})" for arg in shown if not module.is_ours(arg)]
    return sorted(found)


def test_there_are_pages_to_check():
    assert len(SOURCES) > 8


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_page_passes_no_text_of_others_to_markdown_unescaped(path):
    assert unescaped_texts(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("source", [
    "st.markdown(action.text)",
    "st.write(t('auth.signed_in_as', name=viewer.name))",
    "st.warning(t('huddle.unknown_unit', code=code))",
    "st.title(unit_name, anchor=False)",
    "st.caption(f'{status} · {who}')",
    "st.sidebar.subheader(name)",
    "columns[0].button(node.name(language), key='x')",
    "st.metric(label, fmt.number(n))",
    "st.selectbox(t('x'), options, help=unit.name)",
    "st.radio(t('x'), options, captions=[unit.name for unit in units])",
    "st.column_config.TextColumn(name)",
    "st.info(message)",
    "st.markdown('**' + title + '**')",
    "st.toast(t('x', title=theme.title))",
])
def test_the_check_finds_text_of_others_given_to_markdown(source):
    assert unescaped_texts(source) != []


@pytest.mark.parametrize("source", [
    "st.markdown(inert(action.text))",
    "st.write(t('auth.signed_in_as', name=inert(viewer.name)))",
    "st.title(inert(unit_name), anchor=False)",
    "st.caption(f'{fmt.day(d)} · {inert(who)}')",
    "st.metric(t('x'), fmt.number(n), delta=t('y', change=fmt.signed(c)))",
    "st.text(action.text)",
    "st.text_input(t('x'), value=draft)",
    "st.markdown(' · '.join(inert(name) for name in names))",
    "LOG.error('board of %s', unit_code)",
    "st.write(t('huddle.more', count=len(themes)))",
    "st.markdown(fmt.plain(text))",
])
def test_the_check_lets_our_texts_and_escaped_texts_pass(source):
    assert unescaped_texts(source) == []


PAYLOAD = ("![x](http://127.0.0.1:9/x.png) [Istunto vanheni](http://evil.example) **bold** $x^2$ :red[red] "
           ":material/home: :smile: https://evil.example www.evil.example a@evil.example <b>h</b> \u202e")


@pytest.mark.parametrize("character", ["\u202e", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u200f",
                                       "\x00", "\x1b", "\x85"])
def test_bidi_overrides_and_control_characters_are_removed(character):
    assert neutral(f"abc{character}def") == "abcdef"


def test_line_breaks_and_tabs_are_kept_as_written():
    assert neutral("a\tb\nc") == "a\tb\nc"


@pytest.mark.parametrize("character", list("\\`*_{}[]()<>#+-.!|~$:&=\"'%,/;?@^"))
def test_every_markdown_character_is_escaped_with_a_backslash(character):
    assert inert(character).startswith("\\" + character)


@pytest.mark.parametrize(("text", "broken"), [
    ("https://evil.example", "https\\:" + WORD_JOINER + "\\/\\/"),
    ("WWW.evil.example", "WWW" + WORD_JOINER + "\\."),
    ("a@evil.example", "a\\@" + WORD_JOINER),
    (":material/home:", "\\:" + WORD_JOINER + "material"),
    (":smile:", "\\:" + WORD_JOINER + "smile\\:" + WORD_JOINER),
])
def test_patterns_the_renderer_links_after_unescaping_are_broken_by_a_word_joiner(text, broken):
    assert broken in inert(text)


def test_an_escaped_text_reads_the_same_once_escapes_and_joiners_are_removed():
    shown = inert(PAYLOAD + " C:\\temp").replace(WORD_JOINER, "")
    assert re.sub(r"\\(.)", r"\1", shown) == neutral(PAYLOAD + " C:\\temp")


def test_an_indented_line_does_not_become_a_code_block():
    assert inert("first\n    second") == "first\nsecond"
