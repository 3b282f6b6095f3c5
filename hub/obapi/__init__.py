"""Open Badges 3.0 API, host role: the hub as the earner's resource and authorization server.

Open Badges Specification 3.0 §6 (the REST API) and §7 (its OAuth 2.0 security). The package
serves a discovery document and dynamic client registration (RFC 7591) without an initial
access token. Earners sign in through the alliance Keycloak in the authorization code grant
with PKCE S256 (RFC 7636). Refresh tokens, token revocation (RFC 7009) and the credential and
profile endpoints with Imsx_StatusInfo errors complete it. The OAuth server is authlib's, and
this package supplies its storage and its Litestar wiring.
"""
