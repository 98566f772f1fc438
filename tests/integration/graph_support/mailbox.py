"""A stand-in of Graph's sendMail (POST /v1.0/users/{sender}/sendMail) for tokens the TokenEndpoint issued.

It keeps every accepted message as a handler's mailbox would; it can refuse an address the way Graph
refuses an unknown recipient, or be down.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import unquote

from tests.integration.graph_support.servers import Request, Response, graph_error


@dataclass(frozen=True)
class Mail:
    sender: str
    to: tuple[str, ...]
    subject: str
    body: str


@dataclass
class MailStandIn:
    issued: set[str]
    sender: str
    received: list[Mail] = field(default_factory=list)
    refused_addresses: set[str] = field(default_factory=set)
    down: bool = False
    requests: list[Request] = field(default_factory=list)

    def __call__(self, request: Request) -> Response:
        self.requests.append(request)
        if self.down:
            return graph_error(503, "ServiceUnavailable")
        parts = request.path.split("/")
        if request.method != "POST" or len(parts) != 5 or parts[:3] != ["", "v1.0", "users"] or parts[4] != "sendMail":
            return graph_error(404, "Request_BadRequest")
        bearer = request.headers.get("authorization", "")
        if not bearer.startswith("Bearer ") or bearer[7:] not in self.issued:
            return graph_error(401, "InvalidAuthenticationToken")
        if unquote(parts[3]) != self.sender:
            # Mail.Send is restricted to the sender mailbox (application access policy).
            return graph_error(403, "ErrorAccessDenied")
        message = json.loads(request.body)["message"]
        to = tuple(r["emailAddress"]["address"] for r in message["toRecipients"])
        if self.refused_addresses & set(to):
            return graph_error(400, "ErrorInvalidRecipients")
        self.received.append(Mail(parts[3], to, message["subject"], message["body"]["content"]))
        return Response(202)

    def inbox_of(self, address: str) -> list[Mail]:
        return [mail for mail in self.received if address in mail.to]
