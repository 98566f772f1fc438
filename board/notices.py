"""Waking the feedback handlers: who is a handler, when a digest is due, and what a notice says.

A notice carries counts, the unit's name and a link to the inbox, never anything the customer wrote:
e-mail is not a safe channel for health information.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlencode

from board.periods import HELSINKI, helsinki_date

WAKE, DIGEST = "wake", "digest"
KINDS = (WAKE, DIGEST)
MAIL_LANGUAGES = ("fi", "sv", "en")
DEFAULT_DIGEST_HOUR = 7
ADDRESS_MOST = 254  # RFC 5321: the longest forward path

# One mailbox: no spaces, no second @, a dot in the domain. Deliberately plain: Graph judges the rest.
_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")


class InvalidAddress(ValueError):
    """Not one e-mail address a handler can be reached at."""


def handler_address(text: str) -> str:
    """A handler is one e-mail address, kept in lower case so that the same mailbox is never added twice."""
    address = (text or "").strip().lower()
    if len(address) > ADDRESS_MOST or not _ADDRESS.match(address):
        raise InvalidAddress(address[:80])
    return address


def digest_day_begun(now: datetime, hour: int = DEFAULT_DIGEST_HOUR) -> bool:
    """The day's digest goes on the first run at or after `hour` o'clock Helsinki time (`now` is naive UTC)."""
    return now.replace(tzinfo=timezone.utc).astimezone(HELSINKI).hour >= hour


def digest_day(now: datetime) -> str:
    """The Helsinki calendar day a digest belongs to, as YYYY-MM-DD: one digest a day per handler."""
    return helsinki_date(now).isoformat()


@dataclass(frozen=True)
class Notice:
    """One message to a unit's handlers of one language: what kind, and the counts, nothing else."""

    unit_code: str
    unit_name: str
    kind: str
    language: str
    to: tuple[str, ...]
    new: int
    due_soon: int
    overdue: int

    def as_json(self) -> dict[str, object]:
        return {"to": list(self.to), "unit": self.unit_code, "kind": self.kind, "new": self.new,
                "due_soon": self.due_soon, "overdue": self.overdue}


def inbox_link(public_url: str, notice: Notice) -> str:
    """The inbox filtered to the unit's replies that wait (wake-up) or are late or due soon (digest)."""
    query = {"unit": notice.unit_code, "lang": notice.language}
    query |= {"status": "awaiting"} if notice.kind == WAKE else {"deadline": "overdue" if notice.overdue else "due_soon"}
    return f"{public_url.rstrip('/')}/inbox?{urlencode(query)}"


_SUBJECTS = {
    ("fi", WAKE): "Vartti: uusi vastausta pyytävä palaute – {unit}",
    ("sv", WAKE): "Vartti: ny respons som väntar på svar – {unit}",
    ("en", WAKE): "Vartti: new feedback asking for a reply – {unit}",
    ("fi", DIGEST): "Vartti: vastattavat palautteet tänään – {unit}",
    ("sv", DIGEST): "Vartti: respons att besvara i dag – {unit}",
    ("en", DIGEST): "Vartti: replies to send today – {unit}",
}
_BODIES = {
    "fi": ("Hei,\n\n{lead}\n\n"
           "Uusia vastausta pyytäviä palautteita: {new}\n"
           "Vastaus erääntyy 3 päivän sisällä: {due_soon}\n"
           "Vastaus myöhässä: {overdue}\n\n"
           "Avaa palautteet: {link}\n\n"
           "Viestissä ei ole palautteiden sisältöä: ne luetaan Varttista.\n"
           "Saat tämän viestin, koska olet yksikön {unit} palautteenkäsittelijä."),
    "sv": ("Hej,\n\n{lead}\n\n"
           "Ny respons som ber om svar: {new}\n"
           "Svaret förfaller inom 3 dagar: {due_soon}\n"
           "Svaret är försenat: {overdue}\n\n"
           "Öppna responsen: {link}\n\n"
           "Meddelandet innehåller inte själva responsen: den läses i Vartti.\n"
           "Du får detta meddelande eftersom du behandlar responsen för enheten {unit}."),
    "en": ("Hello,\n\n{lead}\n\n"
           "New feedback asking for a reply: {new}\n"
           "Reply due within 3 days: {due_soon}\n"
           "Reply overdue: {overdue}\n\n"
           "Open the feedback: {link}\n\n"
           "This message holds none of the feedback itself: read it in Vartti.\n"
           "You receive this message as a feedback handler of {unit}."),
}
_LEADS = {
    ("fi", WAKE): "Yksikköön {unit} on tullut palautetta, jonka antaja toivoo vastausta.",
    ("sv", WAKE): "Enheten {unit} har fått respons där kunden önskar svar.",
    ("en", WAKE): "{unit} has received feedback whose giver asks for a reply.",
    ("fi", DIGEST): "Yksikön {unit} vastattavien palautteiden tilanne tänä aamuna.",
    ("sv", DIGEST): "Läget för respons att besvara vid enheten {unit} i morse.",
    ("en", DIGEST): "This morning's replies to send for {unit}.",
}


def message(notice: Notice, public_url: str) -> tuple[str, str]:
    """The subject and plain-text body of a notice in its language: counts, the unit and a link only."""
    language = notice.language if notice.language in MAIL_LANGUAGES else "fi"
    # The unit's name is one line of plain text: a name with a line break must not forge mail headers.
    unit = " ".join(notice.unit_name.split())
    subject = _SUBJECTS[(language, notice.kind)].format(unit=unit)
    lead = _LEADS[(language, notice.kind)].format(unit=unit)
    body = _BODIES[language].format(lead=lead, new=notice.new, due_soon=notice.due_soon, overdue=notice.overdue,
                                    link=inbox_link(public_url, notice), unit=unit)
    return subject, body
