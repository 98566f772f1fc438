"""The inbox read unit by unit (PostgreSQL, a viewer of few units) finds exactly what the whole-table reading finds:
the same rows in the same order, the same count, for every filter and page; both ways run on both databases'
SQL where they can (SQLite has no LATERAL, so there only the whole-table way is compared with itself)."""
from __future__ import annotations

import random
from datetime import timedelta

import pytest

from auth.roles import Role
from data import inbox as inbox_module
from data.db import session_scope
from data.inbox import InboxFilters, ReplyStatus, inbox
from data.settings import Settings
from tests.conftest import NOW
from tests.factories import add_feedback, make_tree, person

SETTINGS = Settings(database_url="unused", min_n=5, reply_days=14)
TEXTS = (None, "", "Parkkipaikkoja on liian vähän.", "PARKKIPAIKAT täynnä", "Kiitos hyvästä hoidosta",
         "100% tyytyväinen_ehkä")
FILTERS = [InboxFilters(), InboxFilters(nps_group="detractor"), InboxFilters(nps_group="promoter"),
           InboxFilters(text="parkkipaik"), InboxFilters(text="100%"), InboxFilters(text="_ehk"),
           InboxFilters(text="ei löydy"), InboxFilters(status=ReplyStatus.AWAITING),
           InboxFilters(unit_code="U2", text="kiitos"), InboxFilters(channel="verkko", nps_group="passive")]


@pytest.fixture
def filled(engine):
    rng = random.Random(16)
    with session_scope(engine, write=True) as session:
        make_tree(session, NOW)
        for i in range(160):
            requested = rng.random() < 0.3
            add_feedback(session, rng.choice(("U1", "U2", "U3")), NOW - timedelta(hours=rng.randrange(2000)),
                         nps=rng.choice((None, *range(11))), open_answer=rng.choice(TEXTS),
                         free_text=rng.choice(TEXTS), channel=rng.choice((None, "verkko", "puhelin")),
                         reply_requested=requested)
    return engine


def _read(engine, monkeypatch, code: str, by_unit: bool, filters: InboxFilters, limit: int, offset: int):
    with session_scope(engine) as session:
        if by_unit and session.get_bind().dialect.name != "postgresql":
            pytest.skip("unit by unit needs LATERAL (PostgreSQL)")
        viewer = person(session, Role.SUPERVISOR, code)
        with monkeypatch.context() as patched:
            patched.setattr(inbox_module, "_unit_by_unit", lambda *_: by_unit)
            page = inbox(session, viewer=viewer, filters=filters, now=NOW, settings=SETTINGS, limit=limit,
                         offset=offset)
    return [row.id for row in page.rows], page.total, page.more


@pytest.mark.parametrize("filters", FILTERS)
@pytest.mark.parametrize("code", ["S", "C"])
def test_reading_unit_by_unit_finds_what_reading_the_whole_table_finds(filled, monkeypatch, filters, code):
    for limit, offset in ((50, 0), (7, 0), (7, 14), (5, 200), (0, 0)):
        whole = _read(filled, monkeypatch, code, False, filters, limit, offset)
        assert _read(filled, monkeypatch, code, True, filters, limit, offset) == whole, (limit, offset)


def test_a_search_without_matches_counts_none_and_a_page_past_the_end_still_counts(filled, monkeypatch):
    assert _read(filled, monkeypatch, "S", False, InboxFilters(text="ei löydy"), 50, 0) == ([], 0, False)
    ids, total, _ = _read(filled, monkeypatch, "S", False, InboxFilters(), 50, 0)
    assert len(ids) == 50 and total > 50
    assert _read(filled, monkeypatch, "S", False, InboxFilters(), 50, 10_000) == ([], total, False)
