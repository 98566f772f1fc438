"""Group membership from Microsoft Graph when Entra ID leaves the `groups` claim out (group overage)."""
from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import msal
import requests

# A member of thousands of groups needs a few pages; a longer chain is a broken or hostile server.
MAX_PAGES = 100
_DETAIL_CHARS = 600


@dataclass(frozen=True)
class GraphSettings:
    """The app registration that may read group memberships (application permission GroupMember.Read.All).

    `authority` is the OIDC issuer, i.e. Streamlit's `server_metadata_url` without
    `/.well-known/openid-configuration` (Entra: https://login.microsoftonline.com/TENANT/v2.0).
    """

    authority: str
    client_id: str
    client_secret: str = field(repr=False)
    graph_url: str = "https://graph.microsoft.com"
    ca_bundle: str | None = None


class GraphError(RuntimeError):
    """Group membership could not be resolved; the message is safe to log (no secret, no token)."""


def has_group_overage(claims: Mapping[str, object]) -> bool:
    """Overage: no `groups` claim, and `_claim_names` names `groups` or `hasgroups` is true."""
    if "groups" in claims:
        return False
    claim_names = claims.get("_claim_names")
    named = isinstance(claim_names, Mapping) and "groups" in claim_names
    return named or claims.get("hasgroups") in (True, "true")


def group_ids(claims: Mapping[str, object], settings: GraphSettings | None) -> tuple[str, ...]:
    """The `groups` claim when present; on overage Graph's answer; else (). GraphError whenever unsure (fail closed)."""
    if "groups" in claims:
        return _string_ids(claims["groups"], "the groups claim")
    if not has_group_overage(claims):
        return ()
    if settings is None:
        raise GraphError("group overage in the ID token but no Graph settings to resolve it")
    # Not the token's _claim_sources endpoint: that is the retired Azure AD Graph, and a token must not
    # choose where the app sends its own access token.
    user_id = claims.get("oid") or claims.get("sub")
    if not isinstance(user_id, str) or not user_id:
        raise GraphError("group overage in the ID token but neither an oid nor a sub claim")
    return fetch_member_groups(user_id, settings)


def fetch_member_groups(user_id: str, settings: GraphSettings, *, timeout: float = 10) -> tuple[str, ...]:
    """The user's group ids from getMemberGroups, all pages, sorted, unique; GraphError on any failure.

    `timeout` is in seconds for each HTTP request.
    """
    graph_url = settings.graph_url.rstrip("/")
    with _http_session(settings, timeout) as session:
        token = _app_token(settings, graph_url, session)
        url = f"{graph_url}/v1.0/users/{quote(user_id, safe='')}/getMemberGroups"
        method, body = "POST", {"securityEnabledOnly": False}
        ids: list[str] = []
        for _ in range(MAX_PAGES):
            page = _graph_json(session, method, url, body, token)
            ids += _string_ids(page.get("value"), "Graph's value")
            next_link = page.get("@odata.nextLink")
            if next_link is None:
                return tuple(sorted(set(ids)))
            method, url, body = "GET", _same_origin(next_link, graph_url), None
    raise GraphError(f"Graph still paging after {MAX_PAGES} pages")


def _http_session(settings: GraphSettings, timeout: float) -> requests.Session:
    session = requests.Session()
    # msal applies neither verify nor timeout to a client it is given; and requests lets
    # REQUESTS_CA_BUNDLE override Session.verify, but not a verify passed with the request.
    # Proxies from the environment still apply (trust_env stays on).
    session.request = functools.partial(session.request, verify=settings.ca_bundle or True, timeout=timeout)
    return session


def _app_token(settings: GraphSettings, graph_url: str, session: requests.Session) -> str:
    try:
        # oidc_authority reads {authority}/.well-known/openid-configuration as given; authority= would
        # first ask login.microsoftonline.com to validate the host and append /v2.0 to the path.
        app = msal.ConfidentialClientApplication(
            settings.client_id,
            client_credential=settings.client_secret,
            oidc_authority=settings.authority,
            http_client=session,
        )
        result = app.acquire_token_for_client(scopes=[f"{graph_url}/.default"])
    except (requests.RequestException, ValueError, KeyError) as problem:
        raise GraphError(_redact(f"no token from {settings.authority}: {problem!r}", settings.client_secret)) from None
    token = result.get("access_token")
    if not isinstance(token, str) or not token:
        refusal = f"{result.get('error')}: {result.get('error_description')}"
        raise GraphError(_redact(f"token refused by {settings.authority}: {refusal}", settings.client_secret))
    return token


def _graph_json(session: requests.Session, method: str, url: str, body: object, token: str) -> dict:
    where = url.split("?")[0]
    try:
        response = session.request(method, url, json=body, headers={"Authorization": f"Bearer {token}"})
    except requests.RequestException as problem:
        raise GraphError(_redact(f"Graph {method} {where} failed: {problem!r}", token)) from None
    if response.status_code != 200:
        raise GraphError(f"Graph {method} {where} answered HTTP {response.status_code}: {_graph_error_code(response)}")
    try:
        page = response.json()
    except ValueError:
        raise GraphError(f"Graph {method} {where} answered with something other than JSON") from None
    if not isinstance(page, dict):
        raise GraphError(f"Graph {method} {where} answered JSON that is not an object")
    return page


def _graph_error_code(response: requests.Response) -> str:
    # Only Graph's error code: a body could echo anything, and the log must not carry it.
    try:
        code = response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return "no Graph error code"
    return str(code)[:_DETAIL_CHARS]


def _same_origin(next_link: object, graph_url: str) -> str:
    # The bearer token goes with every page: never to another host than the configured Graph.
    if not isinstance(next_link, str) or _origin(next_link) != _origin(graph_url):
        raise GraphError(f"Graph's @odata.nextLink leaves {graph_url}")
    return next_link


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _string_ids(value: object, what: str) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) and item for item in value):
        raise GraphError(f"{what} is not a list of group ids")
    return tuple(sorted(set(value)))


def _redact(message: str, secret: str) -> str:
    # Error texts may echo a request; the log must never carry the secret or the token.
    if secret:
        message = message.replace(secret, "[redacted]")
    return message[:_DETAIL_CHARS]
