"""A unit's name in the printed report's footer is one CSS string, whatever the name: data/css_text.css_string.

The proof reads the result back with a real CSS tokenizer (tinycss2, WeasyPrint's own) and with the HTML
tokenizer's view of a <style> element: the name comes back exactly, as one string token, and nothing in the
stylesheet can end the string, the rule or the <style> element.
"""
from __future__ import annotations

from html.parser import HTMLParser

import pytest
import tinycss2

from data.css_text import css_string

HOSTILE = [
    "Kallion terveysasema",
    'Pää"ty; } body { display: none',
    "Pääty'; } * { color: red",
    "</style><script>alert(1)</script>",
    "</STYLE ><img src=x onerror=alert(1)>",
    "<!-- --> <![CDATA[ ]]>",
    "back\\slash\\",
    "\\\"",
    "\\00003c",
    "line\nbreak\r\nand\fform\vfeed",
    "tab\there",
    "nul\x00byte",
    "lone \ud800 surrogate",
    "bidi \u202eexe.pdf",
    "line\u2028separator\u2029",
    "url(http://evil.example/x.png) counter(page) attr(title)",
    "@import 'x'; @page { }",
    "/* comment */ end",
    "a, b · c – d",
    "  spaces at ends  ",
    "Åbo svenska hälsocentral",
    "数字 ١٢٣ ①",
    "emoji 👩‍⚕️ and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "ＦＵＬＬＷＩＤＴＨ ＜／ｓｔｙｌｅ＞",
    "",
]


def _expected(text: str) -> str:
    """What CSS reads back: NUL and lone surrogates are U+FFFD in CSS whatever one writes."""
    return "".join("\ufffd" if ch == "\x00" or 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in text)


def _tokens(css: str) -> list:
    return [token for token in tinycss2.parse_component_value_list(css) if token.type != "whitespace"]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_hostile_name_reads_back_as_exactly_one_css_string(text):
    tokens = _tokens(css_string(text))
    assert [token.type for token in tokens] == ["string"]
    assert tokens[0].value == _expected(text)


@pytest.mark.parametrize("text", HOSTILE)
def test_a_hostile_name_cannot_end_the_rule_or_the_style_element(text):
    written = css_string(text)
    # Only letters, digits, backslashes of escapes and the two quotes of the string itself.
    inner = written[1:-1]
    assert written[0] == written[-1] == '"'
    assert all(ch.isalnum() or ch == "\\" for ch in inner), inner
    assert not any(ch in inner for ch in "\"'<>&;{}()\n\r\f /*@")

    class Collect(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tags, self.styles = [], []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)

        def handle_data(self, data):
            self.styles.append(data)

    parser = Collect()
    rule = f"@page {{ @bottom-left {{ content: {written}; }} }}"
    parser.feed(f"<style>{rule}</style><p>after</p>")
    parser.close()
    assert parser.tags == ["style", "p"]
    assert parser.styles[0] == rule


@pytest.mark.parametrize("text", HOSTILE)
def test_a_rule_with_a_hostile_name_stays_one_page_rule(text):
    rules = tinycss2.parse_stylesheet(f"@page {{ @bottom-left {{ content: {css_string(text)}; }} }} p {{ }}",
                                      skip_whitespace=True, skip_comments=True)
    assert [(rule.type, getattr(rule, "at_keyword", None)) for rule in rules] == [("at-rule", "page"),
                                                                                  ("qualified-rule", None)]
    inner = tinycss2.parse_blocks_contents(rules[0].content)
    margin = [rule for rule in inner if rule.type == "at-rule"]
    assert [rule.at_keyword for rule in margin] == ["bottom-left"]
    declarations = tinycss2.parse_blocks_contents(margin[0].content)
    content = [d for d in declarations if d.type == "declaration"]
    assert [d.name for d in content] == ["content"]
    assert [token.value for token in content[0].value if token.type == "string"] == [_expected(text)]


def test_every_character_of_the_basic_planes_reads_back_as_itself():
    text = "".join(chr(code) for code in range(1, 0x3000) if not 0xD800 <= code <= 0xDFFF)
    tokens = _tokens(css_string(text))
    assert [token.type for token in tokens] == ["string"]
    assert tokens[0].value == text


@pytest.mark.parametrize("text", ["a b", "a\u00a0b", "ä, ö", "1 2 3", "x · y"])
def test_a_space_after_an_escaped_character_is_kept(text):
    # CSS swallows one whitespace after a hex escape; the space is escaped too, so none is lost.
    assert _tokens(css_string(text))[0].value == text


def test_a_style_element_refuses_a_stylesheet_that_could_close_it():
    from data.css_text import style_element
    assert style_element("a { content: " + css_string("</style><b>") + "; }").count("<") == 2
    with pytest.raises(ValueError):
        style_element("a {} </style><script>")
