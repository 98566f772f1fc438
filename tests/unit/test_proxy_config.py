"""The reverse proxy's Content Security Policy lets exactly the app's own inline scripts run, by hash."""
from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
import streamlit

from pages.ui.language import PAGE_LANGUAGE_SCRIPTS

ROOT = Path(__file__).resolve().parents[2]
PROXY = ROOT / "deploy" / "vartti-proxy.conf"
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
PAGES_WITH_SCRIPTS = [Path(streamlit.__file__).parent / "static" / "index.html",
                      *sorted((ROOT / "pages" / "ui").glob("*.html"))]


def _policy() -> str:
    return re.search(r'add_header Content-Security-Policy "([^"]*)"', PROXY.read_text(encoding="utf-8")).group(1)


def _sha256(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


@pytest.mark.parametrize("page", PAGES_WITH_SCRIPTS, ids=lambda page: page.name)
def test_every_inline_script_of_the_app_is_allowed_by_its_hash(page):
    script_src = next(d for d in _policy().split(";") if d.strip().startswith("script-src"))
    for script in INLINE_SCRIPT.findall(page.read_text(encoding="utf-8")):
        assert _sha256(script) in script_src, f"add {_sha256(script)} for {page.name} to {PROXY.name}"


@pytest.mark.parametrize("language", sorted(PAGE_LANGUAGE_SCRIPTS))
def test_the_script_that_marks_the_pages_language_is_allowed_by_its_hash(language):
    script_src = next(d for d in _policy().split(";") if d.strip().startswith("script-src"))
    for script in INLINE_SCRIPT.findall(PAGE_LANGUAGE_SCRIPTS[language]):
        assert _sha256(script) in script_src, f"add {_sha256(script)} for the {language} script to {PROXY.name}"


def test_the_policy_allows_no_inline_script_and_no_framing_of_the_app():
    directives = {d.split()[0]: d.split()[1:] for d in _policy().split(";") if d.strip()}
    assert "'unsafe-inline'" not in directives["script-src"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
