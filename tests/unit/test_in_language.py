"""Text that is not ours in an element with its `lang` (pages/ui/plain.py in_language): nothing becomes markup."""
from __future__ import annotations

import ast
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pages.ui.plain import in_language_html

ROOT = Path(__file__).resolve().parents[2]

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "\" onmouseover=\"alert(1)",
    "' onfocus='alert(1)' autofocus '",
    "Tom & Jerry &amp; &lt;b&gt; &#60;script&#62;",
    "</span></p><p lang=\"de\">injected",
    "<!-- comment --><![CDATA[x]]>",
    "**bold** [link](javascript:alert(1)) :red[red] $x^2$",
    "<style>body{display:none}</style>",
]


class _Reader(HTMLParser):
    """The tags, attributes and visible text of a piece of HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text = ""
        self.other: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_data(self, data):
        self.text += data

    def handle_comment(self, data):
        self.other.append(data)

    def unknown_decl(self, data):
        self.other.append(data)


def read(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("bold", [False, True])
def test_a_hostile_text_is_shown_as_written_and_adds_no_element_or_attribute(text, bold):
    html = in_language_html(text, language="sv", bold=bold)
    shown = read(html)
    expected = [("p", [("class", "vartti-content")]), ("span", [("lang", "sv")])] + ([("strong", [])] if bold else [])
    assert shown.tags == expected
    assert shown.text == text
    assert shown.other == []


@pytest.mark.parametrize("note", HOSTILE)
@pytest.mark.parametrize("note_first", [False, True])
def test_the_note_is_escaped_as_well(note, note_first):
    shown = read(in_language_html("Lisäsimme soittoaikoja", language="fi", note=note, note_first=note_first))
    assert sorted(tag for tag, _ in shown.tags) == ["p", "span", "span"]
    assert ("span", [("class", "vartti-language-note")]) in shown.tags
    assert shown.text == (f"{note} Lisäsimme soittoaikoja" if note_first else f"Lisäsimme soittoaikoja {note}")


def test_quotes_and_ampersands_are_escaped_as_entities():
    html = in_language_html("A & B \"C\" 'D' <E>", language="en")
    assert '<span lang="en">A &amp; B &quot;C&quot; &#x27;D&#x27; &lt;E&gt;</span>' in html


def test_bidi_overrides_and_control_characters_are_removed_and_the_ends_trimmed():
    shown = read(in_language_html("  abc\u202edef\x00 ", language="fi"))
    assert shown.text == "abcdef"


@pytest.mark.parametrize("language", ["de", "FI", "sv ", "", "fi\" onclick=\"x", "en><script>", None, 1, "se", "smn"])
def test_a_language_other_than_finnish_swedish_or_english_is_refused(language):
    with pytest.raises(ValueError):
        in_language_html("Teksti", language=language)


# --- house rule: st.html only ever gets our own constants or files; user text goes through in_language -------

SOURCES = sorted([ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "pages" / "ui").glob("*.py")])


def _ours(node: ast.expr) -> bool:
    """A constant string, a module constant in capitals, a path to one of our own files, or a stylesheet put
    into its element by data.css_text.style_element (which refuses a '<', so it can add no other element)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "style_element":
        return True
    if isinstance(node, ast.Name):
        return node.id.isupper() or node.id.lstrip("_").isupper()
    if isinstance(node, ast.Subscript):  # one of a module constant's values, e.g. PAGE_LANGUAGE_SCRIPTS[code]
        return isinstance(node.value, ast.Name) and _ours(node.value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return isinstance(node.right, ast.Constant) and str(node.right.value).endswith(".css")
    return False


def raw_html_calls(source: str, *, allowed: frozenset[str] = frozenset()) -> list[str]:
    """st.html calls given something other than our constants, and any unsafe_allow_html=True."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr == "html" and node.args and not _ours(node.args[0]):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
        found += [f"line {node.lineno}: unsafe_allow_html" for k in node.keywords
                  if k.arg == "unsafe_allow_html" and not (isinstance(k.value, ast.Constant) and k.value.value is False)]
    return [call for call in found if not any(name in call for name in allowed)]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_raw_html_gets_only_our_constants_and_files(path):
    # plain.py's in_language hands st.html the escaped HTML built above; nothing else may.
    allowed = frozenset({"in_language_html("}) if path.name == "plain.py" else frozenset()
    assert raw_html_calls(path.read_text(encoding="utf-8"), allowed=allowed) == []


@pytest.mark.parametrize("source", [
    "st.html(f'<p>{theme.title}</p>')",
    "st.html(text)",
    "st.markdown(t('x'), unsafe_allow_html=True)",
    "st.html('<p>' + title + '</p>')",
    "st.html(styled(text))",
    "st.html(scripts[text])",
])
def test_the_check_finds_user_text_given_to_raw_html(source):
    assert raw_html_calls(source) != []


def test_a_stylesheet_put_in_its_element_by_style_element_is_ours():
    assert raw_html_calls("st.html(style_element(footer_css(report)))") == []
