"""Text that is not ours inside a CSS string: the printed report's footer (`@page { @bottom-left { content: … } }`).

The footer names the organisation and the unit, which are user text, and it has to go into a stylesheet: a
margin box of a printed page can show only what CSS `content` says (Chromium has no `string-set`). A CSS string
is closed by its quote, broken by a line break, and a stylesheet inside HTML is closed by `</style>`; so every
character that is not a letter or a digit is written as a CSS escape of six hexadecimal digits (`\\00003c`),
which no tokenizer — CSS or HTML — can read as anything but that one character. The space is escaped too: CSS
swallows one whitespace after an escape, so "a, b" would print as "a,b".
"""
from __future__ import annotations

# CSS turns these into U+FFFD anyway (NUL, surrogates, beyond Unicode); written as it, they say so openly.
_REPLACEMENT = 0xFFFD


def _escaped(ch: str) -> str:
    code = ord(ch)
    if code == 0 or 0xD800 <= code <= 0xDFFF:
        code = _REPLACEMENT
    return f"\\{code:06x}"


def _plain(ch: str) -> bool:
    # Letters and digits of any script; nothing else passes unescaped (a hex escape ends after six digits,
    # so a letter or digit after it stays itself).
    return ch.isalnum() and ch.isprintable()


def css_string(text: object) -> str:
    """A text as one double-quoted CSS string: every character but letters and digits escaped as \\XXXXXX."""
    return '"' + "".join(ch if _plain(ch) else _escaped(ch) for ch in str(text)) + '"'


def style_element(css: str) -> str:
    """A stylesheet as an HTML `<style>` element; refused when it could close the element early (texts that
    are not ours go in through `css_string`, which escapes every `<`)."""
    if "<" in css:
        raise ValueError("a stylesheet with '<' cannot go into a <style> element")
    return f"<style>{css}</style>"
