"""The hub as an Open Badges 3.0 API Service Consumer: an earner sends a badge to another host.

Open Badges Specification v3.0, §6 (API: discovery, ``upsertCredential``) and §7 (API security):
service discovery, OAuth 2.0 Dynamic Client Registration (RFC 7591) without an initial access
token, the authorization code grant (RFC 6749) with PKCE S256 (RFC 7636), token refresh, and
token revocation (RFC 7009) when the host publishes a ``revocation_endpoint`` (RFC 8414). Every
request to the host goes through :class:`hub.outbound.PolicyTransport`.
"""
