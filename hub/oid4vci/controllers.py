"""Routes of OpenID4VCI: the earner's wallet page, the metadata and the wallet's endpoints.

The wallet endpoints authenticate with this module's own access tokens, not with sessions or
Keycloak tokens, so they are public to the hub's guard and carry no CSRF cookie check.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Template
from litestar.types import ExceptionHandlersMap

from hub.auth import permissions
from hub.auth.principal import authenticate
from hub.backpack.sharing import may_send_to_wallet
from hub.certificates.render import qr_code_svg
from hub.controllers import load_award
from hub.errors import PermissionDeniedError
from hub.oid4vci import metadata, services
from hub.oid4vci.errors import Oid4vciError, oauth_error_response
from hub.pages import render
from hub.settings import Settings
from tenants.services import get_tenant
from tenants.tables import Award

NO_STORE = {"Cache-Control": "no-store"}
OAUTH_ERRORS: ExceptionHandlersMap = {Oid4vciError: oauth_error_response}
WALLET_OPT = {"access": permissions.PUBLIC, "exclude_from_csrf": True}
FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


class IssuerMetadataController(Controller):
    """Metadata at the well-known URIs built from the issuer identifier's path (RFC 8615)."""

    path = "/.well-known"
    opt = {"access": permissions.PUBLIC}
    tags = ["oid4vci"]

    @get("/openid-credential-issuer/tenants/{slug:str}")
    async def credential_issuer(
        self, slug: FromPath[str], settings: NamedDependency[Settings]
    ) -> Response[dict[str, Any]]:
        tenant = await get_tenant(slug)
        return Response(metadata.issuer_metadata(settings, tenant), headers=_public_headers())

    @get("/oauth-authorization-server/tenants/{slug:str}")
    async def authorization_server(
        self, slug: FromPath[str], settings: NamedDependency[Settings]
    ) -> Response[dict[str, Any]]:
        tenant = await get_tenant(slug)
        body = metadata.authorization_server_metadata(settings, tenant.slug)
        return Response(body, headers=_public_headers())


class WalletEndpointController(Controller):
    """The token, nonce and credential endpoints that wallets call."""

    path = "/tenants/{slug:str}/oid4vci"
    opt = WALLET_OPT
    tags = ["oid4vci"]
    exception_handlers = OAUTH_ERRORS

    @post("/token", status_code=200)
    async def token(
        self, slug: FromPath[str], settings: NamedDependency[Settings], data: FormData
    ) -> Response[dict[str, Any]]:
        tenant = await get_tenant(slug)
        if data.get("grant_type") != metadata.PRE_AUTHORIZED_GRANT:
            raise Oid4vciError(
                "unsupported_grant_type",
                f"this server accepts only grant_type={metadata.PRE_AUTHORIZED_GRANT}",
            )
        code = data.get("pre-authorized_code")
        if not code:
            raise Oid4vciError("invalid_request", "send the pre-authorized_code of the offer")
        grant = await services.exchange_code(settings, tenant, code, data.get("tx_code"))
        body = {
            "access_token": grant.access_token,
            "token_type": "Bearer",
            "expires_in": grant.expires_in,
        }
        return Response(body, headers=NO_STORE)

    @get("/offers/{offer_id:uuid}")
    async def offer_by_reference(
        self,
        slug: FromPath[str],
        offer_id: FromPath[uuid.UUID],
        settings: NamedDependency[Settings],
    ) -> Response[dict[str, Any]]:
        """Serve the offer that a ``credential_offer_uri`` link names."""
        tenant = await get_tenant(slug)
        document = await services.offer_by_reference(settings, tenant, offer_id)
        return Response(document, headers=NO_STORE)

    @post("/nonce", status_code=200)
    async def nonce(
        self, slug: FromPath[str], settings: NamedDependency[Settings]
    ) -> Response[dict[str, str]]:
        await get_tenant(slug)
        return Response({"c_nonce": services.new_nonce(settings)}, headers=NO_STORE)

    @post("/credential", status_code=200)
    async def credential(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        settings: NamedDependency[Settings],
    ) -> Response[dict[str, Any]]:
        tenant = await get_tenant(slug)
        token = _bearer_token(request)
        try:
            body = await request.json()
        except (ValueError, UnicodeDecodeError) as error:
            raise Oid4vciError("invalid_credential_request", "the body is not JSON") from error
        result = await services.issue_credential(settings, tenant, token, body)
        return Response(result, headers=NO_STORE)


class WalletPageController(Controller):
    """The earner's page that offers a badge to a wallet as a QR code and a deep link."""

    path = "/credentials/{award_id:uuid}/wallet"
    opt = {"access": permissions.SIGNED_IN}

    @get("/")
    async def page(
        self, request: Request[Any, Any, Any], award_id: FromPath[uuid.UUID]
    ) -> Template:
        award, tenant, _ = await load_award(award_id)
        await _require_earner(request, award)
        return await render(request, "wallet.html", award=award, tenant=tenant, offer=None)

    # The page shows the offer's code and transaction code, which no cache may keep.
    @post("/", status_code=200, response_headers={"Cache-Control": "no-store"})
    async def offer(
        self,
        request: Request[Any, Any, Any],
        award_id: FromPath[uuid.UUID],
        settings: NamedDependency[Settings],
        data: FormData,
    ) -> Template:
        award, tenant, _ = await load_award(award_id)
        actor = await _require_earner(request, award)
        offer = await services.create_offer(
            settings, tenant, award, actor, with_tx_code=data.get("tx_code") == "on"
        )
        return await render(
            request,
            "wallet.html",
            award=award,
            tenant=tenant,
            offer=offer,
            qr=qr_code_svg(offer.deep_link),
        )


async def _require_earner(request: Request[Any, Any, Any], award: Award) -> str:
    """Return the viewer's actor name when they earned the award; raise otherwise."""
    viewer = await authenticate(request)
    assert viewer is not None  # the route's access level requires a signed-in person
    if not await may_send_to_wallet(viewer, award):
        raise PermissionDeniedError(
            "only the person who earned this badge can send it to a wallet; sign in with the "
            "account the badge was awarded to",
            code="not-the-earner",
        )
    return viewer.actor


def _bearer_token(request: Request[Any, Any, Any]) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _public_headers() -> dict[str, str]:
    return {"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=300"}


ROUTES = [IssuerMetadataController, WalletEndpointController, WalletPageController]
