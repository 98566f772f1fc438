"""The open duel on the wall board (pages/huddle.py): its QR join code and the live top four, one line each.

Shown only while a duel of the unit is open; it takes the bottom row's fourth place, and its sizes are in the
wall's unit `--u` (duel_wall.css), so the board still fits 1366×768, 1920×1080 and 4K without scrolling.
"""
from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import segno
import streamlit as st

from data.duels import DuelResult
from pages.ui import format as fmt
from pages.ui.plain import inert
from pages.ui.texts import t

WALL_TOP = 4
CSS = Path(__file__).parent / "duel_wall.css"


def join_link(page_url: str, code: str) -> str:
    """The duel's join link on the same server as the page the viewer is on."""
    base = page_url.split("?")[0].rstrip("/")
    base = base.rsplit("/", 1)[0] if base.count("/") > 2 else base
    return f"{base}/duel?d={code}"


@lru_cache(maxsize=64)
def qr_png(link: str) -> bytes:
    """The QR code of a join link as a PNG (the same link always gives the same picture)."""
    picture = io.BytesIO()
    segno.make(link, error="m").save(picture, kind="png", scale=8, border=2)
    return picture.getvalue()


def wall_duel_panel(result: DuelResult) -> None:
    """The open duel: its question, QR code and short code, counts and the shown items best first."""
    st.html(CSS)
    link = join_link(st.context.url or "", result.code)
    with st.container(key="panel-duel"):
        st.header(t("duel_wall.heading"), anchor=False)
        qr, top = st.columns([1, 1.9], gap="small")
        with qr:
            st.image(qr_png(link), alt=t("duel_wall.qr_alt"), width="stretch")
            with st.container(key="duel-wall-code"):
                st.write(t("duel_wall.code", code=inert(result.code)))
        with top:
            with st.container(key="duel-wall-question"):
                st.markdown(f"**{inert(result.question)}**")
            with st.container(key="duel-wall-counts"):
                st.write(t("duel_ranking.counts", participants=fmt.number(result.participants),
                           votes=fmt.number(result.votes)))
            shown = result.top[:WALL_TOP]
            if not shown:
                with st.container(key="duel-wall-waiting"):
                    st.write(t("duel_wall.none_yet"))
            for place, standing in enumerate(shown, start=1):
                with st.container(key=f"duel-wall-item-{place}"):
                    st.markdown(f"**{fmt.number(place)}.** {inert(standing.text)}")
