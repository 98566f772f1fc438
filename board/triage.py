"""Triage of one feedback item: which of four piles it most likely belongs to, and whether to read it whole.

A suggestion to sort the inbox, never a decision: the customer's own answers come first (a reply asked
for), then the words of the text. The words are stems, so "voisitte", "voisi" and "voisiko" all count.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from board.nps import DETRACTOR_MAX, PROMOTER_MIN

NEEDS_REPLY = "vaatii_vastauksen"
IDEA = "kehitysehdotus"
THANKS = "kiitos"
NO_ACTION = "ei_toimenpiteita"
TRIAGE = (NEEDS_REPLY, IDEA, THANKS, NO_ACTION)

# A text this long, or with this many topics, is worth reading whole.
LONG_TEXT_CHARS = 400
MANY_TOPICS = 3

# How people put an idea or a wish, in Finnish, Swedish and English (word beginnings).
IDEA_WORDS = re.compile(
    r"\b(voisi|pitäisi|pitäis|kannattaisi|toivo|toive|ehdot|olisi (hyvä|kiva|mukava)|parann|kehitt"
    r"|kunde|borde|önsk|förslag|föreslå|skulle vara bra|förbättr"
    r"|could|should|suggest|would be (better|nice|good)|wish|improve|it would help)",
    re.IGNORECASE)
THANK_WORDS = re.compile(r"\b(kiitos|kiitti|kiitän|tack|thank)", re.IGNORECASE)
# A question to the unit, or a demand to be contacted, needs an answer even when the form's box was not ticked.
ASKING = re.compile(r"\?|\b(ottakaa yhteyttä|soittakaa|vastatkaa|kontakta mig|ring mig|contact me|call me)",
                    re.IGNORECASE)


@dataclass(frozen=True)
class Triage:
    pile: str
    read_whole: bool


def needs_reading(text: str, topic_count: int) -> bool:
    """A long text or one that touches many topics is flagged to be read whole."""
    return len(text) >= LONG_TEXT_CHARS or topic_count >= MANY_TOPICS


def triage(*, text: str, nps: int | None, reply_awaited: bool, topic_keys: tuple[str, ...] = ()) -> Triage | None:
    """The likely pile of an item with text: a reply awaited or a critic asking → reply; an idea's wording or a
    critic's account → idea; thanks or a promoter (or the thanks topic) → thanks; else nothing to do."""
    text = text.strip()
    if not text:
        return None
    critic = nps is not None and nps <= DETRACTOR_MAX
    if reply_awaited or (critic and ASKING.search(text)):
        pile = NEEDS_REPLY
    elif IDEA_WORDS.search(text) or critic:  # a critic's account is material for improvement
        pile = IDEA
    elif THANK_WORDS.search(text) or "kiitos" in topic_keys or (nps is not None and nps >= PROMOTER_MIN):
        pile = THANKS
    else:
        pile = NO_ACTION
    return Triage(pile, needs_reading(text, len(topic_keys)))
