"""Real HTTPS servers on 127.0.0.1 in threads: an OIDC provider's client-credentials token endpoint and
Graph's getMemberGroups.

The token endpoint is written here because oidc-provider-mock (0.3.4, the newest for Python 3.11)
only grants authorization_code and refresh_token; msal's acquire_token_for_client needs RFC 6749 §4.4.
"""
from __future__ import annotations

import base64
import json
import secrets
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, unquote_plus, urlsplit

import trustme

from auth.graph import GraphSettings

TENANT = "tenant"
CLIENT_ID = "vartti-test-app"
CLIENT_SECRET = "s3cret-Zq8~not-for-logs"
SOCKET_TIMEOUT = 5.0


@dataclass(frozen=True)
class Request:
    method: str
    base_url: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json"


def json_response(status: int, payload: object) -> Response:
    return Response(status, json.dumps(payload).encode())


def graph_error(status: int, code: str) -> Response:
    """An error the way Graph words it."""
    return json_response(status, {"error": {"code": code, "message": f"stand-in says {code}"}})


App = Callable[[Request], Response]


@dataclass
class TokenEndpoint:
    """OIDC discovery and the client-credentials grant (client_secret_post or _basic) under /tenant."""

    clients: dict[str, str]
    scope: str = ""
    issued: set[str] = field(default_factory=set)
    requests: list[Request] = field(default_factory=list)
    delay: float = 0.0
    release: threading.Event = field(default_factory=threading.Event)

    def __call__(self, request: Request) -> Response:
        self.requests.append(request)
        self.release.wait(self.delay)
        if (request.method, request.path) == ("GET", f"/{TENANT}/.well-known/openid-configuration"):
            return json_response(200, self.discovery(request.base_url + f"/{TENANT}"))
        if (request.method, request.path) == ("POST", f"/{TENANT}/oauth2/v2.0/token"):
            return self.token(request)
        return json_response(404, {"error": "not_found"})

    @staticmethod
    def discovery(issuer: str) -> dict[str, object]:
        return {
            "issuer": issuer,
            # Not served: only the token endpoint is implemented here; msal requires the key.
            "authorization_endpoint": f"{issuer}/oauth2/v2.0/authorize",
            "token_endpoint": f"{issuer}/oauth2/v2.0/token",
            "jwks_uri": f"{issuer}/discovery/v2.0/keys",
            "response_types_supported": ["code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "grant_types_supported": ["client_credentials"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        }

    def token(self, request: Request) -> Response:
        form = {key: values[0] for key, values in parse_qs(request.body.decode()).items()}
        client_id, secret = form.get("client_id"), form.get("client_secret")
        authorization = request.headers.get("authorization", "")
        if authorization.lower().startswith("basic "):
            if secret is not None:
                return json_response(400, {"error": "invalid_request", "error_description": "two client auths"})
            client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
            client_id, secret = unquote_plus(client_id), unquote_plus(secret)
        if form.get("grant_type") != "client_credentials":
            return json_response(400, {"error": "unsupported_grant_type"})
        expected = self.clients.get(client_id or "")
        if expected is None or secret is None or not secrets.compare_digest(expected, secret):
            # Echoes what it was sent, as careless servers do, so the caller's redaction is exercised.
            description = f"bad secret {secret!r} for {client_id!r}"
            return json_response(401, {"error": "invalid_client", "error_description": description})
        if form.get("scope", "").split() != [self.scope]:
            return json_response(400, {"error": "invalid_scope", "error_description": f"only {self.scope}"})
        access_token = secrets.token_urlsafe(32)
        self.issued.add(access_token)
        return json_response(200, {"access_token": access_token, "token_type": "Bearer", "expires_in": 3599})


@dataclass
class GraphStandIn:
    """POST /v1.0/users/{id}/getMemberGroups for tokens the TokenEndpoint issued; optional paging."""

    issued: set[str]
    groups: dict[str, list[str]] = field(default_factory=dict)
    page_size: int | None = None
    answer: Response | None = None
    next_link_base: str | None = None
    endless: bool = False
    requests: list[Request] = field(default_factory=list)
    delay: float = 0.0
    release: threading.Event = field(default_factory=threading.Event)

    def __call__(self, request: Request) -> Response:
        self.requests.append(request)
        self.release.wait(self.delay)
        parts = request.path.split("/")
        if len(parts) != 5 or parts[:3] != ["", "v1.0", "users"] or parts[4] != "getMemberGroups":
            return graph_error(404, "Request_BadRequest")
        bearer = request.headers.get("authorization", "")
        if not bearer.startswith("Bearer ") or bearer[7:] not in self.issued:
            return graph_error(401, "InvalidAuthenticationToken")
        if request.method == "POST" and not _is_member_groups_body(request):
            return graph_error(400, "BadRequest")
        if request.method == "GET" and "$skiptoken" not in request.query:
            return graph_error(405, "Request_BadRequest")
        if self.answer is not None:
            return self.answer
        user_id = unquote(parts[3])
        if user_id not in self.groups:
            return graph_error(404, "Request_ResourceNotFound")
        return self.page(request, user_id)

    def page(self, request: Request, user_id: str) -> Response:
        groups = self.groups[user_id]
        start = int(request.query.get("$skiptoken", ["0"])[0])
        size = self.page_size or len(groups)
        payload: dict[str, object] = {"value": groups[start : start + size]}
        following = start if self.endless else start + size
        if self.endless or following < len(groups):
            base = self.next_link_base or request.base_url
            payload["@odata.nextLink"] = f"{base}{request.path}?$skiptoken={following}"
        return json_response(200, payload)


def _is_member_groups_body(request: Request) -> bool:
    if not request.headers.get("content-type", "").startswith("application/json"):
        return False
    try:
        body = json.loads(request.body)
    except ValueError:
        return False
    return isinstance(body, dict) and isinstance(body.get("securityEnabledOnly"), bool)


class _Handler(BaseHTTPRequestHandler):
    server: _TLSServer

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _answer(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request = Request(
            method=self.command,
            base_url=self.server.base_url,
            path=url.path,
            query=parse_qs(url.query),
            headers={key.lower(): value for key, value in self.headers.items()},
            body=self.rfile.read(length),
        )
        try:
            response = self.server.app(request)
        except Exception as problem:  # a broken stand-in must show as a failure, not a hang
            response = Response(500, repr(problem).encode(), "text/plain")
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _TLSServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, app: App, tls: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.app = app
        self.tls = tls
        self.base_url = f"https://127.0.0.1:{self.server_address[1]}"

    def finish_request(self, request, client_address) -> None:
        # The handshake runs in the connection's own thread, so a stalled client stalls only itself.
        request.settimeout(SOCKET_TIMEOUT)
        try:
            connection = self.tls.wrap_socket(request, server_side=True)
        except OSError:
            return  # e.g. a client that does not trust the certificate hangs up during the handshake
        with connection:
            super().finish_request(connection, client_address)


@contextmanager
def serve_https(app: App, ca: trustme.CA) -> Iterator[str]:
    """Serve `app` over TLS with a certificate for 127.0.0.1 from `ca`; yield its base URL."""
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(tls)
    server = _TLSServer(app, tls)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.base_url
    finally:
        release = getattr(app, "release", None)
        if release is not None:
            release.set()  # wakes a handler that is delaying its answer
        server.shutdown()
        server.server_close()
        thread.join(SOCKET_TIMEOUT)
        assert not thread.is_alive(), "test server did not stop"


@dataclass
class Stack:
    """A running token endpoint and Graph stand-in, and the settings that reach them."""

    login: TokenEndpoint
    graph: GraphStandIn
    settings: GraphSettings


@contextmanager
def running_stack(login_ca: trustme.CA, graph_ca: trustme.CA, ca_bundle: str | None) -> Iterator[Stack]:
    """Both servers up (each with a certificate from its CA); settings trust `ca_bundle`."""
    login = TokenEndpoint(clients={CLIENT_ID: CLIENT_SECRET})
    graph = GraphStandIn(issued=login.issued)
    with ExitStack() as servers:
        login_url = servers.enter_context(serve_https(login, login_ca))
        graph_url = servers.enter_context(serve_https(graph, graph_ca))
        login.scope = f"{graph_url}/.default"
        settings = GraphSettings(
            authority=f"{login_url}/{TENANT}",
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            graph_url=graph_url,
            ca_bundle=ca_bundle,
        )
        yield Stack(login, graph, settings)
