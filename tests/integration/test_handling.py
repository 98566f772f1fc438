"""Feedback handling: the inbox and its filters, replies, quotes, themes, batches — on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlmodel import func, select

from auth.access import AccessDenied
from auth.roles import Role
from board.handling import InvalidHandling
from board.periods import Period
from board.replies import ReplyPolicy
from board.stages import Stage
from data.db import make_engine, session_scope
from data.metrics import reply_figures
from data.models import AuditEvent, Feedback, Theme, ThemeFeedback
from data.organisation import unit_by_code
from data.schema import upgrade
from data.editing import StaleEdit, UnknownItem
from data.handling import attach_to_theme, handle_many, mark_no_reply_needed, mark_replied, pick_quote
from data.huddle_board import huddle_quotes
from data.inbox import Deadline, InboxFilters, ReplyStatus, inbox
from tests.conftest import NOW, _fresh_postgres
from tests.factories import add_feedback, add_theme, link, make_tree, person

# NOW is Monday 2026-11-23 10.00 in Helsinki; replies are due in 14 days, "soon" is within 3.
YESTERDAY = NOW - timedelta(days=1)


def _audit(session, entity="feedback"):
    return session.exec(select(AuditEvent).where(AuditEvent.entity == entity).order_by(AuditEvent.id)).all()


def _row(session, feedback_id) -> Feedback:
    return session.exec(select(Feedback).where(Feedback.id == feedback_id)
                        .execution_options(populate_existing=True)).one()


@pytest.fixture
def tree(session):
    make_tree(session, NOW)
    return session


@pytest.fixture
def supervisor(tree):
    """A supervisor of S: units U1 and U2, not U3."""
    return person(tree, Role.SUPERVISOR, "S")


# --------------------------------------------------------------------------- the inbox

def _add_mail(session) -> dict[str, int]:
    """Hand-built feedback, named; all but `other` are in the subtree of S."""
    add = lambda code, at, **f: add_feedback(session, code, at, **f)  # noqa: E731
    rows = {
        "late": add("U1", datetime(2026, 11, 1, 8, 0), reply_requested=True, channel="toimipiste",
                    collection="sms", nps=3, saatavuus=1, open_answer="Jonotin 50 % pidempään"),
        "soon": add("U1", datetime(2026, 11, 12, 7, 0), reply_requested=True, channel="puhelin",
                    collection="web", nps=8, kohtaaminen=4, free_text="Äiti sai hyvää hoitoa"),
        "replied": add("U2", datetime(2026, 11, 10, 10, 0), reply_requested=True, nps=10,
                       replied_at=datetime(2026, 11, 11), open_answer="Kiitos_kaikille"),
        # 23.59 on 15.11. in Helsinki, and the first instant of 16.11.
        "closed": add("U2", datetime(2026, 11, 15, 21, 59), reply_requested=True, nps=9, hyodyllisyys=2,
                      no_reply_reason="Kiitospalaute"),
        "midnight": add("U2", datetime(2026, 11, 15, 22, 0)),
        "plain": add("U1", datetime(2026, 11, 20, 12, 0), nps=7, collection="kiosk", turvallisuus=3,
                     open_answer="ÄITIYSNEUVOLA toimi, kiitos kaikille"),
        "fresh": add("U1", datetime(2026, 11, 22, 12, 0), reply_requested=True),
        "other": add("U3", datetime(2026, 11, 21, 12, 0), reply_requested=True, nps=0, open_answer="Äiti"),
    }
    return {name: row.id for name, row in rows.items()}


@pytest.fixture
def mail(tree):
    return _add_mail(tree)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def mailroom(request, tmp_path_factory):
    """One database per backend with the mail, shared by the read-only filter tests of this module."""
    drop = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('inbox') / 'vartti.db'}"
    else:
        url, drop = _fresh_postgres(request.getfixturevalue("postgres_url"))
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine, write=True) as session:
        make_tree(session, NOW)
        mail = _add_mail(session)
    yield engine, mail
    engine.dispose()
    if drop:
        drop()


def _names(page, mail):
    by_id = {i: name for name, i in mail.items()}
    return [by_id[row.id] for row in page.rows]


IN_SCOPE = {"late", "soon", "replied", "closed", "midnight", "plain", "fresh"}
FILTERS = {
    "none": (InboxFilters(), IN_SCOPE),
    "awaiting a reply": (InboxFilters(status=ReplyStatus.AWAITING), {"late", "soon", "fresh"}),
    "replied": (InboxFilters(status=ReplyStatus.REPLIED), {"replied"}),
    "no reply needed": (InboxFilters(status=ReplyStatus.NO_REPLY_NEEDED), {"closed"}),
    "reply not requested": (InboxFilters(status=ReplyStatus.NOT_REQUESTED), {"midnight", "plain"}),
    "reply requested": (InboxFilters(reply_requested=True), {"late", "soon", "replied", "closed", "fresh"}),
    "no reply requested": (InboxFilters(reply_requested=False), {"midnight", "plain"}),
    "overdue": (InboxFilters(deadline=Deadline.OVERDUE), {"late"}),
    "due soon": (InboxFilters(deadline=Deadline.DUE_SOON), {"soon"}),
    "unit U2": (InboxFilters(unit_code="U2"), {"replied", "closed", "midnight"}),
    "area S": (InboxFilters(unit_code="S"), IN_SCOPE),
    "channel": (InboxFilters(channel="puhelin"), {"soon"}),
    "collection": (InboxFilters(collection="kiosk"), {"plain"}),
    "promoters": (InboxFilters(nps_group="promoter"), {"replied", "closed"}),
    "passives": (InboxFilters(nps_group="passive"), {"soon", "plain"}),
    "detractors": (InboxFilters(nps_group="detractor"), {"late"}),
    "a statement answered 1-2": (InboxFilters(low_statement=True), {"late", "closed"}),
    "Helsinki days 10.-15.11.": (InboxFilters(period=Period(date(2026, 11, 10), date(2026, 11, 15))),
                                 {"soon", "replied", "closed"}),
    "Helsinki day 16.11.": (InboxFilters(period=Period(date(2026, 11, 16), date(2026, 11, 16))), {"midnight"}),
    "text in lower case finds upper-case Ä": (InboxFilters(text="äiti"), {"soon", "plain"}),
    "text in upper case finds lower-case ä": (InboxFilters(text="ÄITI"), {"soon", "plain"}),
    "text is trimmed": (InboxFilters(text="  hoitoa "), {"soon"}),
    "text with a percent sign": (InboxFilters(text="50 %"), {"late"}),
    "a percent sign is no wildcard": (InboxFilters(text="%"), {"late"}),
    "an underscore is no wildcard": (InboxFilters(text="s_k"), {"replied"}),
    "an asterisk is no wildcard": (InboxFilters(text="*"), set()),
    "blank text is no filter": (InboxFilters(text="   "), IN_SCOPE),
    "filters combine": (InboxFilters(status=ReplyStatus.AWAITING, unit_code="U1", nps_group="detractor"),
                        {"late"}),
}


@pytest.mark.parametrize("case", FILTERS)
def test_each_inbox_filter_picks_exactly_its_feedback(mailroom, settings, case):
    engine, mail = mailroom
    filters, expected = FILTERS[case]
    with session_scope(engine) as session:
        supervisor = person(session, Role.SUPERVISOR, "S")
        page = inbox(session, viewer=supervisor, filters=filters, now=NOW, settings=settings)
    assert set(_names(page, mail)) == expected
    assert page.total == len(expected)


def test_the_inbox_is_newest_first_and_pages_with_a_total(tree, supervisor, settings, mail):
    everything = inbox(tree, viewer=supervisor, filters=InboxFilters(), now=NOW, settings=settings)
    assert _names(everything, mail) == ["fresh", "plain", "midnight", "closed", "soon", "replied", "late"]
    page = inbox(tree, viewer=supervisor, filters=InboxFilters(), now=NOW, settings=settings, limit=2, offset=2)
    assert _names(page, mail) == ["midnight", "closed"] and page.total == 7


def test_the_inbox_stops_counting_a_thousand_past_the_page_and_says_there_are_more(tree, supervisor, settings, mail,
                                                                                 monkeypatch):
    import data.inbox
    monkeypatch.setattr(data.inbox, "COUNT_MOST", 3)
    page = inbox(tree, viewer=supervisor, filters=InboxFilters(), now=NOW, settings=settings, limit=2, offset=0)
    assert (page.total, page.more) == (5, True)   # 7 rows: counted up to 2 + 3, then "more"
    page = inbox(tree, viewer=supervisor, filters=InboxFilters(), now=NOW, settings=settings, limit=2, offset=2)
    assert (page.total, page.more) == (7, False)  # 2 + 2 + 3 reaches past the last row: exact again
    assert len(page.rows) == 2


def test_an_inbox_row_carries_unit_scores_reply_countdown_themes_and_quote(tree, supervisor, settings, mail):
    theme = add_theme(tree, "U1", Stage.IDENTIFIED, NOW)
    link(tree, theme, _row(tree, mail["late"]))
    pick_quote(tree, viewer=supervisor, feedback_id=mail["late"], seen_version=1, picked=True, now=NOW)
    rows = {row.id: row for row in inbox(tree, viewer=supervisor, filters=InboxFilters(), now=NOW,
                                         settings=settings).rows}
    late, soon, replied, plain = (rows[mail[n]] for n in ("late", "soon", "replied", "plain"))
    assert (late.unit_code, late.unit_name) == ("U1", "Keskustan terveysasema")
    assert late.nps == 3 and late.statements["saatavuus"] == 1 and late.open_answer == "Jonotin 50 % pidempään"
    assert late.status is ReplyStatus.AWAITING and late.overdue and not late.due_soon
    assert late.due_at == datetime(2026, 11, 15, 8, 0) and late.days_left == -8
    assert late.theme_ids == (theme.id,) and late.quote and late.version == 2
    assert soon.due_soon and not soon.overdue and soon.days_left == 3
    assert replied.status is ReplyStatus.REPLIED and replied.days_left is None and replied.due_at is not None
    assert plain.status is ReplyStatus.NOT_REQUESTED and plain.due_at is None and plain.theme_ids == ()


def test_the_inbox_covers_every_subtree_the_viewer_reads(tree, settings, mail):
    director = person(tree, Role.DIRECTOR, "C")
    page = inbox(tree, viewer=director, filters=InboxFilters(text="äiti"), now=NOW, settings=settings)
    assert set(_names(page, mail)) == {"soon", "plain", "other"}


@pytest.mark.parametrize("role, unit_filter", [(Role.TEAM, None), (Role.ADMIN, None), (Role.SUPERVISOR, "U3"),
                                               (Role.SUPERVISOR, "C")])
def test_the_inbox_refuses_who_may_not_read_feedback_or_a_unit_outside_the_scope(tree, settings, mail, role,
                                                                               unit_filter):
    viewer = person(tree, role, "S")
    with pytest.raises(AccessDenied):
        inbox(tree, viewer=viewer, filters=InboxFilters(unit_code=unit_filter), now=NOW, settings=settings)


def test_an_unknown_nps_group_is_a_clear_error(tree, supervisor, settings, mail):
    with pytest.raises(ValueError, match="promoter"):
        inbox(tree, viewer=supervisor, filters=InboxFilters(nps_group="fans"), now=NOW, settings=settings)


# --------------------------------------------------------------------------- one item

@pytest.fixture
def waiting(tree):
    """A reply asked for on 1.11. in U1, overdue now."""
    return add_feedback(tree, "U1", datetime(2026, 11, 1, 8, 0), reply_requested=True, nps=4,
                        open_answer="Odotin pitkään").id


def test_marking_a_reply_sent_closes_it_at_once_and_is_audited(tree, supervisor, waiting):
    unit = unit_by_code(tree, "U1")
    assert reply_figures(tree, unit, now=NOW, policy=ReplyPolicy()).overdue == 1
    state = mark_replied(tree, viewer=supervisor, feedback_id=waiting, seen_version=1, replied_at=YESTERDAY, now=NOW)
    assert state.version == 2 and state.values["replied_at"] == YESTERDAY
    assert state.values["replied_by"] == supervisor.name
    assert reply_figures(tree, unit, now=NOW, policy=ReplyPolicy()).overdue == 0
    [event] = _audit(tree)
    assert (event.action, event.actor, event.entity_id) == ("feedback.reply_sent", supervisor.label, str(waiting))
    assert event.before == {"replied_at": None, "replied_by": None}
    assert event.after == {"replied_at": YESTERDAY.isoformat(), "replied_by": supervisor.name}


def test_a_reply_can_be_marked_as_sent_by_someone_else(tree, supervisor, waiting):
    state = mark_replied(tree, viewer=supervisor, feedback_id=waiting, seen_version=1, replied_at=YESTERDAY,
                         replied_by="  Sari K. ", now=NOW)
    assert state.values["replied_by"] == "Sari K."


@pytest.mark.parametrize(
    "replied_at, reason",
    [
        (datetime(2026, 11, 1, 7, 59), "reply_before_feedback"),
        (NOW + timedelta(minutes=6), "reply_in_future"),
    ],
)
def test_a_reply_dated_before_the_feedback_or_in_the_future_is_refused_and_changes_nothing(
        tree, supervisor, waiting, replied_at, reason):
    with pytest.raises(InvalidHandling) as refused:
        mark_replied(tree, viewer=supervisor, feedback_id=waiting, seen_version=1, replied_at=replied_at, now=NOW)
    assert refused.value.reason == reason
    assert _row(tree, waiting).version == 1 and _row(tree, waiting).replied_at is None and _audit(tree) == []


def test_no_reply_needed_needs_a_reason_and_is_audited(tree, supervisor, waiting):
    with pytest.raises(InvalidHandling) as refused:
        mark_no_reply_needed(tree, viewer=supervisor, feedback_id=waiting, seen_version=1, reason="  ", now=NOW)
    assert refused.value.reason == "reason_missing" and _audit(tree) == []
    state = mark_no_reply_needed(tree, viewer=supervisor, feedback_id=waiting, seen_version=1,
                                 reason=" Ei yhteystietoja ", now=NOW)
    assert state.values["no_reply_reason"] == "Ei yhteystietoja" and state.version == 2
    [event] = _audit(tree)
    assert event.action == "feedback.no_reply_needed" and event.after == {"no_reply_reason": "Ei yhteystietoja"}


def test_a_feedback_already_replied_to_cannot_be_closed_without_reply(tree, supervisor, waiting):
    mark_replied(tree, viewer=supervisor, feedback_id=waiting, seen_version=1, replied_at=YESTERDAY, now=NOW)
    with pytest.raises(InvalidHandling) as refused:
        mark_no_reply_needed(tree, viewer=supervisor, feedback_id=waiting, seen_version=2, reason="Turha", now=NOW)
    assert refused.value.reason == "already_replied" and _row(tree, waiting).version == 2


def test_a_reply_sent_after_all_replaces_no_reply_needed(tree, supervisor, waiting):
    mark_no_reply_needed(tree, viewer=supervisor, feedback_id=waiting, seen_version=1, reason="Ei tarvetta", now=NOW)
    state = mark_replied(tree, viewer=supervisor, feedback_id=waiting, seen_version=2, replied_at=YESTERDAY, now=NOW)
    assert state.values["no_reply_reason"] is None and state.values["replied_at"] == YESTERDAY


def test_a_write_based_on_an_old_version_is_refused_with_the_current_values(tree, supervisor, waiting):
    mark_replied(tree, viewer=supervisor, feedback_id=waiting, seen_version=1, replied_at=YESTERDAY, now=NOW)
    with pytest.raises(StaleEdit) as stale:
        pick_quote(tree, viewer=supervisor, feedback_id=waiting, seen_version=1, picked=True, now=NOW)
    assert stale.value.current.version == 2 and stale.value.current.values["replied_at"] == YESTERDAY
    assert stale.value.stale_ids == (waiting,)
    assert _row(tree, waiting).quote_picked_at is None and len(_audit(tree)) == 1


def test_an_unknown_feedback_is_reported_as_unknown(tree, supervisor):
    with pytest.raises(UnknownItem):
        mark_replied(tree, viewer=supervisor, feedback_id=999_999, seen_version=1, replied_at=YESTERDAY, now=NOW)


# --------------------------------------------------------------------------- access

ACTIONS = {
    "mark_replied": lambda s, v, i: mark_replied(s, viewer=v, feedback_id=i, seen_version=1, replied_at=YESTERDAY,
                                                 now=NOW),
    "mark_no_reply_needed": lambda s, v, i: mark_no_reply_needed(s, viewer=v, feedback_id=i, seen_version=1,
                                                                 reason="Syy", now=NOW),
    "pick_quote": lambda s, v, i: pick_quote(s, viewer=v, feedback_id=i, seen_version=1, picked=True, now=NOW),
    "attach_to_theme": lambda s, v, i: attach_to_theme(s, viewer=v, feedback_id=i, new_theme_title="Uusi", now=NOW),
    "handle_many": lambda s, v, i: handle_many(s, viewer=v, items=[(i, 1)], action="quote", picked=True, now=NOW),
}


@pytest.mark.parametrize(
    "role, grant_unit, feedback_unit, allowed",
    [
        (Role.SUPERVISOR, "U1", "U1", True),
        (Role.SUPERVISOR, "S", "U2", True),
        (Role.SUPERVISOR, "U1", "U3", False),
        (Role.SUPERVISOR, "U1", "U2", False),
        (Role.TEAM, "U1", "U1", False),
        (Role.DIRECTOR, "C", "U1", False),
        (Role.ADMIN, "C", "U1", False),
    ],
)
def test_only_a_supervisor_of_the_feedbacks_unit_may_handle_it(tree, role, grant_unit, feedback_unit, allowed):
    viewer = person(tree, role, grant_unit)
    for name, action in ACTIONS.items():
        feedback = add_feedback(tree, feedback_unit, datetime(2026, 11, 20), open_answer="Hyvä palvelu",
                                reply_requested=True).id
        if allowed:
            action(tree, viewer, feedback)
            continue
        with pytest.raises(AccessDenied):
            action(tree, viewer, feedback)
        row = _row(tree, feedback)
        assert (row.version, row.replied_at, row.no_reply_reason, row.quote_picked_at) == (1, None, None, None), name
    written = len(_audit(tree)) + len(_audit(tree, "theme"))
    assert written == (len(ACTIONS) + 1 if allowed else 0)  # a new theme: created and linked
    assert tree.exec(select(func.count()).select_from(Theme)).one() == (1 if allowed else 0)


# --------------------------------------------------------------------------- quotes

def test_picked_quotes_show_on_the_huddle_board_last_picked_first_within_the_subtree(tree, supervisor):
    texts = ["Ensimmäinen", "Toinen", "Kolmas", "Neljäs"]
    ids = [add_feedback(tree, "U1", datetime(2026, 11, 2 + i), open_answer=text).id for i, text in enumerate(texts)]
    free = add_feedback(tree, "U2", datetime(2026, 11, 1), free_text="Vapaa palaute").id
    add_feedback(tree, "U3", datetime(2026, 11, 1), open_answer="Muu yksikkö", quote_picked_at=NOW)
    for minutes, feedback in enumerate([free, ids[3], ids[0], ids[2]]):
        pick_quote(tree, viewer=supervisor, feedback_id=feedback, seen_version=1, picked=True,
                   now=NOW + timedelta(minutes=minutes))
    team = person(tree, Role.TEAM, "S")
    quotes = huddle_quotes(tree, viewer=team, unit_code="S")
    assert [q.text for q in quotes] == ["Kolmas", "Ensimmäinen", "Neljäs"]
    assert [q.text for q in huddle_quotes(tree, viewer=team, unit_code="U2", limit=5)] == ["Vapaa palaute"]
    assert quotes[0].unit_name == "Keskustan terveysasema"
    pick_quote(tree, viewer=supervisor, feedback_id=ids[2], seen_version=2, picked=False, now=NOW)
    assert [q.text for q in huddle_quotes(tree, viewer=team, unit_code="S")] == ["Ensimmäinen", "Neljäs",
                                                                                  "Vapaa palaute"]
    with pytest.raises(AccessDenied):
        huddle_quotes(tree, viewer=team, unit_code="U3")


def test_a_feedback_without_text_cannot_be_a_quote_and_picking_twice_changes_nothing(tree, supervisor):
    silent = add_feedback(tree, "U1", datetime(2026, 11, 20), nps=10, open_answer="  ").id
    with pytest.raises(InvalidHandling) as refused:
        pick_quote(tree, viewer=supervisor, feedback_id=silent, seen_version=1, picked=True, now=NOW)
    assert refused.value.reason == "nothing_to_quote"
    said = add_feedback(tree, "U1", datetime(2026, 11, 20), open_answer="Kiitos").id
    first = pick_quote(tree, viewer=supervisor, feedback_id=said, seen_version=1, picked=True, now=NOW)
    again = pick_quote(tree, viewer=supervisor, feedback_id=said, seen_version=2, picked=True, now=NOW + timedelta(1))
    assert first == again and again.values["quote_picked_at"] == NOW
    assert [e.action for e in _audit(tree)] == ["feedback.quote_picked"]


# --------------------------------------------------------------------------- themes

def _links(session):
    return set(session.exec(select(ThemeFeedback.theme_id, ThemeFeedback.feedback_id)).all())


def test_a_feedback_attached_to_a_new_theme_creates_it_in_the_feedbacks_unit(tree, supervisor, waiting):
    theme_id = attach_to_theme(tree, viewer=supervisor, feedback_id=waiting, new_theme_title=" Jonot ", now=NOW)
    theme = tree.get(Theme, theme_id)
    assert (theme.title, theme.stage, theme.unit_id) == ("Jonot", Stage.IDENTIFIED.value, unit_by_code(tree, "U1").id)
    assert _links(tree) == {(theme_id, waiting)}
    assert [e.action for e in _audit(tree, "theme")] == ["theme.create", "theme.link_feedback"]


def test_a_feedback_joins_a_theme_of_its_unit_or_above_and_linking_twice_is_a_no_op(tree, supervisor, waiting):
    area_theme = add_theme(tree, "S", Stage.IN_GROUP, NOW)
    for _ in range(2):
        assert attach_to_theme(tree, viewer=supervisor, feedback_id=waiting, theme_id=area_theme.id,
                               now=NOW) == area_theme.id
    assert _links(tree) == {(area_theme.id, waiting)}
    assert len(_audit(tree, "theme")) == 1


@pytest.mark.parametrize("theme_unit", ["U2", "U3"])
def test_a_theme_of_another_subtree_cannot_collect_the_feedback(tree, waiting, theme_unit):
    director_of_all = person(tree, Role.SUPERVISOR, "C")
    theme = add_theme(tree, theme_unit, Stage.IDENTIFIED, NOW)
    with pytest.raises(InvalidHandling) as refused:
        attach_to_theme(tree, viewer=director_of_all, feedback_id=waiting, theme_id=theme.id, now=NOW)
    assert refused.value.reason == "theme_elsewhere" and _links(tree) == set()


@pytest.mark.parametrize("choice", [{}, {"theme_id": 1, "new_theme_title": "Kaksi"}])
def test_attaching_needs_exactly_one_theme(tree, supervisor, waiting, choice):
    with pytest.raises(InvalidHandling) as refused:
        attach_to_theme(tree, viewer=supervisor, feedback_id=waiting, now=NOW, **choice)
    assert refused.value.reason == "theme_choice"


def test_a_new_theme_needs_a_title(tree, supervisor, waiting):
    with pytest.raises(InvalidHandling) as refused:
        attach_to_theme(tree, viewer=supervisor, feedback_id=waiting, new_theme_title=" ", now=NOW)
    assert refused.value.reason == "title_missing"
    assert tree.exec(select(func.count()).select_from(Theme)).one() == 0


# --------------------------------------------------------------------------- batches

@pytest.fixture
def three(tree):
    return [add_feedback(tree, code, datetime(2026, 11, 10 + i), reply_requested=True, open_answer=f"Teksti {i}").id
            for i, code in enumerate(["U1", "U1", "U2"])]


def test_several_items_are_handled_at_once(tree, supervisor, three):
    states = handle_many(tree, viewer=supervisor, items=[(i, 1) for i in three], action="reply_sent",
                         replied_at=YESTERDAY, now=NOW)
    assert [s.version for s in states] == [2, 2, 2]
    assert all(_row(tree, i).replied_at == YESTERDAY for i in three)
    assert [e.entity_id for e in _audit(tree)] == [str(i) for i in three]


def test_a_batch_with_one_stale_item_names_it_and_changes_nothing(tree, supervisor, three):
    pick_quote(tree, viewer=supervisor, feedback_id=three[1], seen_version=1, picked=True, now=NOW)
    with pytest.raises(StaleEdit) as stale:
        handle_many(tree, viewer=supervisor, items=[(i, 1) for i in three], action="no_reply_needed",
                    reason="Ei tarvetta", now=NOW)
    assert stale.value.stale_ids == (three[1],) and stale.value.current.version == 2
    assert all(_row(tree, i).no_reply_reason is None for i in three)
    assert len(_audit(tree)) == 1


def test_a_batch_with_one_invalid_item_changes_nothing(tree, supervisor, three):
    # The reply date precedes the last item's arrival (12.11.), so the whole batch is refused.
    with pytest.raises(InvalidHandling):
        handle_many(tree, viewer=supervisor, items=[(i, 1) for i in three], action="reply_sent",
                    replied_at=datetime(2026, 11, 11, 12, 0), now=NOW)
    assert all(_row(tree, i).version == 1 and _row(tree, i).replied_at is None for i in three)
    assert _audit(tree) == []


def test_a_batch_reaching_outside_the_viewers_units_changes_nothing(tree, three):
    supervisor_u1 = person(tree, Role.SUPERVISOR, "U1")
    with pytest.raises(AccessDenied):
        handle_many(tree, viewer=supervisor_u1, items=[(i, 1) for i in three], action="quote", picked=True, now=NOW)
    assert all(_row(tree, i).quote_picked_at is None for i in three) and _audit(tree) == []


def test_a_batch_attached_to_a_new_theme_puts_it_where_all_items_belong(tree, supervisor, three):
    handle_many(tree, viewer=supervisor, items=[(i, 1) for i in three], action="attach",
                new_theme_title="Ajanvaraus", now=NOW)
    theme = tree.exec(select(Theme)).one()
    assert theme.unit_id == unit_by_code(tree, "S").id
    assert _links(tree) == {(theme.id, i) for i in three}


def test_a_batch_quote_of_items_without_text_changes_nothing(tree, supervisor, three):
    silent = add_feedback(tree, "U1", datetime(2026, 11, 20), nps=5).id
    with pytest.raises(InvalidHandling):
        handle_many(tree, viewer=supervisor, items=[(three[0], 1), (silent, 1)], action="quote", picked=True,
                    now=NOW)
    assert _row(tree, three[0]).quote_picked_at is None and _audit(tree) == []


def test_an_unknown_batch_action_is_a_clear_error(tree, supervisor, three):
    with pytest.raises(ValueError):
        handle_many(tree, viewer=supervisor, items=[(three[0], 1)], action="delete", now=NOW)
