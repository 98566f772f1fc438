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
MARKDOWN_OPTIONS = {"radio", "pills", "segmented_control", "select_slider"}
# Keywords Streamlit renders as Markdown on any call (labels, tooltips, metric values, radio captions).
MARKDOWN_KEYWORDS = {"label", "help", "body", "value", "delta", "caption", "captions", "title"}
# Keywords that are plain text or not text at all on the calls above.
PLAIN_KEYWORDS = {"value": {"text_input", "text_area", "number_input", "date_input", "time_input", "slider",
                            "select_slider", "checkbox", "toggle", "color_picker"}}
LOGGERS = {"LOG", "log", "logger", "logging"}

# Calls whose result is ours: escaped text, numbers, catalogue texts (`t`, `tn`, and import_tab's `tr`).
ESCAPING = {"inert", "ours"}
NUMERIC = {"len", "int", "round", "abs", "min", "max", "sum"}
CATALOGUE = {"t", "tn", "tr"}
# Helpers of pages/ui that return a formatted catalogue text (checked by their own module's rule).
OURS_ELSEWHERE = {"period_name", "nps_text",
                  # report18: catalogue texts and periods, no user text in them
                  "shown_name", "comparison_label", "lowest_statement_name", "report_title"}
# Helpers of pages/ui that return escaped or catalogue text, shared by a page's widgets: each is checked to
# return only our text in its own module (test_a_helper_trusted_elsewhere_returns_only_our_text).
OURS_IN = {"pages/ui/inbox_text.py": {"user_text", "arrival_text", "state_text"},
           "pages/ui/kanban_outcome.py": {"stage_name", "moment"}, "pages/ui/kanban_card.py": {"owner_text"},
           "pages/ui/public_actions.py": {"quarter_name"}}
OURS_ELSEWHERE |= {helper for helpers in OURS_IN.values() for helper in helpers}
# The operator's configuration (app.py reads it from the environment), not a user's text.
CONFIGURATION = {"settings"}


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


class Module:
    """What one module binds to each name and returns from each function, to tell which hold only our text.

    Names are taken module-wide (the same name in two functions must be ours in both); a parameter takes
    what the module's own callers pass, and is unknown when Streamlit or another module calls the function.
    """

    UNKNOWN = ast.Name(id="<unknown>")

    def __init__(self, tree: ast.AST):
        self.bindings: dict[str, list[ast.expr]] = {}
        self.returns: dict[str, list[ast.expr]] = {}
        self.ours: set[str] = set()
        self._collect(tree)
        self._settle()

    def _bind(self, target: ast.AST | None, value: ast.expr) -> None:
        for node in ast.walk(target) if target is not None else []:
            # `success` passed on as `success` by another function is the same name, not a new value.
            if isinstance(node, ast.Name) and not (isinstance(value, ast.Name) and value.id == node.id):
                self.bindings.setdefault(node.id, []).append(value)

    def _collect(self, tree: ast.AST) -> None:
        params: dict[str, list[str]] = {}
        for function in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
            arguments = function.args
            names = [a.arg for a in arguments.posonlyargs + arguments.args + arguments.kwonlyargs]
            params[function.name] = names
            self.returns[function.name] = [n.value for n in ast.walk(function)
                                           if isinstance(n, ast.Return) and n.value is not None]
            for name, default in zip(names[len(names) - len(arguments.defaults):], arguments.defaults):
                self._bind(ast.Name(id=name), default)
            for extra in (arguments.vararg, arguments.kwarg):
                if extra:
                    self._bind(ast.Name(id=extra.arg), self.UNKNOWN)
        called: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    self._bind(target, node.value)
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)) and node.value is not None:
                self._bind(node.target, node.value)
            elif isinstance(node, (ast.For, ast.comprehension)):
                self._bind(node.target, node.iter)  # an item of our own list is ours
            elif isinstance(node, ast.withitem):
                self._bind(node.optional_vars, self.UNKNOWN)
            elif isinstance(node, ast.Lambda):
                for argument in node.args.args:
                    self._bind(ast.Name(id=argument.arg), self.UNKNOWN)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr in {"append", "extend", "insert"} and isinstance(node.func.value, ast.Name):
                for arg in node.args[-1:]:
                    self._bind(node.func.value, arg)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in params:
                names = params[node.func.id]
                called.add(node.func.id)
                for name, arg in zip(names, node.args):
                    self._bind(ast.Name(id=name), arg)
                for keyword in node.keywords:
                    self._bind(ast.Name(id=keyword.arg) if keyword.arg else None, keyword.value)
        for function, names in params.items():
            if function not in called:  # called by Streamlit (a callback) or from another module
                for name in names:
                    self._bind(ast.Name(id=name), self.UNKNOWN)

    def _settle(self) -> None:
        # Grow the set of names known to be ours until nothing changes (a least fixpoint).
        changed = True
        while changed:
            changed = False
            candidates = [(name, values) for name, values in self.bindings.items()]
            candidates += [(f"{function}()", values) for function, values in self.returns.items()]
            for name, values in candidates:
                if name not in self.ours and values and all(self.is_ours(v) for v in values):
                    self.ours.add(name)
                    changed = True

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
        if isinstance(node.func, ast.Attribute) and not isinstance(node.func.value, (ast.Name, ast.Attribute)):
            # A string method of our own text with our own arguments: " · ".join(...), t(...).rstrip(" ·")
            return self.is_ours(node.func.value) and all(self.is_ours(arg) for arg in node.args)
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
        # Options of radios, pills and segmented controls are Markdown too: what format_func returns.
        shown += [k.value.body if isinstance(k.value, ast.Lambda) else ast.Call(k.value, [], [], lineno=k.lineno)
                  for k in node.keywords if k.arg == "format_func" and call in MARKDOWN_OPTIONS]
        shown += [k.value for k in node.keywords
                  if k.arg in MARKDOWN_KEYWORDS and call not in PLAIN_KEYWORDS.get(k.arg, set())]
        found += [f"line {arg.lineno}: {call}({ast.unparse(arg)})" for arg in shown if not module.is_ours(arg)]
    return sorted(found)


def test_there_are_pages_to_check():
    assert len(SOURCES) > 8


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_page_passes_no_text_of_others_to_markdown_unescaped(path):
    assert unescaped_texts(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(("path", "helper"), [(path, name) for path, names in OURS_IN.items() for name in names])
def test_a_helper_trusted_elsewhere_returns_only_our_text(path, helper):
    module = Module(ast.parse((ROOT / path).read_text(encoding="utf-8")))
    assert f"{helper}()" in module.ours


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
    "st.pills(t('x'), codes, format_func=lambda code: names[code])",
    "def f(message):\n    st.info(message)\nf(t('x', code=code))",
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
    "st.markdown(inert(text))",
    "st.pills(t('x'), codes, format_func=lambda code: inert(names[code]))",
    "def f(message):\n    st.info(message)\nf(t('x', code=inert(code)))\nf(None)",
    "def f(success):\n    st.toast(success)\ndef g(success):\n    f(success)\ng(t('done'))",
    "st.toast(ours(st.session_state.pop('toast')))",
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


def test_space_at_either_end_is_dropped_so_our_bold_around_it_still_closes():
    assert f"**{inert('  title ')}**" == "**title**"


def test_an_indented_line_does_not_become_a_code_block():
    assert inert("first\n    second") == "first\nsecond"
