"""The reader's language for this rerun: Finnish, Swedish or English."""
from __future__ import annotations

LANGUAGES = ("fi", "sv", "en")


def current() -> str:
    """The language the page is shown in."""
    return "fi"
