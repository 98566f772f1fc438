"""Local HTTPS stand-ins for an OIDC token endpoint and Microsoft Graph, for tests/integration/test_graph.py."""
