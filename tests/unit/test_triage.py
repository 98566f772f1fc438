"""Triage of an inbox item: the customer's own answers first, then the wording, in fi/sv/en."""
from __future__ import annotations

import pytest

from board.triage import IDEA, NEEDS_REPLY, NO_ACTION, THANKS, needs_reading, triage


@pytest.mark.parametrize("text, nps, awaited, topics, pile", [
    ("Hoitaja oli ystävällinen.", 10, True, (), NEEDS_REPLY),             # a reply asked for comes first
    ("Miksi jonotin kaksi tuntia?", 2, False, (), NEEDS_REPLY),           # a critic's question
    ("Varför fick jag ingen tid?", 3, False, (), NEEDS_REPLY),
    ("Miksi ei kahvia?", 9, False, (), THANKS),                            # a promoter's aside is no complaint
    ("Odotustilaan voisi tuoda lisää tuoleja.", 7, False, (), IDEA),
    ("Ni borde ha längre öppettider.", 6, False, (), IDEA),
    ("You should answer the phone faster.", 5, False, (), IDEA),
    ("Iso kiitos koko tiimille!", 10, False, (), THANKS),
    ("Tack för hjälpen.", None, False, (), THANKS),
    ("Hyvä käynti.", 10, False, (), THANKS),
    ("Hyvä käynti.", None, False, ("kiitos",), THANKS),
    ("Kävin verikokeissa.", 7, False, (), NO_ACTION),
    ("Jonotin pitkään.", 3, False, ("odotus",), IDEA),                    # a critic's account
    ("Jonotin pitkään.", 8, False, ("odotus",), NO_ACTION),
])
def test_an_item_is_triaged_by_the_customers_answers_then_by_its_wording(text, nps, awaited, topics, pile):
    assert triage(text=text, nps=nps, reply_awaited=awaited, topic_keys=topics).pile == pile


def test_an_item_without_text_is_not_triaged():
    assert triage(text="  ", nps=3, reply_awaited=True) is None


@pytest.mark.parametrize("text, topics, flagged", [
    ("Lyhyt", 1, False),
    ("x" * 400, 1, True),
    ("Lyhyt", 3, True),
])
def test_a_long_or_many_topic_text_is_flagged_for_reading(text, topics, flagged):
    assert needs_reading(text, topics) is flagged
    assert triage(text=text, nps=None, reply_awaited=False, topic_keys=("a",) * topics).read_whole is flagged
