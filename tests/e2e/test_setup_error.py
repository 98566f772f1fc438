"""A server started without sign-in or demo mode, in a real browser: each of the app's addresses shows the
configuration error where it was asked for, with no list of the app's files in the sidebar."""
from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import ROOT
from tests.e2e.conftest import DemoServer, _free_port, serving_app, shot

NOT_CONFIGURED = "kirjautumista ei ole määritetty"


@pytest.fixture(scope="module")
def unconfigured_server(tmp_path_factory) -> Iterator[DemoServer]:
    secrets = ROOT / ".streamlit" / "secrets.toml"
    if secrets.exists() and "[auth]" in secrets.read_text(encoding="utf-8"):
        pytest.skip("this checkout's own .streamlit/secrets.toml configures sign-in")
    workdir = tmp_path_factory.mktemp("unconfigured")
    env = {key: value for key, value in os.environ.items() if not key.startswith("VARTTI_")}
    env.update({"VARTTI_DATABASE_URL": f"sqlite:///{workdir / 'vartti.db'}", "PYTHONUNBUFFERED": "1"})
    with serving_app(env, port=_free_port(), log_path=workdir / "streamlit.log") as server:
        yield server


@pytest.fixture
def plain_page(browser, unconfigured_server) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="fi-FI")
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.mark.parametrize("path", ["", "huddle", "admin", "public"])
def test_every_address_shows_the_configuration_error_in_place_and_no_file_list(plain_page, unconfigured_server,
                                                                              path):
    plain_page.goto(unconfigured_server.url("/" + path))
    expect(plain_page.get_by_text(NOT_CONFIGURED)).to_be_visible(timeout=60_000)
    shot(plain_page, f"setup-error-{path or 'root'}")
    expect(plain_page.get_by_test_id("stSidebarNav")).to_have_count(0)
    expect(plain_page.get_by_text("Page not found")).to_have_count(0)
    assert plain_page.url.rstrip("/") == unconfigured_server.url("/" + path).rstrip("/")
