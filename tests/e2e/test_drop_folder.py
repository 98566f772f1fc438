"""Issue 15's "feedback arrives by itself" in real Chromium: a file dropped into the drop folder appears in
the supervisor's inbox without anyone uploading it, and the admin sees the folder on /admin → Tuonnit."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta, timezone
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from board.periods import HELSINKI
from data.db import make_engine, session_scope
from data.models import Feedback
from tests.conftest import ROOT, pinned_clock
from tests.e2e.conftest import demo_county, goto, settled_shot, wait_for_app
from tests.import_support import native_csv, native_row

pytestmark = pytest.mark.e2e

ADMIN = "Pääkäyttäjä – koko hyvinvointialue"
SUPERVISOR = "Esihenkilö – Keskustan terveysasema"
UNIT = "PTH-TA-KESK"
ANSWER = "Pudotuskansion kautta tullut palaute: odotusaula oli liian kylmä."
DEADLINE = 90


def _drop(folder: Path, name: str, content: bytes) -> None:
    """A file written under a temporary name and renamed when complete, as an SFTP client does."""
    (folder / f"{name}.part").write_bytes(content)
    landed = time.time() - 60   # landed a minute ago: settled, taken at the watcher's next look
    os.utime(folder / f"{name}.part", (landed, landed))
    (folder / f"{name}.part").rename(folder / name)


def _until(condition, what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {DEADLINE} s"
        time.sleep(0.1)


@pytest.fixture
def dropping(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("drop-server")
    folder = workdir / "drop"
    folder.mkdir()
    with demo_county(workdir, pinned_clock(), {"VARTTI_DROP_DIR": str(folder)}) as server:
        watcher = subprocess.Popen([sys.executable, "-m", "data", "import-dir", str(folder), "--interval", "0.5"],
                                   cwd=ROOT, env=server.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        try:
            yield server, folder
        finally:
            watcher.send_signal(signal.SIGTERM)
            watcher.communicate(timeout=60)


def test_a_file_dropped_into_the_folder_appears_in_the_inbox_and_on_the_admin_page(page: Page, dropping,
                                                                                   page_errors):
    server, folder = dropping
    # Twenty minutes before the server's (pinned) now: the newest item of the inbox.
    local = (server.now() - timedelta(minutes=20)).replace(tzinfo=timezone.utc).astimezone(HELSINKI)
    row = native_row("drop-1", source="kioski", unit_code=UNIT, received_at=local.strftime("%Y-%m-%dT%H:%M:%S"),
                     nps="3", open_answer=ANSWER, reply_requested="0")
    _drop(folder, "kioski-2026-11-23.csv", native_csv([row]).encode())
    _drop(folder, "rikki.csv", b"\x00\xff" * 64)
    _until(lambda: (folder / "done" / "kioski-2026-11-23.csv").exists()
           and (folder / "unreadable" / "rikki.csv").exists(), "the watcher taking both files")

    engine = make_engine(server.env["VARTTI_DATABASE_URL"])
    try:
        with session_scope(engine) as session:
            stored = session.exec(select(Feedback).where(Feedback.source == "kioski",
                                                         Feedback.source_id == "drop-1")).one()
    finally:
        engine.dispose()

    goto(page, server, "/inbox", text=ANSWER, demo_person=SUPERVISOR)
    expect(page.locator(f".st-key-inbox-item-{stored.id}")).to_contain_text(ANSWER)
    settled_shot(page, "drop-1-inbox")

    goto(page, server, "/admin", "Ylläpito", demo_person=ADMIN)
    page.get_by_role("tab", name="Tuonnit").click()
    wait_for_app(page, "Pudotuskansio")
    expect(page.get_by_text("Viimeksi tuotu").first).to_contain_text("kioski-2026-11-23.csv")
    expect(page.get_by_text("Nämä tiedostot odottavat tarkistusta")).to_be_visible()
    page.get_by_text("Pudotuskansio", exact=True).scroll_into_view_if_needed()
    settled_shot(page, "drop-2-admin")
    assert page_errors == []
