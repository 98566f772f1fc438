"""The drop folder on /admin → Tuonnit: its state, the last file taken from it, files waiting for a person."""
from __future__ import annotations

from datetime import datetime

import streamlit as st

from auth.access import AccessDenied
from board.periods import helsinki_date
from data.db import session_scope
from data.drop_folder import drop_folder_view
from pages.ui import format as fmt
from pages.ui.context import AppContext
from pages.ui.plain import inert
from pages.ui.refusal import refuse


def _when(moment: datetime) -> str:
    return f"{fmt.day(helsinki_date(moment))} {fmt.clock(moment)}"


def render(context: AppContext, tr) -> None:
    """The drop folder's section of the import tab (VARTTI_DROP_DIR; a line saying it is off when unset)."""
    st.subheader(tr("admin.drop.title"))
    folder = context.settings.drop_dir
    if folder is None:
        st.caption(tr("admin.drop.off"))
        return
    try:
        with session_scope(context.engine) as session:
            view = drop_folder_view(session, viewer=context.viewer, folder=folder)
    except AccessDenied as denied:
        refuse(context, denied)
        return
    st.write(tr("admin.drop.intro", folder=inert(view.folder)))
    if view.problem is not None:
        st.error(tr(f"admin.drop.problem.{view.problem}", folder=inert(view.folder), file=""))
    if view.last_run is None:
        st.info(tr("admin.drop.no_runs"))
    else:
        run = view.last_run
        st.write(tr("admin.drop.last_run", when=_when(run.started_at), file=inert(run.file_name),
                    inserted=fmt.number(run.inserted), duplicates=fmt.number(run.duplicates),
                    rejected=fmt.number(run.rejected + run.conflicts)))
    if view.incoming:
        st.caption(tr("admin.drop.incoming", count=fmt.number(view.incoming)))
    notice = view.last_notice
    if notice is not None and notice.problem != view.problem:
        st.warning(tr("admin.drop.noticed", when=_when(notice.at),
                      problem=tr(f"admin.drop.problem.{notice.problem}", folder=inert(view.folder),
                                 file=inert(notice.file))))
    if not view.waiting:
        st.caption(tr("admin.drop.none_waiting"))
        return
    st.write(tr("admin.drop.waiting"))
    st.dataframe([{tr("admin.drop.col.where"): tr(f"admin.drop.where.{f.folder}"),
                   tr("admin.import.col.file"): f.name, tr("admin.drop.col.when"): _when(f.modified)}
                  for f in view.waiting], hide_index=True, width="stretch")
