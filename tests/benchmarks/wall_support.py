"""What the wall-screen benchmarks share: a private server, kiosk links, the server's CPU time, and a
watch on each page's websocket that tells when a board refresh was asked for and when it was done."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run",
                 # Pages in background tabs must keep their timers running like a wall screen's browser does.
                 "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                 "--disable-backgrounding-occluded-windows"]
TICKS = os.sysconf("SC_CLK_TCK")
ADMIN = "demo:paakayttaja"  # the demo county's admin issues the kiosk links


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (from /proc, so a loaded machine does not inflate it)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def descendants_cpu_seconds(root: int, *, skip: int | None = None) -> float:
    """CPU seconds of the running descendants of process `root` (the browser under Playwright), leaving out
    `skip`'s own tree (the server)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    total = 0.0
    for pid in parents:
        ancestor, inside = parents.get(pid), False
        while ancestor:
            if ancestor == skip:
                break
            if ancestor == root:
                inside = True
                break
            ancestor = parents.get(ancestor)
        if inside and pid != skip:
            try:
                total += cpu_seconds(pid)
            except OSError:
                continue
    return total


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(base_url + "/_stcore/health", timeout=2) as answer:
            return answer.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen

    def url(self, path: str) -> str:
        return self.base_url + path

    def cpu(self) -> float:
        return cpu_seconds(self.process.pid)


@contextmanager
def serving(database: Path, *, log: Path, env: dict[str, str] | None = None,
            extra_args: tuple[str, ...] = (), profile: Path | None = None) -> Iterator[Server]:
    """`streamlit run app.py` in demo mode on a free port over `database`, as the README starts it (with every
    script run profiled into `profile` when given)."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("VARTTI_")}
    environment.update({"VARTTI_DEMO": "1", "VARTTI_DATABASE_URL": f"sqlite:///{database}", "PYTHONUNBUFFERED": "1",
                        **(env or {})})
    launcher = ["-m", "streamlit"]
    if profile is not None:
        environment["VARTTI_PROFILE_OUT"] = str(profile)
        launcher = [str(Path(__file__).with_name("profiled_streamlit.py"))]
    command = [sys.executable, *launcher, "run", str(ROOT / "app.py"), "--server.address", "127.0.0.1",
               "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
               *extra_args]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while not _healthy(base_url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start; see {log}")
            time.sleep(0.3)
        yield Server(base_url, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def kiosk_links(database: Path, units: list[str]) -> dict[str, str]:
    """A kiosk token for each unit, issued by the demo admin in the database (the way /admin issues them)."""
    from data.access import viewer_for
    from data.db import make_engine, session_scope
    from data.kiosk import create_kiosk_link

    engine = make_engine(f"sqlite:///{database}")
    try:
        with session_scope(engine, write=True) as session:
            admin = viewer_for(session, subject="bench", name="bench", principals=[ADMIN])
            now = datetime.now(timezone.utc).replace(tzinfo=None)
            return {unit: create_kiosk_link(session, viewer=admin, unit_code=unit, label=f"bench {unit}", now=now,
                                            valid_days=2) for unit in dict.fromkeys(units)}
    finally:
        engine.dispose()


@dataclass
class RunWatch:
    """One page's script runs seen on its websocket: when each was asked for and when it finished."""

    name: str
    asked: list[tuple[float, bool]] = field(default_factory=list)   # (time, is a fragment refresh)
    done: list[tuple[float, float, bool]] = field(default_factory=list)  # (asked at, finished at, fragment)
    errors: list[str] = field(default_factory=list)

    def on_sent(self, payload) -> None:
        if isinstance(payload, str):
            return
        message = BackMsg()
        try:
            message.ParseFromString(payload)
        except Exception:  # noqa: BLE001 - not a message of ours
            return
        if message.WhichOneof("type") == "rerun_script":
            self.asked.append((time.monotonic(), bool(message.rerun_script.fragment_id)))

    def on_received(self, payload) -> None:
        if isinstance(payload, str):
            return
        message = ForwardMsg()
        try:
            message.ParseFromString(payload)
        except Exception:  # noqa: BLE001
            return
        kind = message.WhichOneof("type")
        if kind == "script_finished" and self.asked:
            at, fragment = self.asked.pop(0)
            self.done.append((at, time.monotonic(), fragment))
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element" and \
                message.delta.new_element.WhichOneof("type") == "exception":
            self.errors.append(message.delta.new_element.exception.message[:200])

    def refreshes(self) -> list[float]:
        """Seconds from asking for each fragment refresh to its end."""
        return [end - start for start, end, fragment in self.done if fragment]


def watch(page, name: str) -> RunWatch:
    """Follow the page's Streamlit websocket (attach before the page is opened)."""
    run = RunWatch(name)

    def attach(ws) -> None:
        if "_stcore/stream" in ws.url:
            ws.on("framesent", run.on_sent)
            ws.on("framereceived", run.on_received)

    page.on("websocket", attach)
    return run


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]
