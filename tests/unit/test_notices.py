"""board.notices: who is a handler, when the digest goes, and that a notice says counts and a link only."""
from __future__ import annotations

from datetime import datetime

import pytest

from board.notices import DIGEST, WAKE, InvalidAddress, Notice, digest_day_begun, handler_address, inbox_link, message


@pytest.mark.parametrize(("typed", "kept"), [
    ("Sari.K@Hyvinvointialue.FI", "sari.k@hyvinvointialue.fi"),
    ("  palaute+u1@hva.fi ", "palaute+u1@hva.fi"),
])
def test_a_handler_address_is_kept_in_lower_case(typed, kept):
    assert handler_address(typed) == kept


@pytest.mark.parametrize("typed", ["", "sari", "sari@", "@hva.fi", "sari@hva", "a@b.fi, c@d.fi", "a b@hva.fi",
                                   "a@hva.fi\nBcc: x@y.fi", "x" * 250 + "@hva.fi"])
def test_anything_but_one_address_is_refused(typed):
    with pytest.raises(InvalidAddress):
        handler_address(typed)


@pytest.mark.parametrize(("now_utc", "begun"), [
    (datetime(2026, 11, 23, 4, 59), False),   # 06.59 EET
    (datetime(2026, 11, 23, 5, 0), True),     # 07.00 EET
    (datetime(2026, 6, 15, 3, 59), False),    # 06.59 EEST
    (datetime(2026, 6, 15, 4, 0), True),      # 07.00 EEST
    (datetime(2026, 11, 23, 21, 30), True),   # 23.30 EET
    (datetime(2026, 11, 23, 22, 30), False),  # 00.30 the next day
])
def test_the_digest_day_begins_at_seven_helsinki_time(now_utc, begun):
    assert digest_day_begun(now_utc) is begun


NOTICE = Notice(unit_code="U1", unit_name="Keskustan\nterveysasema", kind=WAKE, language="sv",
                to=("a@hva.fi",), new=2, due_soon=1, overdue=0)


@pytest.mark.parametrize(("kind", "overdue", "query"), [
    (WAKE, 0, "unit=U1&lang=sv&status=awaiting"),
    (DIGEST, 3, "unit=U1&lang=sv&deadline=overdue"),
    (DIGEST, 0, "unit=U1&lang=sv&deadline=due_soon"),
])
def test_the_link_opens_the_inbox_filtered_to_what_needs_doing(kind, overdue, query):
    notice = Notice(**{**NOTICE.__dict__, "kind": kind, "overdue": overdue})
    assert inbox_link("https://vartti.hva.fi/", notice) == f"https://vartti.hva.fi/inbox?{query}"


def test_a_unit_name_with_a_line_break_stays_on_the_subject_line():
    subject, body = message(NOTICE, "https://vartti.hva.fi")
    assert subject == "Vartti: ny respons som väntar på svar – Keskustan terveysasema"
    assert "Ny respons som ber om svar: 2" in body and "https://vartti.hva.fi/inbox?" in body
