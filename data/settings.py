"""Plain settings parsed from the environment (or Streamlit secrets, merged by app.py)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone

from board.kanban import WipLimits, parse_wip_limits
from board.periods import as_utc_naive, parse_local_or_aware
from board.replies import ReplyPolicy
from data.file_reading import ImportLimits

DEFAULT_DATABASE_URL = "sqlite:///data/vartti.db"
DEFAULT_TEST_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


class SettingsError(ValueError):
    """A setting has a value Vartti cannot use; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    demo: bool = False
    reply_days: int = 14
    min_n: int = 5
    session_hours: int = 12
    graph_url: str = "https://graph.microsoft.com"
    graph_ca_bundle: str | None = None
    wip_limits: WipLimits = field(default_factory=WipLimits)
    # The public page's links (None: the text is shown without a link).
    feedback_url: str | None = None
    complaint_url: str | None = None
    accessibility_contact: str | None = None
    # VARTTI_NOW: the business clock pinned to one moment (naive UTC), for tests and demos of a given day.
    pinned_now: datetime | None = None
    # An uploaded file is prepared in a separate process ended after this many seconds / megabytes.
    import_seconds: int = 120
    import_mb: int = 2048
    # How big a feedback file may be (VARTTI_IMPORT_MAX_*); on by default.
    import_limits: ImportLimits = field(default_factory=ImportLimits)
    # VARTTI_DROP_DIR: the folder `python -m data import-dir` watches, shown on /admin → Tuonnit (None: not in use).
    drop_dir: str | None = None
    # The huddle board says so aloud when a source's newest answer is older than this (calendar days).
    stale_days: int = 3

    @property
    def reply_policy(self) -> ReplyPolicy:
        return ReplyPolicy(days=self.reply_days)

    def now(self) -> datetime:
        """The business clock: the pinned moment when VARTTI_NOW is set, else the real time (naive UTC)."""
        return self.pinned_now or as_utc_naive(datetime.now(timezone.utc))


def _positive_int(values: Mapping[str, str], name: str, default: int) -> int:
    raw = str(values.get(name, "") or "").strip()
    if not raw:
        return default
    try:
        number = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if number < 1:
        raise SettingsError(f"{name} must be at least 1, got {number}")
    return number


def _wip_limits(values: Mapping[str, str], name: str) -> WipLimits:
    raw = str(values.get(name, "") or "")
    try:
        return parse_wip_limits(raw)
    except ValueError as problem:
        raise SettingsError(f"{name}: {problem}") from None


def _link(values: Mapping[str, str], name: str) -> str | None:
    raw = str(values.get(name, "") or "").strip()
    if not raw:
        return None
    if not raw.startswith(("https://", "http://", "mailto:")):
        raise SettingsError(f"{name} must be an https://, http:// or mailto: address, got {raw!r}")
    return raw


def _pinned_now(values: Mapping[str, str], name: str, demo: bool) -> datetime | None:
    raw = str(values.get(name, "") or "").strip()
    if not raw:
        return None
    # A fake clock on a production server would put real replies' deadlines in the wrong place.
    if not demo:
        raise SettingsError(f"{name} pins the clock for tests and demos only; it needs VARTTI_DEMO=1")
    try:
        return parse_local_or_aware(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an ISO 8601 time such as 2027-03-28T02:30, got {raw!r}") from None


def _import_limits(values: Mapping[str, str]) -> ImportLimits:
    default = ImportLimits()
    return ImportLimits(
        max_bytes=_positive_int(values, "VARTTI_IMPORT_MAX_BYTES", default.max_bytes),
        max_rows=_positive_int(values, "VARTTI_IMPORT_MAX_ROWS", default.max_rows),
        max_columns=_positive_int(values, "VARTTI_IMPORT_MAX_COLUMNS", default.max_columns),
        max_cell_chars=_positive_int(values, "VARTTI_IMPORT_MAX_CELL_CHARS", default.max_cell_chars),
        max_unzipped_bytes=_positive_int(values, "VARTTI_IMPORT_MAX_UNZIPPED_BYTES", default.max_unzipped_bytes),
    )


def load_settings(values: Mapping[str, str]) -> Settings:
    """Read VARTTI_* settings from a mapping; unset means the documented default."""
    demo = str(values.get("VARTTI_DEMO", "")).strip().lower() in {"1", "true", "yes"}
    return Settings(
        database_url=str(values.get("VARTTI_DATABASE_URL") or DEFAULT_DATABASE_URL).strip(),
        demo=demo,
        pinned_now=_pinned_now(values, "VARTTI_NOW", demo),
        reply_days=_positive_int(values, "VARTTI_REPLY_DAYS", 14),
        min_n=_positive_int(values, "VARTTI_MIN_N", 5),
        session_hours=_positive_int(values, "VARTTI_SESSION_HOURS", 12),
        graph_url=str(values.get("VARTTI_GRAPH_URL") or "https://graph.microsoft.com").rstrip("/"),
        graph_ca_bundle=str(values.get("VARTTI_GRAPH_CA_BUNDLE") or "") or None,
        wip_limits=_wip_limits(values, "VARTTI_WIP_LIMITS"),
        feedback_url=_link(values, "VARTTI_FEEDBACK_URL"),
        complaint_url=_link(values, "VARTTI_COMPLAINT_URL"),
        accessibility_contact=_link(values, "VARTTI_ACCESSIBILITY_CONTACT"),
        import_seconds=_positive_int(values, "VARTTI_IMPORT_SECONDS", 120),
        import_mb=_positive_int(values, "VARTTI_IMPORT_MB", 2048),
        import_limits=_import_limits(values),
        drop_dir=str(values.get("VARTTI_DROP_DIR") or "").strip() or None,
        stale_days=_positive_int(values, "VARTTI_STALE_DAYS", 3),
    )
