"""Mail from the county's sender mailbox through Microsoft Graph `sendMail`, with an msal app-only token.

The app registration is the one that resolves group overage (auth/graph.py); for mail it needs the
application permission Mail.Send, restricted to the sender mailbox with an Exchange application
access policy (README, "Waking the handlers").
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

import requests

from auth.graph import GraphError, GraphSettings, _app_token, _graph_error_code, _http_session, _redact


class MailError(RuntimeError):
    """A message was not accepted; the text is safe to log and show (no secret, no token, no body).

    `refused_message`: Graph refused this message itself (e.g. ErrorInvalidRecipients), not the app or
    the token; another message, to other addresses, may still go.
    """

    def __init__(self, text: str, *, refused_message: bool = False) -> None:
        super().__init__(text)
        self.refused_message = refused_message


@dataclass(frozen=True)
class MailSettings:
    graph: GraphSettings
    sender: str


class Mailer:
    """One run's connection to Graph: the token is asked once, at the first message."""

    def __init__(self, settings: MailSettings, *, timeout: float = 20) -> None:
        self.settings = settings
        self._session = _http_session(settings.graph, timeout)
        self._token: str | None = None
        self._no_token: str | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc) -> None:
        self._session.close()

    @property
    def token_problem(self) -> str | None:
        """Why no token was had in this run (then nothing could be sent), or None."""
        return self._no_token

    def send(self, to: Sequence[str], subject: str, body: str) -> None:
        """Send a plain-text message to `to`; MailError when Graph or the token endpoint refuses or is unreachable."""
        token = self._bearer()
        graph_url = self.settings.graph.graph_url.rstrip("/")
        url = f"{graph_url}/v1.0/users/{quote(self.settings.sender, safe='@')}/sendMail"
        message = {
            "subject": subject,
            "body": {"contentType": "Text", "content": body},
            "toRecipients": [{"emailAddress": {"address": address}} for address in to],
        }
        try:
            response = self._session.request("POST", url, json={"message": message, "saveToSentItems": False},
                                             headers={"Authorization": f"Bearer {token}"})
        except requests.RequestException as problem:
            raise MailError(_redact(f"Graph sendMail unreachable: {problem!r}", token)) from None
        if response.status_code != 202:
            status = response.status_code
            raise MailError(f"Graph sendMail answered HTTP {status}: {_graph_error_code(response)}",
                            refused_message=status in (400, 404, 413))

    def _bearer(self) -> str:
        # A refused token is refused for every message of the run: asked once, reported for each.
        if self._no_token is not None:
            raise MailError(self._no_token)
        if self._token is None:
            graph_url = self.settings.graph.graph_url.rstrip("/")
            try:
                self._token = _app_token(self.settings.graph, graph_url, self._session)
            except GraphError as problem:
                self._no_token = str(problem)
                raise MailError(self._no_token) from None
        return self._token
