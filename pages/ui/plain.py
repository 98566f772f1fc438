"""Text that is not ours, shown as plain text: no Markdown, LaTeX, directives, icons, links or HTML.

Unit names, theme titles, actions, quotes, names from sign-in and query parameters are written by
someone else. Show them with `show()` (st.text, never parsed), or, inside one of our Markdown texts
(a heading, a label, a catalogue text with a placeholder), pass them through `inert()` first.
"""
from __future__ import annotations

import re
import string
from html import escape

import streamlit as st

# Bidi overrides, embeddings and isolates can make a text read backwards ("exe.pdf" → "fdp.exe").
_BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
# Other invisible control characters; a tab and a line break stay.
_CONTROLS = "".join(chr(c) for c in [*range(0x00, 0x20), *range(0x7f, 0xa0)] if chr(c) not in "\t\n")
_DROPPED = dict.fromkeys(map(ord, _BIDI_CONTROLS + _CONTROLS))

# CommonMark lets every ASCII punctuation character be escaped with a backslash.
_PUNCTUATION = frozenset(string.punctuation)

# Streamlit's renderer turns some patterns into links, icons and emoji *after* the escapes are undone
# (remark-gfm's autolink literals: https://…, www.…, a@b.c; `:material/…:`, `:streamlit:`, `:emoji:`).
# An invisible word joiner after ':' and '@' and inside "www." breaks those patterns; the text reads
# the same.
WORD_JOINER = "\u2060"
_WWW_DOT = re.compile(r"(?i)(?<=www)\.")
_INDENT = re.compile(r"^[ \t]+", re.MULTILINE)


def neutral(text: object) -> str:
    """The text without bidi-override and other invisible control characters."""
    return str(text).translate(_DROPPED)


def inert(text: object) -> str:
    """The text escaped for Markdown so that it renders exactly as written, inside our own texts."""
    # Space at either end would stop the ** or _ of our own text around it from closing.
    cleaned = _WWW_DOT.sub(WORD_JOINER + ".", neutral(text).strip())
    escaped = []
    for ch in cleaned:
        escaped.append("\\" + ch if ch in _PUNCTUATION else ch)
        if ch in ":@":
            escaped.append(WORD_JOINER)
    # An indented line would become a code block.
    return _INDENT.sub("", "".join(escaped))


def show(text: object, **options) -> None:
    """Show a text that is not ours as it was written (st.text parses nothing)."""
    st.text(neutral(text), **options)


CONTENT_LANGUAGES = ("fi", "sv", "en")


def in_language_html(text: object, *, language: str, note: str | None = None, bold: bool = False,
                     note_first: bool = False) -> str:
    """The HTML of `in_language`: every character of the text and the note escaped, `lang` one of ours."""
    if not isinstance(language, str) or language not in CONTENT_LANGUAGES:
        raise ValueError(f"unknown content language {language!r}")
    body = escape(neutral(text).strip(), quote=True)
    if bold:
        body = f"<strong>{body}</strong>"
    html = f'<span lang="{language}">{body}</span>'
    if note:
        marked = f'<span class="vartti-language-note">{escape(neutral(note), quote=True)}</span>'
        html = f"{marked} {html}" if note_first else f"{html} {marked}"
    return f'<p class="vartti-content">{html}</p>'


def in_language(text: object, *, language: str, note: str | None = None, bold: bool = False,
                note_first: bool = False) -> None:
    """Show a text that is not ours as plain text in an element with its `lang` (WCAG 3.1.2).

    `note` is one of our catalogue texts, such as "(in Finnish)", shown after the text in the reader's
    language (before it with `note_first`, where a long text is cut with "…" as on the wall). Both are
    HTML-escaped: nothing in them becomes markup. A language other than fi, sv or en is refused.
    """
    st.html(in_language_html(text, language=language, note=note, bold=bold, note_first=note_first))


def ours(text: str) -> str:
    """Declare a text that t() made earlier and that came back through st.session_state (notices, toasts).

    The house-rule test (tests/unit/test_plain_text.py) cannot follow session state, so it accepts this
    marker; every value that went into such a text must already have passed through `inert()`.
    """
    return text
