"""The documented reverse proxy (Debian's nginx with deploy/vartti-proxy.conf) in front of `streamlit run`:
it adds the security headers and a Secure flag on cookies, and the app still works through it."""
from __future__ import annotations

import dataclasses
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import STARTUP_SECONDS, DemoServer, _free_port, _healthy, _stop, goto

ROOT = Path(__file__).resolve().parents[2]
SNIPPET = ROOT / "deploy" / "vartti-proxy.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

# The parts of deploy/nginx.conf around the snippet, without TLS (the test speaks plain HTTP on 127.0.0.1).
MAIN = """
daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}
    upstream vartti {{ server {app}; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{ include {snippet}; }}
    }}
}}
"""


@pytest.fixture(scope="module")
def proxy(demo_server: DemoServer, tmp_path_factory) -> Iterator[DemoServer]:
    """nginx on a free port of 127.0.0.1 in front of the demo server: the same server, reached through it."""
    if not Path(NGINX).exists():
        pytest.fail("nginx is missing: install Debian's nginx (`make test` does it)")
    tmp = tmp_path_factory.mktemp("nginx")
    port = _free_port()
    config = tmp / "nginx.conf"
    config.write_text(MAIN.format(tmp=tmp, port=port, snippet=SNIPPET,
                                  app=demo_server.base_url.removeprefix("http://")), encoding="utf-8")
    process = subprocess.Popen([NGINX, "-c", str(config), "-p", str(tmp)], stdout=subprocess.DEVNULL,
                               stderr=open(tmp / "stderr.log", "wb"))
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while not _healthy(base_url):
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            pytest.fail("nginx did not start: " + (tmp / "stderr.log").read_text() + (tmp / "error.log").read_text())
        time.sleep(0.2)
    try:
        yield dataclasses.replace(demo_server, base_url=base_url)
    finally:
        _stop(process)


def _headers(url: str):
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.headers


def test_the_proxy_adds_the_security_headers_streamlit_cannot(proxy: DemoServer):
    headers = _headers(proxy.url("/"))
    policy = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
    assert "script-src 'self' 'unsafe-eval' 'sha256-" in policy and "unsafe-inline';" not in policy.split("style-src")[0]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Strict-Transport-Security"].startswith("max-age=63072000")


def test_the_proxy_marks_streamlits_cookies_secure(proxy: DemoServer, demo_server: DemoServer):
    # The health check sets Streamlit's XSRF cookie; served over plain HTTP, Streamlit does not mark it Secure.
    direct = _headers(demo_server.url("/_stcore/health")).get_all("Set-Cookie")
    assert direct and not [c for c in direct if "; secure" in c.lower()]
    cookies = _headers(proxy.url("/_stcore/health")).get_all("Set-Cookie")
    assert cookies and all("; secure" in c.lower() and "samesite=lax" in c.lower() for c in cookies)


def test_the_app_works_through_the_proxy_without_a_content_security_policy_violation(page: Page, proxy: DemoServer):
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.on("pageerror", lambda error: refused.append(str(error)))
    goto(page, proxy, "/public", text="Palautteesi vaikutti", demo_person=None)
    goto(page, proxy, "/huddle?unit=IKA-KH-ITA", text="Suositteluindeksi (NPS), 30 pv")
    # The chart (Vega) and the websocket (every click above) worked under the policy.
    assert page.locator("canvas, svg.marks").first.is_visible()
    assert refused == [], "\n".join(refused)
