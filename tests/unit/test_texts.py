"""The catalogues (locale/*/LC_MESSAGES/messages.po): every key in every language with the same placeholders and
plural forms, every key the code uses in Finnish; t(), tn() and formats follow the reader."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from pages.ui import format as fmt
from pages.ui import language, texts
from pages.ui.texts import CATALOGUES, t, tn

ROOT = Path(__file__).resolve().parents[2]
OTHERS = [code for code in language.LANGUAGES if code != "fi"]


def po_path(code: str, locale: Path = texts.LOCALE) -> Path:
    return locale / code / "LC_MESSAGES" / "messages.po"


def read(code: str):
    with po_path(code).open("rb") as source:
        return read_po(source)


PO = {code: read(code) for code in language.LANGUAGES}
# key -> text, or (singular, plural) for an entry with plural forms
TEXTS = {code: {m.id[0] if m.pluralizable else m.id: tuple(m.string) if m.pluralizable else m.string
                for m in catalog if m.id} for code, catalog in PO.items()}
FI = TEXTS["fi"]


def forms(text: str | tuple[str, ...]) -> tuple[str, ...]:
    return text if isinstance(text, tuple) else (text,)


def literal(text: str) -> str:
    return "".join(part for part, _, _, _ in Formatter().parse(text))


def placeholders(text: str | tuple[str, ...]) -> set[str]:
    return {name for form in forms(text) for _, name, _, _ in Formatter().parse(form) if name is not None}


def test_there_is_a_catalogue_for_each_language_of_the_picker():
    assert tuple(CATALOGUES) == language.LANGUAGES
    assert [po_path(code).is_file() for code in language.LANGUAGES] == [True] * len(language.LANGUAGES)


@pytest.mark.parametrize("code", language.LANGUAGES)
def test_a_catalogue_names_its_language_and_plural_forms(code):
    assert str(PO[code].locale) == code
    assert PO[code].plural_forms == "nplurals=2; plural=(n != 1);"
    assert not PO[code].fuzzy  # pybabel compile would skip a catalogue whose header is fuzzy


@pytest.mark.parametrize("code", OTHERS)
def test_every_finnish_key_is_translated(code):
    assert sorted(set(FI) - set(TEXTS[code])) == []


@pytest.mark.parametrize("code", OTHERS)
def test_no_language_has_keys_finnish_lacks(code):
    assert sorted(set(TEXTS[code]) - set(FI)) == []


@pytest.mark.parametrize("code", OTHERS)
def test_plural_entries_are_plural_in_every_language(code):
    assert {k for k, v in TEXTS[code].items() if isinstance(v, tuple)} == {k for k, v in FI.items()
                                                                            if isinstance(v, tuple)}


@pytest.mark.parametrize("code", OTHERS)
def test_placeholders_are_the_same_in_every_language(code):
    differing = {key: (sorted(placeholders(FI[key])), sorted(placeholders(text)))
                 for key, text in TEXTS[code].items()
                 if key in FI and placeholders(text) != placeholders(FI[key])}
    assert differing == {}


@pytest.mark.parametrize("code", language.LANGUAGES)
def test_no_text_is_empty(code):
    assert [key for key, text in TEXTS[code].items() if not all(form.strip() for form in forms(text))] == []


@pytest.mark.parametrize("code", OTHERS)
def test_swedish_and_english_are_not_left_in_finnish(code):
    # Names, numbers and symbols read the same in every language; anything longer must differ.
    same = {"app.title", "signin.title", "language.fi", "language.sv", "language.en", "kanban.fig.nps",
            "kanban.history.empty", "inbox.item.no_nps", "inbox.item.statement_low"}  # ":orange[…]" is markdown
    untranslated = [key for key, text in TEXTS[code].items() if key not in same and key in FI
                    for mine, finnish in zip(forms(text), forms(FI[key]))
                    if mine == finnish and sum(ch.isalpha() for ch in literal(mine)) > 4]
    assert untranslated == []


@pytest.mark.parametrize("code", OTHERS)
def test_a_translator_sees_the_current_finnish_text(code):
    # Poedit and Weblate show the "#. fi: …" comment; after a change in fi.po it must be changed here too.
    def words(text: str) -> str:
        return " ".join(text.split())

    stale = [m.id[0] if m.pluralizable else m.id for m in PO[code] if m.id and words(" ".join(
        line for line in m.auto_comments if line != ".")) != words(" ".join(
            f"fi: {form}" for form in forms(FI.get(m.id[0] if m.pluralizable else m.id, ""))))]
    assert stale == []


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is not installed")
@pytest.mark.parametrize("code", language.LANGUAGES)
def test_a_catalogue_passes_the_check_poedit_runs(code):
    # msgfmt --check: header, plural forms and format flags. A python-brace-format flag would be checked against
    # the msgid, here a key without {placeholders}, so no entry carries it; the placeholder test above checks.
    result = subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(po_path(code))], capture_output=True, text=True)
    assert (result.returncode, result.stderr) == (0, "")


def test_every_key_the_code_looks_up_is_in_finnish():
    # What `make extract` lists: t("…"), tn("…", n) and import_tab's tr("…"). Babel also extracts the literal
    # parts of keys built at run time (t("stage." + stage), t("a" if x else "b") as "ab"); only a key written
    # whole as the first argument is checked. The others, and t(f"rollup.level.{level}"), which Babel skips, are
    # left to the pages' UI tests: that is why locale/fi, not the extracted .pot, is the list of keys.
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    sources: dict[str, str] = {}
    used = set()
    for path, line, message, _, _ in extract_from_dir(ROOT, method_map, options_map,
                                                      keywords={"t": None, "tn": None, "tr": None}):
        key = message if isinstance(message, str) else message[0]
        source = sources.setdefault(path, (ROOT / path).read_text(encoding="utf-8"))
        if re.search(r"\(\s*[\"']" + re.escape(key) + r"[\"']\s*[,)]", source):
            used.add((key, f"{path}:{line}"))
    assert len(used) > 300
    assert sorted(where for key, where in used if key not in FI) == []


@pytest.mark.parametrize(("code", "expected"), [
    ("fi", "Suositteluindeksi (NPS), 30 pv"),
    ("sv", "Rekommendationsindex NPS, 30 d"),
    ("en", "Net Promoter Score (NPS), 30 days"),
])
def test_t_gives_the_text_in_the_language_asked(code, expected):
    assert t("huddle.nps.title", code) == expected


def test_t_fills_in_the_values():
    assert t("inbox.page", "sv", page=2, pages=5) == "Sida 2 / 5"


@pytest.mark.parametrize(("code", "count", "expected"), [
    ("fi", 1, "1 palaute"), ("fi", 0, "0 palautetta"), ("fi", 4, "4 palautetta"),
    ("sv", 1, "1 respons"), ("sv", 10, "10 responser"),
    ("en", 1, "1 feedback item"), ("en", 2, "2 feedback items"),
])
def test_tn_chooses_the_form_by_the_count(code, count, expected):
    assert tn("inbox.count", count, code) == expected


def test_tn_takes_the_count_formatted_in_the_readers_locale():
    assert tn("inbox.count", 1234, "fi", n=fmt.number(1234, 0, "fi")) == "1\u00a0234 palautetta"


def test_outside_a_page_run_the_language_is_finnish():
    assert language.current() == "fi"
    assert t("nav.inbox") == "Palautteet"


def _locale_without(tmp_path: Path, code: str, key: str) -> Path:
    """A copy of locale/ whose catalogue for the language lacks the key (and has no .mo)."""
    shutil.copytree(texts.LOCALE, tmp_path / "locale", ignore=shutil.ignore_patterns("*.mo", "*.pot"))
    catalog = read(code)
    del catalog[catalog.get(key).id]
    with po_path(code, tmp_path / "locale").open("wb") as out:
        write_po(out, catalog)
    return tmp_path / "locale"


@pytest.mark.parametrize(("key", "look_up"), [
    ("nav.inbox", lambda code: t("nav.inbox", code)),
    ("inbox.count", lambda code: tn("inbox.count", 3, code)),
])
def test_a_missing_text_is_an_error_in_tests_and_finnish_otherwise(monkeypatch, tmp_path, key, look_up):
    monkeypatch.setitem(texts.CATALOGUES, "sv", texts.load("sv", _locale_without(tmp_path, "sv", key)))
    with pytest.raises(KeyError, match=key):
        look_up("sv")
    monkeypatch.setattr(texts, "STRICT", False)
    assert look_up("sv") == {"nav.inbox": "Palautteet", "inbox.count": "3 palautetta"}[key]


def test_a_key_missing_in_finnish_is_an_error_even_outside_tests(monkeypatch):
    monkeypatch.setattr(texts, "STRICT", False)
    with pytest.raises(KeyError, match="no.such.key"):
        t("no.such.key", "sv")
    assert not texts.known("no.such.key") and texts.known("nav.inbox")


def test_a_missing_or_older_mo_is_compiled_from_the_po(tmp_path):
    locale = tmp_path / "locale"
    shutil.copytree(texts.LOCALE, locale, ignore=shutil.ignore_patterns("*.mo", "*.pot"))
    assert texts.load("sv", locale).gettext("nav.inbox") == "Respons"  # no .mo: compiled in memory
    catalog = read("sv")
    catalog.get("nav.inbox").string = "Kompilerad"
    mo = po_path("sv", locale).with_suffix(".mo")
    with mo.open("wb") as out:
        write_mo(out, catalog)
    assert texts.load("sv", locale).gettext("nav.inbox") == "Kompilerad"  # a fresh .mo is used
    stat = po_path("sv", locale).stat()
    os.utime(mo, (stat.st_atime, stat.st_mtime - 60))
    assert texts.load("sv", locale).gettext("nav.inbox") == "Respons"  # an older .mo is not


@pytest.mark.parametrize(("code", "number", "signed", "day", "weekday", "clock"), [
    ("fi", "1\u00a0234,5", "−3,5", "23.11.2026", "maanantai 23.11.2026", "10.05"),
    ("sv", "1\u00a0234,5", "−3,5", "23.11.2026", "måndag 23.11.2026", "10:05"),
    ("en", "1,234.5", "−3.5", "23/11/2026", "Monday 23/11/2026", "10:05"),
])
def test_numbers_and_dates_follow_the_language(code, number, signed, day, weekday, clock):
    assert fmt.number(1234.5, 1, code) == number
    assert fmt.signed(-3.5, 1, code) == signed
    assert fmt.day(date(2026, 11, 23), code) == day
    assert fmt.weekday_and_day(date(2026, 11, 23), code) == weekday
    assert fmt.clock(datetime(2026, 11, 23, 8, 5), code) == clock
