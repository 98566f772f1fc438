"""Group overage: group ids from the ID token, or through msal's client-credentials token and Graph.

Real HTTPS servers on 127.0.0.1 (tests/integration/graph_support): a token endpoint at /tenant and a
Graph stand-in that only answers bearer tokens the token endpoint issued. Certificates come from a
trustme test CA, which the settings trust through `ca_bundle`.
"""
from __future__ import annotations

import time
from dataclasses import replace

import pytest
import trustme

from auth.graph import MAX_PAGES, GraphError, GraphSettings, fetch_member_groups, group_ids, has_group_overage
from tests.integration.graph_support.servers import (
    CLIENT_ID,
    CLIENT_SECRET,
    Response,
    TokenEndpoint,
    graph_error,
    json_response,
    running_stack,
    serve_https,
)

OID = "6f1c2a8e-0d4b-4c55-9a61-3e2f5b7c9d10"
SUB = "pairwise-sub-Xk3vQ"
GROUPS = [
    "c3b1f6a2-0000-4000-8000-000000000003",
    "a1b1f6a2-0000-4000-8000-000000000001",
    "b2b1f6a2-0000-4000-8000-000000000002",
]
OVERAGE = {
    "_claim_names": {"groups": "src1"},
    "_claim_sources": {"src1": {"endpoint": f"https://graph.windows.net/tenant/users/{OID}/getMemberObjects"}},
}


@pytest.fixture(autouse=True)
def no_ca_bundle_in_environment(monkeypatch):
    # This machine sets both; each would decide which CA a test trusts.
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)


@pytest.fixture(scope="module")
def test_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def other_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def ca_files(test_ca, other_ca, tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("ca")
    files = {"test": str(folder / "test-ca.pem"), "other": str(folder / "other-ca.pem")}
    test_ca.cert_pem.write_to_path(files["test"])
    other_ca.cert_pem.write_to_path(files["other"])
    return files


@pytest.fixture
def stack(test_ca, ca_files):
    with running_stack(test_ca, test_ca, ca_files["test"]) as running:
        yield running


@pytest.mark.parametrize(
    ("claims", "overage"),
    [
        ({"groups": GROUPS}, False),
        ({"groups": []}, False),
        ({}, False),
        ({"oid": OID, "sub": SUB}, False),
        (OVERAGE, True),
        ({"hasgroups": True}, True),
        ({"hasgroups": "true"}, True),
        ({"hasgroups": False}, False),
        ({"_claim_names": {"roles": "src1"}}, False),
        ({"_claim_names": "groups"}, False),
        ({"groups": GROUPS, **OVERAGE}, False),
    ],
)
def test_overage_is_a_missing_groups_claim_that_claim_names_or_hasgroups_points_elsewhere(claims, overage):
    assert has_group_overage(claims) is overage


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"groups": GROUPS}, tuple(sorted(GROUPS))),
        ({"groups": GROUPS + GROUPS[:1]}, tuple(sorted(GROUPS))),
        ({"groups": [], "oid": OID}, ()),
        ({"oid": OID, "sub": SUB}, ()),
        ({"groups": GROUPS[:1], **OVERAGE, "oid": OID}, GROUPS[:1]),
    ],
)
@pytest.mark.parametrize("configured", [True, False])
def test_groups_in_the_token_are_used_as_they_are_without_any_network(stack, claims, expected, configured):
    stack.graph.groups = {OID: ["never-asked"]}
    assert group_ids(claims, stack.settings if configured else None) == tuple(expected)
    assert stack.login.requests == [] and stack.graph.requests == []


@pytest.mark.parametrize(
    ("claims", "groups_by_user", "expected"),
    [
        ({**OVERAGE, "oid": OID, "sub": SUB}, {OID: GROUPS, SUB: ["of-the-sub"]}, sorted(GROUPS)),
        ({**OVERAGE, "sub": SUB}, {SUB: GROUPS[:2]}, sorted(GROUPS[:2])),
        ({"hasgroups": True, "oid": OID}, {OID: GROUPS + GROUPS}, sorted(GROUPS)),
        ({**OVERAGE, "oid": OID}, {OID: []}, []),
    ],
)
def test_overage_resolves_through_an_msal_client_token_and_getmembergroups(stack, claims, groups_by_user, expected):
    stack.graph.groups = groups_by_user
    assert group_ids(claims, stack.settings) == tuple(expected)
    token_requests = [r for r in stack.login.requests if r.method == "POST"]
    assert len(token_requests) == 1 and b"grant_type=client_credentials" in token_requests[0].body
    (graph_call,) = stack.graph.requests
    assert graph_call.method == "POST" and graph_call.headers["authorization"][7:] in stack.login.issued


@pytest.mark.parametrize(("group_count", "page_size", "pages"), [(5, 2, 3), (4, 2, 2), (3, 1, 3), (2, 5, 1)])
def test_every_page_of_a_paged_answer_is_followed_through_odata_nextlink(stack, group_count, page_size, pages):
    groups = [f"group-{n:02d}" for n in reversed(range(group_count))]
    stack.graph.groups = {OID: groups}
    stack.graph.page_size = page_size
    assert fetch_member_groups(OID, stack.settings) == tuple(sorted(groups))
    assert len(stack.graph.requests) == pages
    assert [r.method for r in stack.graph.requests] == ["POST"] + ["GET"] * (pages - 1)


@pytest.mark.parametrize(
    ("client_id", "secret"),
    [(CLIENT_ID, "wrong-secret-7Hq"), ("someone-else", CLIENT_SECRET), (CLIENT_ID, CLIENT_SECRET.upper())],
)
def test_a_refused_client_credential_is_a_graph_error_that_names_neither_secret(stack, client_id, secret):
    stack.graph.groups = {OID: GROUPS}
    settings = replace(stack.settings, client_id=client_id, client_secret=secret)
    with pytest.raises(GraphError, match="invalid_client") as raised:
        group_ids({**OVERAGE, "oid": OID}, settings)
    message = str(raised.value)
    assert secret not in message and CLIENT_SECRET not in message
    assert stack.graph.requests == []


@pytest.mark.parametrize(
    ("answer", "expected_message"),
    [
        (graph_error(403, "Authorization_RequestDenied"), "HTTP 403: Authorization_RequestDenied"),
        (graph_error(500, "generalException"), "HTTP 500: generalException"),
        (graph_error(429, "TooManyRequests"), "HTTP 429"),
        (Response(502, b"<html>bad gateway</html>", "text/html"), "HTTP 502: no Graph error code"),
        (Response(200, b"<html>sign in</html>", "text/html"), "other than JSON"),
        (json_response(200, ["not", "an", "object"]), "not an object"),
        (json_response(200, {"values": GROUPS}), "not a list of group ids"),
        (json_response(200, {"value": "a1b1f6a2"}), "not a list of group ids"),
        (json_response(200, {"value": [1, 2]}), "not a list of group ids"),
        (json_response(200, {"value": [""]}), "not a list of group ids"),
    ],
)
def test_a_graph_answer_that_is_not_a_list_of_group_ids_is_a_graph_error(stack, answer, expected_message):
    stack.graph.groups = {OID: GROUPS}
    stack.graph.answer = answer
    with pytest.raises(GraphError, match=expected_message) as raised:
        group_ids({**OVERAGE, "oid": OID}, stack.settings)
    assert not any(token in str(raised.value) for token in stack.login.issued)


def test_an_unknown_user_is_a_graph_error(stack):
    stack.graph.groups = {OID: GROUPS}
    with pytest.raises(GraphError, match="HTTP 404: Request_ResourceNotFound"):
        fetch_member_groups("a-user-graph-does-not-know", stack.settings)


@pytest.mark.parametrize(
    ("claims", "configured", "expected_message"),
    [
        ({**OVERAGE, "oid": OID}, False, "no Graph settings"),
        ({"hasgroups": True, "oid": OID}, False, "no Graph settings"),
        (OVERAGE, True, "neither an oid nor a sub"),
        ({**OVERAGE, "oid": "", "sub": None}, True, "neither an oid nor a sub"),
        ({"groups": "a1b1f6a2"}, True, "groups claim is not a list"),
    ],
)
def test_overage_that_cannot_be_resolved_fails_closed(stack, claims, configured, expected_message):
    stack.graph.groups = {OID: GROUPS}
    with pytest.raises(GraphError, match=expected_message):
        group_ids(claims, stack.settings if configured else None)
    assert stack.login.requests == [] and stack.graph.requests == []


@pytest.mark.parametrize("slow", ["login", "graph"])
def test_a_server_slower_than_the_timeout_is_a_graph_error_within_the_timeout(stack, slow):
    stack.graph.groups = {OID: GROUPS}
    getattr(stack, slow).delay = 5.0
    started = time.monotonic()
    with pytest.raises(GraphError, match="Timeout"):
        fetch_member_groups(OID, stack.settings, timeout=0.5)
    assert time.monotonic() - started < 3.0


@pytest.mark.parametrize(
    ("login_ca", "graph_ca", "trusted"),
    [("other", "test", "test"), ("test", "other", "test"), ("test", "test", None), ("test", "test", "other")],
)
def test_a_server_whose_certificate_is_not_trusted_is_a_graph_error(
    test_ca, other_ca, ca_files, login_ca, graph_ca, trusted
):
    cas = {"test": test_ca, "other": other_ca}
    with running_stack(cas[login_ca], cas[graph_ca], ca_files.get(trusted)) as untrusted:
        untrusted.graph.groups = {OID: GROUPS}
        with pytest.raises(GraphError, match="SSLError"):
            group_ids({**OVERAGE, "oid": OID}, untrusted.settings)
        assert untrusted.graph.requests == []


@pytest.mark.parametrize(
    ("variable", "environment_ca", "settings_ca", "works"),
    [
        ("REQUESTS_CA_BUNDLE", "other", "test", True),
        ("CURL_CA_BUNDLE", "other", "test", True),
        ("REQUESTS_CA_BUNDLE", "test", None, True),
        ("REQUESTS_CA_BUNDLE", "test", "other", False),
    ],
)
def test_settings_ca_bundle_wins_over_a_ca_bundle_in_the_environment(
    stack, ca_files, monkeypatch, variable, environment_ca, settings_ca, works
):
    monkeypatch.setenv(variable, ca_files[environment_ca])
    stack.graph.groups = {OID: GROUPS}
    settings = replace(stack.settings, ca_bundle=ca_files.get(settings_ca))
    if works:
        assert fetch_member_groups(OID, settings) == tuple(sorted(GROUPS))
    else:
        with pytest.raises(GraphError, match="SSLError"):
            fetch_member_groups(OID, settings)


def test_a_next_link_to_another_host_is_a_graph_error_and_gets_no_token(stack, test_ca):
    elsewhere = TokenEndpoint(clients={})
    with serve_https(elsewhere, test_ca) as elsewhere_url:
        stack.graph.groups = {OID: GROUPS}
        stack.graph.page_size = 1
        stack.graph.next_link_base = elsewhere_url
        with pytest.raises(GraphError, match="nextLink leaves"):
            fetch_member_groups(OID, stack.settings)
    assert elsewhere.requests == []
    assert len(stack.graph.requests) == 1


def test_a_next_link_that_never_ends_is_a_graph_error_after_max_pages(stack):
    stack.graph.groups = {OID: GROUPS}
    stack.graph.page_size = 1
    stack.graph.endless = True
    with pytest.raises(GraphError, match=f"after {MAX_PAGES} pages"):
        fetch_member_groups(OID, stack.settings)
    assert len(stack.graph.requests) == MAX_PAGES


def test_settings_never_show_the_secret_in_their_repr():
    settings = GraphSettings(authority="https://login.example/tenant", client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    assert CLIENT_SECRET not in repr(settings)
