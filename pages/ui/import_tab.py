"""The "Tuonnit" tab of /admin: upload with a dry-run preview, the runs, rejects to correct, unit mappings."""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from sqlalchemy.exc import IntegrityError, OperationalError

from auth.access import AccessDenied
from auth.roles import Permission
from data.db import session_scope
from data.editing import StaleEdit, UnknownItem
from data.feedback_files import (
    NATIVE_FIELDS,
    UnknownProfile,
    load_profile,
    profile_names,
)
from data.file_reading import FileUnusable
from data.import_pipeline import ImportSummary, RejectRow
from data.import_worker import PrepareFailed, PrepareTimedOut, prepare_apart
from data.imports import ImportRefused, PreparedImport, may_import, store_import
from data.rejects import (
    REJECTS_PAGE,
    correct_reject,
    count_rejects,
    list_rejects,
    list_runs,
    reimport_rejects,
    unmapped_unit_names,
)
from data.unit_mappings import list_unit_mappings, map_unit
from data.units import UnknownUnit, list_units
from pages.ui import drop_folder_panel
from pages.ui import format as fmt
from pages.ui.context import AppContext
from pages.ui.plain import inert, ours
from pages.ui.refusal import refuse
from pages.ui.saving import saving
from pages.ui.texts import known, t

_MESSAGE = "admin.import.message"
_PREVIEW = "admin.import.preview_result"
RUN_COUNTS = ("read", "inserted", "duplicates", "conflicts", "rejected", "redacted")



def render(context: AppContext) -> None:
    """The whole tab for an admin (the services refuse anyone else)."""
    language = context.language

    def tr(key: str, **values) -> str:
        return t(key, language, **values)

    with session_scope(context.engine) as session:
        allowed = may_import(session, viewer=context.viewer)
    if not allowed:
        refuse(context, AccessDenied(Permission.IMPORT_FEEDBACK, "import"))
        return
    kind, message = st.session_state.pop(_MESSAGE, (None, None))
    if kind:
        getattr(st, kind)(message)
    st.write(tr("admin.import.intro"))
    _upload(context, tr)
    drop_folder_panel.render(context, tr)
    _runs(context, tr)
    _rejects(context, tr)
    _mappings(context, tr)


def _reason(tr, reason: str, detail: str = "") -> str:
    if detail.isdigit():   # a limit: grouped the reader's way (1 000 000)
        detail = fmt.number(int(detail))
    try:
        return tr(reason, detail=inert(detail))
    except KeyError:
        return inert(reason)


def _summary_message(tr, summary: ImportSummary) -> str:
    return tr("admin.import.done", inserted=summary.inserted, duplicates=summary.duplicates,
              conflicts=summary.conflicts, rejected=summary.rejected)


def _write(context: AppContext, change: Callable, done: Callable[[object], tuple[str, str]], tr) -> None:
    """Run one change in its own transaction, then show what happened after the rerun."""
    try:
        with saving(context.engine) as session:
            result = change(session)
    except AccessDenied as denied:
        refuse(context, denied)
        return
    except FileUnusable as problem:
        st.error(tr("admin.import.unusable", reason=_reason(tr, problem.reason, problem.detail)))
        return
    except (StaleEdit, IntegrityError):
        # IntegrityError: another import stored some of the file's keys since it was read.
        st.session_state[_MESSAGE] = ("warning", tr("admin.import.stale"))
        st.rerun()
    except (ImportRefused, UnknownUnit, UnknownItem, UnknownProfile) as problem:
        st.error(tr("admin.invalid", problem=inert(problem)))
        return
    st.session_state[_MESSAGE] = done(result)
    st.rerun()


def _profile_name(tr, name: str) -> str:
    """A profile by its name in the reader's language; a profile added later without one keeps its description."""
    key = f"admin.import.profile_name.{name}"
    return tr(key) if known(key) else load_profile(name).description


def _upload(context: AppContext, tr) -> None:
    names = profile_names()
    with st.form("import-upload"):
        upload = st.file_uploader(tr("admin.import.upload"), type=["csv", "txt", "xlsx"], key="import-file")
        profile = st.selectbox(tr("admin.import.profile"), names, key="import-profile",
                               format_func=lambda name: _profile_name(tr, name))
        preview_col, import_col = st.columns(2)
        preview = preview_col.form_submit_button(tr("admin.import.preview"))
        run = import_col.form_submit_button(tr("admin.import.run"), type="primary")
    if not (preview or run) or upload is None:
        return
    content, file_name = upload.getvalue(), upload.name
    prepared = _prepare(context, tr, content, file_name, profile)
    if prepared is None:
        return
    if preview:
        st.subheader(tr("admin.import.preview_title"))
        _show_summary(tr, prepared.summary)
        if prepared.summary.rejects:
            _reject_table(tr, prepared.summary.rejects, with_file=False)
        return
    _write(context, lambda session: store_import(session, actor=context.viewer, prepared=prepared, now=context.now()),
           lambda summary: ("success" if summary.all_taken else "warning", _summary_message(tr, summary)), tr)


def _prepare(context: AppContext, tr, content: bytes, file_name: str, profile: str) -> PreparedImport | None:
    """Read the upload in a separate process, bounded in time and memory; Cancel (any rerun) ends it."""
    status = st.empty()
    st.button(tr("admin.import.cancel"), key="import-cancel")

    def waiting(elapsed: float) -> None:
        # Each update is a point where Streamlit stops this run when the admin presses Cancel or leaves;
        # prepare_apart then kills the process.
        status.caption(tr("admin.import.reading", seconds=fmt.number(round(elapsed))))

    try:
        return prepare_apart(context.engine, actor=context.viewer, content=content, file_name=file_name,
                             profile=profile, seconds=context.settings.import_seconds,
                             limits=context.settings.import_limits, memory_mb=context.settings.import_mb,
                             waiting=waiting)
    except AccessDenied as denied:
        refuse(context, denied)
    except FileUnusable as problem:
        st.error(tr("admin.import.unusable", reason=_reason(tr, problem.reason, problem.detail)))
    except UnknownProfile as problem:
        st.error(tr("admin.invalid", problem=problem))
    except PrepareTimedOut as problem:
        st.error(tr("admin.import.parse_timeout", seconds=fmt.number(problem.seconds)))
    except PrepareFailed:
        st.error(tr("admin.import.parse_failed"))
    except OperationalError:
        st.error(tr("error.database_unreachable"))
    finally:
        status.empty()
    return None


def _show_summary(tr, summary: ImportSummary) -> None:
    columns = st.columns(len(RUN_COUNTS))
    for column, name in zip(columns, RUN_COUNTS):
        column.metric(tr(f"admin.import.col.{name}"), fmt.number(getattr(summary, name)))
    for note in summary.notes:
        st.info(tr(f"import.note.{note}"))


def _reject_table(tr, rejects: list[RejectRow], *, with_file: bool) -> None:
    rows = []
    for r in rejects:
        row = {tr("admin.import.col.row"): r.row_number, tr("admin.import.col.column"): r.column,
               tr("admin.import.col.reason"): _reason(tr, r.reason)}
        if with_file:
            row = {tr("admin.import.col.file"): f"#{r.run_id} {r.file_name}", **row}
        rows.append(row)
    st.dataframe(rows, hide_index=True, width="stretch")


def _runs(context: AppContext, tr) -> None:
    st.subheader(tr("admin.import.runs"))
    try:
        with session_scope(context.engine) as session:
            runs = list_runs(session, viewer=context.viewer)
    except AccessDenied as denied:
        refuse(context, denied)
        return
    if not runs:
        st.info(tr("admin.import.no_runs"))
        return
    st.dataframe(
        [{tr("admin.import.col.when"): f"{fmt.day(r.started_at)} {fmt.clock(r.started_at)}",
          tr("admin.import.col.who"): r.actor, tr("admin.import.col.file"): f"#{r.id} {r.file_name}",
          tr("admin.import.col.profile"): r.profile,
          **{tr(f"admin.import.col.{name}"): fmt.number(getattr(r, name)) for name in RUN_COUNTS},
          tr("admin.import.col.open"): fmt.number(r.open_rejects)}
         for r in runs], hide_index=True, width="stretch")


def _rejects(context: AppContext, tr) -> None:
    st.subheader(tr("admin.import.rejects"))
    with session_scope(context.engine) as session:
        total = count_rejects(session, viewer=context.viewer)
    if not total:
        st.info(tr("admin.import.no_rejects"))
        return
    st.write(tr("admin.import.rejects_intro"))
    # Rejects are loaded a page at a time: a file may have left millions of them.
    pages = -(-total // REJECTS_PAGE)
    page = 1
    if pages > 1:
        page = int(st.number_input(tr("admin.import.rejects_page"), min_value=1, max_value=pages, value=1,
                                   step=1, key="import-rejects-page"))
    first = (page - 1) * REJECTS_PAGE
    with session_scope(context.engine) as session:
        rejects = list_rejects(session, viewer=context.viewer, limit=REJECTS_PAGE, offset=first)
    if not rejects:
        st.info(tr("admin.import.no_rejects"))
        return
    st.caption(tr("admin.import.rejects_count", total=fmt.number(total), first=fmt.number(first + 1),
                  last=fmt.number(first + len(rejects))))
    _reject_table(tr, rejects, with_file=True)
    if st.button(tr("admin.import.reimport_all"), key="import-reimport-all"):
        _write(context, lambda session: reimport_rejects(session, viewer=context.viewer, reject_ids=None,
                                                          now=context.now()),
               lambda s: ("success", tr("admin.import.reimported", inserted=s.inserted,
                                        duplicates=s.duplicates, rejected=s.rejected + s.conflicts)), tr)
    by_id = {r.id: r for r in rejects}
    chosen = st.selectbox(tr("admin.import.which_reject"), list(by_id), key="import-reject",
                          format_func=lambda i: f"#{by_id[i].run_id} {by_id[i].file_name} · "
                                                f"{tr('admin.import.col.row')} {by_id[i].row_number} · "
                                                f"{by_id[i].column}: {_reason(tr, by_id[i].reason)}")
    reject = by_id[chosen]
    with st.form(f"import-correct-{reject.id}-{reject.version}"):
        fields = [name for name in NATIVE_FIELDS if name in reject.data]
        values = {name: st.text_input(ours(name), value=str(reject.data.get(name) or ""), key=f"reject-{reject.id}-{name}")
                  for name in fields}
        if st.form_submit_button(tr("admin.import.correct"), type="primary"):
            _write(context, lambda session: correct_reject(session, viewer=context.viewer, reject_id=reject.id,
                                                           seen_version=reject.version, data=values, now=context.now()),
                   lambda s: _correction_message(tr, s), tr)


def _correction_message(tr, summary: ImportSummary) -> tuple[str, str]:
    if summary.inserted or summary.duplicates:
        return "success", tr("admin.import.corrected")
    return "error", tr("admin.import.still_rejected", reason=_summary_message(tr, summary))


def _mappings(context: AppContext, tr) -> None:
    st.subheader(tr("admin.import.mappings"))
    st.write(tr("admin.import.mappings_intro"))
    with session_scope(context.engine) as session:
        mappings = list_unit_mappings(session, viewer=context.viewer)
        wanted = unmapped_unit_names(session, viewer=context.viewer)
        units = {u.code: f"{u.name_fi} ({u.code})" for u in
                 list_units(session, viewer=context.viewer, permission=Permission.IMPORT_FEEDBACK)}
    if mappings:
        st.dataframe([{tr("admin.import.col.source"): m.source, tr("admin.import.map_name"): m.source_name,
                       tr("admin.col.unit"): f"{m.unit_name} ({m.unit_code})"} for m in mappings],
                     hide_index=True, width="stretch")
    else:
        st.info(tr("admin.import.no_mappings"))
    if not wanted:
        return
    with st.form("import-map-unit"):
        pair = st.selectbox(tr("admin.import.map_name"), wanted, format_func=lambda p: f"{p[1]} ({p[0]})",
                            key="import-map-name")
        unit = st.selectbox(tr("admin.col.unit"), list(units), format_func=units.get, key="import-map-unit")
        if st.form_submit_button(tr("admin.import.map"), type="primary"):
            _write(context, lambda session: map_unit(session, viewer=context.viewer, source=pair[0],
                                                     source_name=pair[1], unit_code=unit or "", now=context.now()),
                   lambda _: ("success", tr("admin.import.mapped")), tr)
