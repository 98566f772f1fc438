"""Sign-ins kept on the server, grants matched by e-mail in any case, and the county's last admin kept."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from auth.access import AccessDenied, Viewer
from auth.roles import Role
from data.models import AccessGrant, AuditEvent
from data.access import GrantError, add_grant, remove_grant, viewer_for
from data.sign_ins import (
    ENDED_BY_ADMIN,
    SIGNED_OUT,
    begin_sign_in,
    end_sessions_of,
    end_sign_in,
    find_sign_in,
    is_open,
    people_signed_in,
)
from tests.conftest import NOW
from tests.factories import make_tree, person

HOURS = timedelta(hours=12)
MAIJA = Viewer(subject="s-maija", name="Maija")


def _begin(session, key, who=MAIJA, issued=NOW):
    return begin_sign_in(session, viewer=who, token_hash=key, issued_at=issued, now=issued, max_age=HOURS)


def _audit(session, action):
    return session.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def test_a_sign_in_is_open_until_its_token_is_twelve_hours_old(session):
    sign_in = _begin(session, "k1", issued=NOW - timedelta(hours=1))
    assert is_open(sign_in, NOW)
    assert is_open(sign_in, NOW + timedelta(hours=10, minutes=59))
    assert not is_open(sign_in, NOW + timedelta(hours=11))
    assert [e.entity_id for e in _audit(session, "session.begin")] == [str(sign_in.id)]


def test_the_same_token_seen_again_keeps_its_first_record(session):
    first = _begin(session, "k1")
    again = begin_sign_in(session, viewer=MAIJA, token_hash="k1", issued_at=NOW, now=NOW + timedelta(hours=3),
                          max_age=HOURS)
    assert again.id == first.id and again.started_at == NOW
    assert len(_audit(session, "session.begin")) == 1


def test_signing_out_ends_the_sign_in_for_every_copy_of_the_cookie(session):
    _begin(session, "k1")
    assert end_sign_in(session, token_hash="k1", actor="s-maija", reason=SIGNED_OUT, now=NOW + timedelta(hours=1))
    ended = find_sign_in(session, token_hash="k1")
    assert not is_open(ended, NOW + timedelta(hours=1)) and ended.end_reason == SIGNED_OUT
    assert not end_sign_in(session, token_hash="k1", actor="s-maija", reason=SIGNED_OUT, now=NOW)
    assert [e.after["reason"] for e in _audit(session, "session.end")] == [SIGNED_OUT]


def test_a_county_admin_ends_all_of_a_persons_sign_ins_and_each_is_audited(session):
    make_tree(session, NOW)
    admin = person(session, Role.ADMIN, "C")
    for key in ("k1", "k2"):
        _begin(session, key)
    _begin(session, "k3", who=Viewer(subject="s-olli", name="Olli"))
    assert [(p.subject, p.open_sessions) for p in people_signed_in(session, viewer=admin, now=NOW)] == [
        ("s-maija", 2), ("s-olli", 1)]
    assert end_sessions_of(session, viewer=admin, subject="s-maija", now=NOW) == 2
    assert [find_sign_in(session, token_hash=k).end_reason for k in ("k1", "k2")] == [ENDED_BY_ADMIN] * 2
    assert is_open(find_sign_in(session, token_hash="k3"), NOW)
    assert [(e.actor, e.after["subject"]) for e in _audit(session, "session.end")] == [
        (admin.label, "s-maija")] * 2
    assert [p.subject for p in people_signed_in(session, viewer=admin, now=NOW)] == ["s-olli"]


@pytest.mark.parametrize(("role", "unit"), [(Role.ADMIN, "A"), (Role.SUPERVISOR, "C"), (Role.DIRECTOR, "C")])
def test_only_an_admin_of_the_whole_county_may_end_someones_sign_ins(session, role, unit):
    make_tree(session, NOW)
    _begin(session, "k1")
    with pytest.raises(AccessDenied):
        end_sessions_of(session, viewer=person(session, role, unit), subject="s-maija", now=NOW)
    with pytest.raises(AccessDenied):
        people_signed_in(session, viewer=person(session, role, unit), now=NOW)
    assert is_open(find_sign_in(session, token_hash="k1"), NOW)


@pytest.mark.parametrize("typed", ["Maija.Meikalainen@HVA.fi", "maija.meikalainen@hva.fi"])
def test_a_grant_to_an_e_mail_matches_it_in_any_case(session, typed):
    make_tree(session, NOW)
    add_grant(session, actor=None, principal=typed, role="team", unit_code="U1", now=NOW)
    viewer = viewer_for(session, subject="s-1", name="M", principals=["s-1"],
                        emails=["maija.meikalainen@hva.fi"])
    assert [g.unit_code for g in viewer.grants] == ["U1"]


def _grant_id(session, principal):
    return session.exec(select(AccessGrant.id).where(AccessGrant.principal == principal)).one()


def test_the_last_admin_of_the_whole_county_cannot_be_removed_while_a_units_admin_remains(session):
    make_tree(session, NOW)
    add_grant(session, actor=None, principal="county-admins", role="admin", unit_code="C", now=NOW)
    add_grant(session, actor=None, principal="area-admins", role="admin", unit_code="A", now=NOW)
    county_admin = person(session, Role.ADMIN, "C")
    with pytest.raises(GrantError):
        remove_grant(session, actor=county_admin, grant_id=_grant_id(session, "county-admins"), now=NOW)
    remove_grant(session, actor=county_admin, grant_id=_grant_id(session, "area-admins"), now=NOW)


def test_a_county_admin_may_be_removed_when_another_county_admin_stays(session):
    make_tree(session, NOW)
    for principal in ("county-admins", "maija@hva.fi"):
        add_grant(session, actor=None, principal=principal, role="admin", unit_code="C", now=NOW)
    remove_grant(session, actor=person(session, Role.ADMIN, "C"), grant_id=_grant_id(session, "maija@hva.fi"),
                 now=NOW)
    assert session.exec(select(AccessGrant.principal)).all() == ["county-admins"]


def test_a_sign_in_record_is_forgotten_a_day_after_it_expired_and_the_forgetting_is_audited(session):
    old = _begin(session, "old", issued=NOW - timedelta(days=3))
    recent = _begin(session, "recent", issued=NOW - timedelta(hours=20))
    session.commit()
    fresh = begin_sign_in(session, viewer=MAIJA, token_hash="fresh", issued_at=NOW, now=NOW, max_age=HOURS)
    session.commit()
    assert find_sign_in(session, token_hash="old") is None
    assert find_sign_in(session, token_hash="recent").id == recent.id  # expired, but less than a day ago
    assert find_sign_in(session, token_hash="fresh").id == fresh.id
    assert old.token_hash == "old"
    assert [event.after["deleted"] for event in _audit(session, "session.forget")] == [1]
