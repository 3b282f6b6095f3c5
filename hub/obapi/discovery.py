"""The Service Description Document of ``GET /ims/ob/v3p0/discovery`` (OB 3.0 §6.3, §7.1.1.1).

An OpenAPI 3.0 document whose OAuth2ACG security scheme gives a client its registration,
authorization and token URLs. It describes the operations this hub serves with the scopes each
requires. The data schemas are the specification's own and are referred to by URL.
"""

from __future__ import annotations

from typing import Any

from hub.obapi.imsx import API_PREFIX
from hub.obapi.scopes import (
    CREDENTIAL_READ,
    CREDENTIAL_UPSERT,
    OB_SCOPES,
    PROFILE_READ,
    PROFILE_UPDATE,
)
from hub.settings import Settings

HUB_NAME = "EUNICE Badge Hub"
SCHEMA_BASE = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
STATUS_INFO = {"$ref": f"{SCHEMA_BASE}ob_v3p0_imsx_statusinfo_schema.json"}


def _error_responses(*statuses: int) -> dict[str, Any]:
    error = {
        "description": "Imsx_StatusInfo",
        "content": {"application/json": {"schema": STATUS_INFO}},
    }
    return {**{str(status): error for status in statuses}, "default": error}


def _operation(operation_id: str, scope: str, ok: dict[str, Any], *errors: int) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "tags": ["OpenBadgeCredentials"],
        "security": [{"OAuth2ACG": [scope]}],
        "responses": {**ok, **_error_responses(*errors)},
    }


def _schema(name: str) -> dict[str, str]:
    return {"$ref": f"{SCHEMA_BASE}ob_v3p0_{name}_schema.json"}


def service_description(settings: Settings) -> dict[str, Any]:
    base = settings.base_url
    privacy = settings.privacy_policy_url or f"{base}/privacy"
    terms = settings.terms_of_service_url or f"{base}/privacy#terms"
    credential = {
        "description": "AchievementCredential",
        "content": {
            "application/json": {"schema": _schema("achievementcredential")},
            "text/plain": {"schema": {"type": "string"}},
        },
    }
    profile = {
        "description": "Profile",
        "content": {"application/json": {"schema": _schema("profile")}},
    }
    listing = {
        "description": "GetOpenBadgeCredentialsResponse",
        "headers": {
            "X-Total-Count": {"schema": {"type": "integer"}},
            "Link": {"schema": {"type": "string"}},
        },
        "content": {"application/json": {"schema": _schema("getopenbadgecredentialsresponse")}},
    }
    return {
        "openapi": "3.0.1",
        "info": {
            "title": f"{HUB_NAME} Open Badges API",
            "description": (
                "Open Badges 3.0 API of the EUNICE Badge Hub: the badges and profile of the "
                "earner who authorizes the client."
            ),
            "version": "3.0",
            "termsOfService": terms,
            "x-imssf-privacyPolicyUrl": privacy,
        },
        "servers": [{"url": f"{base}{API_PREFIX}", "description": HUB_NAME}],
        "tags": [{"name": "OpenBadgeCredentials"}, {"name": "Discovery"}],
        "paths": {
            "/credentials": {
                "get": {
                    **_operation(
                        "getCredentials", CREDENTIAL_READ, {"200": listing}, 400, 401, 403, 405, 500
                    ),
                    "parameters": [
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1},
                        },
                        {
                            "name": "offset",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 0},
                        },
                        {
                            "name": "since",
                            "in": "query",
                            "schema": {"type": "string", "format": "date-time"},
                        },
                    ],
                },
                "post": {
                    **_operation(
                        "upsertCredential",
                        CREDENTIAL_UPSERT,
                        {"200": credential, "201": credential},
                        400,
                        401,
                        403,
                        404,
                        405,
                        500,
                    ),
                    "requestBody": {"required": True, "content": credential["content"]},
                },
            },
            "/profile": {
                "get": _operation(
                    "getProfile", PROFILE_READ, {"200": profile}, 400, 401, 403, 404, 405, 500
                ),
                "put": {
                    **_operation(
                        "putProfile", PROFILE_UPDATE, {"200": profile}, 400, 401, 403, 404, 405, 500
                    ),
                    "requestBody": {"required": True, "content": profile["content"]},
                },
            },
            "/discovery": {
                "get": {
                    "operationId": "getServiceDescription",
                    "tags": ["Discovery"],
                    "responses": {
                        "200": {"description": "ServiceDescriptionDocument"},
                        **_error_responses(),
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "OAuth2ACG": {
                    "type": "oauth2",
                    "description": "OAuth 2.0 Authorization Code Grant with PKCE S256",
                    "x-imssf-name": HUB_NAME,
                    "x-imssf-privacyPolicyUrl": privacy,
                    "x-imssf-termsOfServiceUrl": terms,
                    "x-imssf-registrationUrl": f"{base}/oauth/register",
                    "flows": {
                        "authorizationCode": {
                            "authorizationUrl": f"{base}/oauth/authorize",
                            "tokenUrl": f"{base}/oauth/token",
                            "refreshUrl": f"{base}/oauth/token",
                            "scopes": dict(OB_SCOPES),
                        }
                    },
                }
            },
            "schemas": {},
        },
    }
