"""Open Badges 3.0 API, host role: the hub as the earner's resource and authorization server.

Open Badges Specification 3.0 §6 (the REST API) and §7 (its OAuth 2.0 security): a discovery
document, dynamic client registration (RFC 7591) without an initial access token, the
authorization code grant with PKCE S256 (RFC 7636) in which the earner signs in through the
alliance Keycloak, refresh tokens, token revocation (RFC 7009), and the credential and profile
endpoints with Imsx_StatusInfo errors. The OAuth server is authlib's; this package supplies
its storage and its Litestar wiring.
"""
