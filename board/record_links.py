"""Links to a feedback's record in its source system, from an import profile's template.

A template such as "https://kysely.example/responses/{source_id}" names the record by its id in
the source; only https addresses are accepted, and the id is URL-encoded whole, so an id can never
change the address's host or path.
"""
from __future__ import annotations

from string import Formatter
from urllib.parse import quote, urlsplit

PLACEHOLDER = "source_id"


class BadRecordUrl(ValueError):
    """A link template that is not an https address with exactly one {source_id}."""


def check_record_url(template: str, profile: str = "") -> str:
    """A record link template is an https address with a host and exactly one {source_id} placeholder."""
    try:
        return _checked(template)
    except BadRecordUrl as bad:
        raise BadRecordUrl(f"profile {profile}: {bad}" if profile else str(bad)) from None


def _checked(template: str) -> str:
    if not isinstance(template, str):
        raise BadRecordUrl(f"record_url must be text, got {template!r}")
    template = template.strip()
    try:
        fields = [name for _, name, _, _ in Formatter().parse(template) if name is not None]
    except ValueError as error:
        raise BadRecordUrl(f"record_url {template!r}: {error}") from None
    if fields != [PLACEHOLDER]:
        raise BadRecordUrl(f"record_url {template!r} must hold {{{PLACEHOLDER}}} exactly once and nothing else "
                           "in braces")
    parts = urlsplit(template.replace("{" + PLACEHOLDER + "}", "x"))
    if parts.scheme != "https" or not parts.hostname:
        raise BadRecordUrl(f"record_url {template!r} must be an https:// address with a host")
    if any(char.isspace() for char in template):
        raise BadRecordUrl(f"record_url {template!r} must not contain spaces")
    return template


def record_url(template: str, source_id: str) -> str:
    """The address of one record: the template with the source id URL-encoded in full (a "/" too)."""
    return template.replace("{" + PLACEHOLDER + "}", quote(str(source_id), safe=""))
