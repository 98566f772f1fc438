"""The tables (times are naive UTC, as in board/): organisation tree, feedback in the national model, themes, actions, audit events."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, Column, Index, MetaData, Text, UniqueConstraint, text
from pydantic import NaiveDatetime
from sqlmodel import Field, SQLModel

# Alembic needs stable constraint names to alter SQLite tables in batch mode.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata

LEVELS = ("county", "result_area", "service_area", "unit")
CHANNELS = ("toimipiste", "verkko", "chat_video", "puhelin", "kotikaynti")
COLLECTIONS = ("web", "kiosk", "sms", "tablet", "email", "phone", "paper", "social")
LANGUAGES = ("fi", "sv", "en")


class Unit(SQLModel, table=True):
    """A node of the organisation tree; `path` lists the ids from the root, e.g. "/1/4/17/"."""

    __tablename__ = "unit"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    parent_id: int | None = Field(default=None, foreign_key="unit.id")
    path: str = Field(default="", max_length=400, index=True)
    name_fi: str = Field(max_length=200)
    name_sv: str = Field(default="", max_length=200)
    name_en: str = Field(default="", max_length=200)
    level: str = Field(max_length=20)
    active: bool = True

    def name(self, language: str = "fi") -> str:
        return getattr(self, f"name_{language}", "") or self.name_fi


# A reply asked for, neither sent nor waived: the inbox's "awaiting" filter, word for word (a partial index).
AWAITING_REPLY = "reply_requested AND replied_at IS NULL AND no_reply_reason IS NULL"


class Feedback(SQLModel, table=True):
    """One answer to the national feedback form, with its reply tracking."""

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("source", "source_id", name="uq_feedback_source_source_id"),
        Index("ix_feedback_unit_received", "unit_id", "received_at"),
        Index("ix_feedback_unit_reply", "unit_id", "reply_requested", "replied_at", "received_at"),
        # The huddle board's "asiakkaan ääni" reads the few picked quotes of a subtree among up to
        # 500 000 rows a year; without this index it would scan all of the subtree's feedback.
        Index("ix_feedback_quote_picked", "quote_picked_at"),
        # The inbox at millions of rows (issue 16): newest first, detractors, replies awaiting. On PostgreSQL
        # migration 0014 adds trigram indexes for the text search when pg_trgm may be installed.
        Index("ix_feedback_received_id", "received_at", "id"),
        Index("ix_feedback_unit_nps", "unit_id", "nps", "received_at"),
        Index("ix_feedback_awaiting", "unit_id", "received_at",
              sqlite_where=text(AWAITING_REPLY), postgresql_where=text(AWAITING_REPLY)),
    )

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id")
    source: str = Field(max_length=40)
    source_id: str = Field(max_length=200)
    received_at: NaiveDatetime
    service_date: date | None = None
    channel: str | None = Field(default=None, max_length=20)
    collection: str | None = Field(default=None, max_length=20)
    nps: int | None = None
    saatavuus: int | None = None
    kohtaaminen: int | None = None
    osallistuminen: int | None = None
    turvallisuus: int | None = None
    tiedon_saanti: int | None = None
    ymmarrettavyys: int | None = None
    hyodyllisyys: int | None = None
    open_answer: str | None = Field(default=None, sa_column=Column(Text))
    free_text: str | None = Field(default=None, sa_column=Column(Text))
    reply_requested: bool = False
    replied_at: NaiveDatetime | None = None
    replied_by: str | None = Field(default=None, max_length=200)
    no_reply_reason: str | None = Field(default=None, max_length=400)
    service_code: str | None = Field(default=None, max_length=40)
    language: str | None = Field(default=None, max_length=2)
    quote_picked_at: NaiveDatetime | None = None
    redacted: bool = False
    # The colleague the reply is assigned to (issue 15): a supervisor's grant principal, and their name.
    assigned_to: str | None = Field(default=None, max_length=200, index=True)
    assigned_name: str | None = Field(default=None, max_length=200)
    version: int = 1


class Theme(SQLModel, table=True):
    """A recurring improvement theme of a unit, moving through the development stages."""

    __tablename__ = "theme"
    __table_args__ = (Index("ix_theme_unit_stage", "unit_id", "stage"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id")
    title: str = Field(max_length=200)
    # The title in Swedish and English for wall boards in those languages (issue 17); Finnish is `title`.
    title_sv: str | None = Field(default=None, max_length=200)
    title_en: str | None = Field(default=None, max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    stage: str = Field(max_length=30)
    owner: str | None = Field(default=None, max_length=200)
    stage_since: NaiveDatetime
    created_at: NaiveDatetime
    created_by: str = Field(max_length=200)
    escalated_to: str | None = Field(default=None, max_length=400)
    not_pursued_reason: str | None = Field(default=None, max_length=400)
    # When the theme first went to the development group: its feedback figures split here.
    development_started_at: NaiveDatetime | None = None
    # The theme's place in the "Tunnistettu" column, 1 first, set from a duel's result (issue 20); None: by age.
    priority: int | None = None
    # Issue 17: when the supervisor published the escalation target or the reason not to pursue
    # (the public page's loop figures); None: the reason stays internal, only counted.
    reason_published_at: NaiveDatetime | None = None
    version: int = 1


class ThemeFeedback(SQLModel, table=True):
    """Feedback linked to a theme."""

    __tablename__ = "theme_feedback"

    theme_id: int = Field(foreign_key="theme.id", primary_key=True)
    feedback_id: int = Field(foreign_key="feedback.id", primary_key=True, index=True)


class Action(SQLModel, table=True):
    """What was done about a theme; published when it has a public text and the switch is on."""

    __tablename__ = "action"
    __table_args__ = (Index("ix_action_theme_taken", "theme_id", "taken_on"),)

    id: int | None = Field(default=None, primary_key=True)
    theme_id: int = Field(foreign_key="theme.id")
    taken_on: date = Field(index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    public_text: str | None = Field(default=None, sa_column=Column(Text))
    # The public text in Swedish and English (issue 17); optional, Finnish (`public_text`) is shown marked instead.
    public_text_sv: str | None = Field(default=None, sa_column=Column(Text))
    public_text_en: str | None = Field(default=None, sa_column=Column(Text))
    # The national statement (board.likert.STATEMENT_KEYS) the action concerns, shown publicly.
    topic: str | None = Field(default=None, max_length=40)
    published_at: NaiveDatetime | None = None
    created_by: str = Field(max_length=200)
    created_at: NaiveDatetime
    version: int = 1


# Audit rows with no unit that may change any board: all but a person's own doings (sign-ins, sessions,
# denials, language preference), which no board shows. A partial index holds them, word for word; `coalesce`
# rather than `IS NULL` because SQLite's planner would otherwise walk (unit_id, id) through every sign-in.
BOARD_WIDE_AUDIT = "coalesce(unit_id, 0) = 0 AND entity NOT IN ('user', 'access', 'sign_in_session', 'user_preference')"


class AuditEvent(SQLModel, table=True):
    """Who changed what, when (UTC), from what to what."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_entity", "entity", "entity_id"),
        # A board's data revision (data/board_cache.py): the newest row of each unit of its subtree and
        # ancestors, one backward index probe each, and the newest board-wide row.
        Index("ix_audit_event_unit_id", "unit_id", "id"),
        Index("ix_audit_event_board_wide", "id",
              sqlite_where=text(BOARD_WIDE_AUDIT), postgresql_where=text(BOARD_WIDE_AUDIT)),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: NaiveDatetime = Field(index=True)
    actor: str = Field(max_length=200)
    action: str = Field(max_length=60)
    entity: str = Field(max_length=40)
    entity_id: str | None = Field(default=None, max_length=80)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class AccessGrant(SQLModel, table=True):
    """A role on a unit's subtree for a principal: an Entra group object id, a sub or an e-mail."""

    __tablename__ = "access_grant"
    __table_args__ = (UniqueConstraint("principal", "role", "unit_id", name="uq_access_grant_principal_role_unit"),)

    id: int | None = Field(default=None, primary_key=True)
    principal: str = Field(max_length=200, index=True)
    role: str = Field(max_length=20)
    unit_id: int = Field(foreign_key="unit.id")
    created_at: NaiveDatetime
    created_by: str = Field(max_length=200)


class KioskLink(SQLModel, table=True):
    """A wall screen's read-only link to one unit's board; only the token's hash is stored."""

    __tablename__ = "kiosk_link"

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    label: str = Field(max_length=200)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: NaiveDatetime
    created_by: str = Field(max_length=200)
    expires_at: NaiveDatetime | None = None
    revoked_at: NaiveDatetime | None = None
    revoked_by: str | None = Field(default=None, max_length=200)


class SignInSession(SQLModel, table=True):
    """One sign-in, kept on the server so that signing out (or an admin) ends it in every tab and for a copied cookie.

    Only a hash of the token's identifying claims is kept (`token_hash`), never the token.
    """

    __tablename__ = "sign_in_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    subject: str = Field(max_length=200, index=True)
    name: str = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=200, index=True)  # lower-cased, a trusted claim only
    issued_at: NaiveDatetime
    started_at: NaiveDatetime
    expires_at: NaiveDatetime
    ended_at: NaiveDatetime | None = None
    ended_by: str | None = Field(default=None, max_length=200)
    end_reason: str | None = Field(default=None, max_length=20)


class UserPreference(SQLModel, table=True):
    """What a signed-in person chose for themselves, kept across sessions: for now the interface language."""

    __tablename__ = "user_preference"

    subject: str = Field(primary_key=True, max_length=200)
    language: str = Field(max_length=2)
    updated_at: NaiveDatetime
    version: int = 1


class ImportRun(SQLModel, table=True):
    """One import of a feedback file (or of corrected rejects): when, who, what, and the counts."""

    __tablename__ = "import_run"

    id: int | None = Field(default=None, primary_key=True)
    started_at: NaiveDatetime = Field(index=True)
    actor: str = Field(max_length=200)
    file_name: str = Field(max_length=300)
    profile: str = Field(max_length=40)
    read: int = 0
    inserted: int = 0
    duplicates: int = 0
    conflicts: int = 0
    rejected: int = 0
    redacted: int = 0
    notes: list[str] | None = Field(default=None, sa_column=Column(JSON))
    # SHA-256 of a drop-folder file, stored with its rows: a file seen again is moved, not imported again.
    content_hash: str | None = Field(default=None, max_length=64, index=True)


class ImportReject(SQLModel, table=True):
    """A row an import could not store (or a conflict), kept screened for correction and re-import."""

    __tablename__ = "import_reject"
    __table_args__ = (Index("ix_import_reject_run_row", "run_id", "row_number"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="import_run.id")
    row_number: int
    column: str = Field(max_length=40)
    reason: str = Field(max_length=60)
    # The row as native field → text of the file, screened: no identity code or contact is kept.
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    resolved_at: NaiveDatetime | None = Field(default=None, index=True)
    resolved_by: str | None = Field(default=None, max_length=200)
    version: int = 1


class UnitMapping(SQLModel, table=True):
    """An admin's answer to "which unit is this?" for a unit name or code a source system uses."""

    __tablename__ = "unit_mapping"
    __table_args__ = (UniqueConstraint("source", "source_name", name="uq_unit_mapping_source_source_name"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=40)
    source_name: str = Field(max_length=200)
    unit_id: int = Field(foreign_key="unit.id")
    created_at: NaiveDatetime
    created_by: str = Field(max_length=200)


class AppSetting(SQLModel, table=True):
    """A county-wide switch an admin sets on /admin, e.g. staff names on the public page."""

    __tablename__ = "app_setting"

    key: str = Field(max_length=60, primary_key=True)
    value: str = Field(max_length=400)
    updated_at: NaiveDatetime
    updated_by: str = Field(max_length=200)
    version: int = 1


# The tables of later areas live in modules of their own; importing them here puts them in `metadata`.
from data import duel_tables, huddle_tables, notify_tables, report_tables, topic_tables  # noqa: E402,F401
from data import aggregate_tables  # noqa: E402,F401
