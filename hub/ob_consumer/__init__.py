"""The hub as an Open Badges 3.0 API Service Consumer: an earner sends a badge to another host.

It implements Open Badges Specification v3.0 §6 (the API: discovery and ``upsertCredential``)
and §7 (API security). That means service discovery, OAuth 2.0 Dynamic Client Registration
(RFC 7591) without an initial access token, and the authorization code grant (RFC 6749) with
PKCE S256 (RFC 7636). It also refreshes tokens, and revokes them (RFC 7009) when the host
publishes a ``revocation_endpoint`` (RFC 8414). Every request to the host goes through
:class:`hub.outbound.PolicyTransport`.
"""
