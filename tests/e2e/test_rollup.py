"""A director's roll-up in real Chromium on the demo county: issue 6's "done when", step by step.

The county director opens the roll-up, checks the county's figures against `python -m data metrics`,
compares the last quarter with the current one, drills from the county to a unit, downloads the Excel,
opens the quarterly report and prints it to PDF with Chromium; a page of the PDF is turned into a PNG
with pdftoppm so a person can look at it. The steps build on each other, so they are one test.
"""
from __future__ import annotations

import io
import json
import re
import shutil
import subprocess

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from board.periods import calendar_period, helsinki_date, previous_of, quarter_of
from tests.e2e.conftest import SCREENSHOTS, DemoServer, goto, shot, wait_for_app

pytestmark = pytest.mark.e2e

TITLE = "Raportointi: organisaation luvut"
PATH = (("Perusterveydenhuolto", "Tulosalue"), ("Terveysasemat", "Palvelualue"),
        ("Keskustan terveysasema, vastaanotto", "Yksikkö"))


def _quarter_label(period) -> str:
    return f"Q{quarter_of(period.first)}/{period.first.year}"


def _fi(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _nps_metric(page: Page) -> str:
    metric = page.get_by_test_id("stMetric").filter(has_text="NPS").first
    return metric.get_by_test_id("stMetricValue").inner_text().strip()


def _wait_idle(page: Page, text: str) -> None:
    wait_for_app(page, text)
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0)


def test_a_director_drills_compares_quarters_downloads_excel_and_prints_the_report(page: Page,
                                                                                    demo_server: DemoServer,
                                                                                    page_errors, tmp_path):
    today = helsinki_date(demo_server.now())
    this_quarter = calendar_period("quarter", today)
    last_quarter = previous_of(this_quarter, "quarter")

    goto(page, demo_server, "/rollup", text=TITLE)
    # The roll-up opens on the last complete quarter; the running one is offered first, marked incomplete.
    expect(page.get_by_text(f"{_quarter_label(last_quarter)} · verrataan").first).to_be_visible()
    page.get_by_test_id("stSelectbox").filter(has_text="Valitse jakso").click()
    expect(page.get_by_role("option").first).to_contain_text(f"{_quarter_label(this_quarter)} (")
    expect(page.get_by_role("option").first).to_contain_text("kesken")
    page.keyboard.press("Escape")

    # Compare quarters: the last one, against the one before it, with the county's figures from the CLI.
    page.get_by_test_id("stSelectbox").filter(has_text="Valitse jakso").click()
    page.get_by_role("option", name=_quarter_label(last_quarter), exact=True).click()
    _wait_idle(page, f"{_quarter_label(last_quarter)} · verrataan: edellinen "
                     f"{_quarter_label(previous_of(last_quarter, 'quarter'))}")
    county = demo_server.cli("metrics", "--unit", "JSHVA", "--from", last_quarter.first.isoformat(),
                             "--to", last_quarter.last.isoformat())

    expected = json.loads(county.stdout)
    assert _nps_metric(page) == _fi(expected["nps"])
    assert f"period={last_quarter.first.year}-Q{quarter_of(last_quarter.first)}" in page.url
    shot(page, "rollup-county")

    # Drill from the county to a unit; each level's header names it.
    for name, level in PATH:
        page.get_by_test_id("stButtonGroup").get_by_role("radio", name=name, exact=True).click()
        _wait_idle(page, f"{name} · {level}")
    assert "unit=PTH-TA-KESK" in page.url
    expect(page.get_by_text("Näin luet luvut")).to_be_visible()
    expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible()
    page.set_viewport_size({"width": 1600, "height": 2400})
    page.wait_for_timeout(1500)  # the charts redraw at the new width
    shot(page, "rollup-unit")
    page.set_viewport_size({"width": 1920, "height": 1080})

    # Back up to the service area and download its Excel: one sheet per level, Finnish headers.
    page.get_by_role("button", name="Terveysasemat").click()
    _wait_idle(page, "Terveysasemat · Palvelualue")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Lataa Excel").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    assert workbook.sheetnames[:2] == ["Palvelualue", "Yksikkö"]
    units = workbook["Yksikkö"]
    headers = [cell.value for cell in units[1]]
    assert headers[:6] == ["Koodi", "Taso", "Ylempi yksikkö (koodi)", "Yksikkö", "Vastaajia (n)", "NPS"]
    assert units.auto_filter.ref  # every column can be filtered and sorted
    names = [row[3] for row in units.iter_rows(min_row=2, values_only=True)]
    assert "Keskustan terveysasema, vastaanotto" in names

    # The quarterly report of the service area, printed to A4 PDF by Chromium.
    page.get_by_role("link", name="Avaa tulostettava raportti").click()
    _wait_idle(page, "Neljännesvuosiraportti")
    expect(page.get_by_text("Kehitteillä olevat teemat", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(4)
    page.wait_for_timeout(1500)  # let the charts finish drawing
    pdf_path = tmp_path / "neljannesvuosiraportti.pdf"
    page.pdf(path=str(pdf_path), format="A4", print_background=True, prefer_css_page_size=True)
    pdf = pdf_path.read_bytes()
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 2 <= pages <= 8, pages
    # Every printed page carries the footer (organisation, unit, period, print date) and its page number.
    footer = (f"Järvi-Suomen hyvinvointialue · Terveysasemat · {_quarter_label(last_quarter)} · "
              f"tulostettu {today.day}.{today.month}.{today.year}")
    for number in range(1, pages + 1):
        text = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), "-layout", str(pdf_path), "-"],
                              capture_output=True, text=True, check=True).stdout
        assert footer in text, (number, text[-400:])
        assert f"sivu {number} / {pages}" in text, (number, text[-400:])
        # No app chrome on paper: the back link, the print hint, the PDF button and the comment form stay home.
        assert "Takaisin raportointiin" not in text and "Lataa PDF" not in text and "Tallenna kommentti" not in text, number
    if shutil.which("pdftoppm"):
        SCREENSHOTS.mkdir(exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "3", str(pdf_path),
                        str(SCREENSHOTS / "report-pdf")], check=True)
        assert (SCREENSHOTS / "report-pdf-1.png").exists()
    shutil.copy(pdf_path, SCREENSHOTS / "report.pdf")
    assert page_errors == []
