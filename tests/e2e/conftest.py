"""The demo county served by `streamlit run`, and Debian's Chromium driven by Playwright.

The pattern of Streamlit's own e2e_playwright/conftest.py: start the app on a free port, poll
`/_stcore/health` until it answers, drive the page, stop the server at the end.
"""
from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from data.settings import load_settings
from tests.conftest import pinned_clock

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).with_name("screenshots")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1920, "height": 1080}

STARTUP_SECONDS = 60  # the server must answer /_stcore/health within this
CLI_SECONDS = 180  # migrate, import or metrics
# seed-demo also trains the topic suggestions with cross-validated figures: about a minute on an idle machine,
# over 180 s on a 2-core CI machine shared with other jobs.
SEED_SECONDS = 900
STOP_SECONDS = 10  # a polite stop, then kill
PAGE_TIMEOUT_MS = 60_000  # a first run imports the app cold; on a loaded 2-core CI machine that took over 30 s
# What a page shows after a click may take seconds on a loaded 2-core machine: every expect waits this long.
expect.set_options(timeout=20_000)

APP = '[data-testid="stApp"]'
LOG_TAIL = 8_000


@dataclass(frozen=True)
class DemoServer:
    """A running `streamlit run app.py` on the seeded demo county."""

    base_url: str
    env: dict[str, str]
    process: subprocess.Popen
    log_path: Path

    def url(self, path: str) -> str:
        return self.base_url + path

    def now(self):
        """The moment the server's clock reads (pinned by VARTTI_NOW in the demo)."""
        return load_settings(self.env).now()

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        """`python -m data ARGS` against the server's database; fails the test on a non-zero exit."""
        return run_cli(self.env, *args)

    def metrics(self, unit: str) -> dict:
        return json.loads(self.cli("metrics", "--unit", unit).stdout)

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def log_since(self, offset: int) -> str:
        with self.log_path.open("rb") as log:
            log.seek(offset)
            return log.read().decode("utf-8", errors="replace")

    def log_tail(self) -> str:
        text = self.log_since(0)
        return text[-LOG_TAIL:]

    def require_alive(self) -> None:
        code = self.process.poll()
        if code is not None:
            pytest.fail(f"the streamlit server exited with code {code} during the tests (stopped from "
                        f"outside?); its log:\n{self.log_tail()}")


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "data", *args]
    timeout = SEED_SECONDS if args[:1] == ("seed-demo",) else CLI_SECONDS
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        pytest.fail(f"`python -m data {' '.join(args)}` exited {done.returncode}:\n"
                    f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}")
    return done


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(base_url + "/_stcore/health", timeout=2) as answer:
            return answer.status == 200 and answer.read().strip() == b"ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_SECONDS)


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory) -> Iterator[DemoServer]:
    """A fresh SQLite database with the demo county, served in demo mode with the suite's pinned clock."""
    workdir = tmp_path_factory.mktemp("e2e")
    with demo_county(workdir, pinned_clock()) as server:
        yield server


@contextmanager
def demo_county(workdir: Path, clock: str, settings: dict[str, str] | None = None) -> Iterator[DemoServer]:
    """The demo county loaded and served as of the moment `clock` (a VARTTI_NOW value) on a free port,
    with any further VARTTI_* `settings`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("VARTTI_")}
    env.update({
        "VARTTI_DEMO": "1",
        "VARTTI_NOW": clock,
        "VARTTI_DATABASE_URL": f"sqlite:///{workdir / 'vartti.db'}",
        "PYTHONUNBUFFERED": "1",
        **(settings or {}),
    })
    _seeded_copy(env, workdir / "vartti.db", (clock, tuple(sorted((settings or {}).items()))))
    with serving_app(env, port=_free_port(), log_path=workdir / "streamlit.log") as server:
        yield server


# The seeded demo county of each (clock, settings) this session, copied for every county after the first: the
# seeding is deterministic and costs minutes on a loaded machine.
_SEEDED: dict[tuple, Path] = {}


def _seeded_copy(env: dict[str, str], target: Path, key: tuple) -> None:
    """A migrated database with the demo county at `target`, seeded once per key and then copied."""
    template = _SEEDED.get(key)
    if template is None:
        template = Path(tempfile.mkdtemp(prefix="seeded-", dir=target.parent.parent)) / "vartti.db"
        seeding = {**env, "VARTTI_DATABASE_URL": f"sqlite:///{template}"}
        run_cli(seeding, "migrate")
        run_cli(seeding, "seed-demo")
        _SEEDED[key] = template
    # SQLite's online backup: a consistent copy whatever the journal mode left beside the file.
    with sqlite3.connect(template) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    source.close()
    copy.close()


@contextmanager
def serving_app(env: dict[str, str], *, port: int, log_path: Path,
                extra_args: tuple[str, ...] = ()) -> Iterator[DemoServer]:
    """`streamlit run app.py` on 127.0.0.1:port with `env`, healthy before it is handed over; stopped after."""
    base_url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--server.headless", "true",
        "--server.runOnSave", "false",
        # The tests run against the code as it was when the server started.
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
        *extra_args,
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    server = DemoServer(base_url=base_url, env=env, process=process, log_path=log_path)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _healthy(base_url):
            if process.poll() is not None:
                pytest.fail(f"streamlit exited with code {process.returncode} before it was healthy; "
                            f"its log:\n{server.log_tail()}")
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not answer {base_url}/_stcore/health within "
                            f"{STARTUP_SECONDS} s; its log:\n{server.log_tail()}")
            time.sleep(0.25)
        yield server
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`make test` does it)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, demo_server: DemoServer) -> Iterator[Page]:
    """A fresh browser context with the wall screen's viewport, in Finnish and Helsinki time."""
    context = browser.new_context(viewport=VIEWPORT, locale="fi-FI", timezone_id="Europe/Helsinki")
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
        demo_server.require_alive()


@pytest.fixture
def page_errors(page: Page) -> list[str]:
    """JavaScript errors the page throws (uncaught exceptions), collected as they happen."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def shot(page: Page, name: str) -> Path:
    """Save what the 1920×1080 viewport shows as tests/e2e/screenshots/NAME.png."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def settled_shot(page: Page, name: str) -> Path:
    """A screenshot once every widget is drawn (Streamlit shows grey placeholders while their code loads)."""
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=PAGE_TIMEOUT_MS)
    return shot(page, name)


def wait_for_app(page: Page, text: str | None = None, timeout: int = PAGE_TIMEOUT_MS) -> None:
    """Wait until Streamlit is connected and has finished running the script (and shows `text`).

    Right after a click the script may not have started yet, so pass the `text` the click
    should bring (or wait for the URL) rather than relying on the run state alone.
    """
    app = page.locator(APP)
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED", timeout=timeout)
    if text is not None:
        # The first visible match: the collapsed sidebar holds the page names too, hidden (WCAG 2.4.3).
        expect(page.get_by_text(text).filter(visible=True).first).to_be_visible(timeout=timeout)
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=timeout)
    # The status widget's "Running…" indicator (hidden with the header on the wall screen).
    page.wait_for_function(
        """() => ![...document.querySelectorAll('[data-testid="stStatusWidget"]')]
                  .some(widget => widget.offsetParent !== null && /Running/i.test(widget.textContent))""",
        timeout=timeout,
    )


COUNTY_DIRECTOR = "Hyvinvointialuejohtaja – koko hyvinvointialue"


def goto(page: Page, server: DemoServer, path: str, text: str | None = None,
         demo_person: str | None = COUNTY_DIRECTOR) -> None:
    """Open a path of the app, sign in there as a demo person (the page then opens), and wait."""
    server.require_alive()
    try:
        page.goto(server.url(path))
    except PlaywrightError:
        server.require_alive()
        raise
    if demo_person:
        wait_for_app(page, demo_person)
        page.get_by_role("button", name=demo_person, exact=True).click()
    wait_for_app(page, text)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test's report carries the tail of the server's log."""
    outcome = yield
    report = outcome.get_result()
    server = item.funcargs.get("demo_server") if hasattr(item, "funcargs") else None
    if report.failed and isinstance(server, DemoServer):
        report.sections.append(("streamlit server log (tail)", server.log_tail()))
