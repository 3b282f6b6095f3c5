"""Composition root: ``create_app()`` assembles routes, templates, handlers and lifecycle."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import structlog
from litestar import Litestar, Router
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.datastructures import State
from litestar.di import Provide
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from litestar.config.csrf import CSRFConfig
from litestar.openapi.config import OpenAPIConfig

from hub import console
from hub import controllers as hub_controllers
from hub.auth import controllers as auth_controllers
from hub.auth.login import OidcClient, derive_key
from hub.auth.principal import authorize
from hub.auth.tokens import AccessTokenValidator, IdTokenValidator, JwksCache
from hub.database import configure_engine
from hub.i18n import template_translate
from hub.problems import EXCEPTION_HANDLERS
from hub.settings import Settings
from tenants import controllers as tenant_controllers

log = structlog.get_logger(__name__)

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

# Request bodies above this size are rejected with 413 before parsing: a credential is a few
# kilobytes, and the largest legitimate body (an achievement with an SVG image) stays far below.
MAX_REQUEST_BODY_BYTES = 2 * 1024 * 1024


def request_context_middleware(app: ASGIApp) -> ASGIApp:
    """Bind a request id to every log line of a request and echo it as ``X-Request-ID``."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        request_id = secrets.token_hex(8)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        await app(scope, receive, send_with_id)

    return middleware


def create_app(settings: Settings, database_url: str) -> Litestar:
    """Build the hub for one database; the caller owns the database's lifetime."""
    engine = configure_engine(database_url)

    @asynccontextmanager
    async def database_pool(app: Litestar) -> AsyncIterator[None]:
        # Close only a pool this app opened: tests share one pool across many apps.
        owns_pool = engine.pool is None
        if owns_pool:
            await engine.start_connection_pool(min_size=1, max_size=10)
        log.info("hub_started", public_url=settings.public_url)
        try:
            yield
        finally:
            if owns_pool:
                await engine.close_connection_pool()
            log.info("hub_stopped")

    def provide_settings() -> Settings:
        return settings

    return Litestar(
        route_handlers=[
            *hub_controllers.ROUTES,
            *tenant_controllers.ROUTES,
            *auth_controllers.ROUTES,
            *console.ROUTES,
            create_static_files_router(
                path="/static", directories=[STATIC], opt={"access": "public"}
            ),
        ],
        guards=[authorize],
        dependencies={"settings": Provide(provide_settings, sync_to_thread=False)},
        exception_handlers=EXCEPTION_HANDLERS,
        template_config=TemplateConfig(
            directory=TEMPLATES, engine=JinjaTemplateEngine, engine_callback=_template_globals
        ),
        csrf_config=CSRFConfig(
            secret=derive_key(settings, b"csrf").hex(),
            cookie_name="badgehub_csrf",
            cookie_secure=settings.public_url.startswith("https://"),
            header_name="x-csrf-token",
            # The API authenticates with bearer tokens, never cookies, so CSRF cannot reach it.
            exclude=["/api/", "/health"],
        ),
        lifespan=[database_pool],
        middleware=[request_context_middleware],
        state=State({"settings": settings, **_single_sign_on(settings)}),
        request_max_body_size=MAX_REQUEST_BODY_BYTES,
        openapi_config=OpenAPIConfig(
            title="EUNICE Badge Hub",
            version="0.1.0",
            path="/api/schema",
            openapi_router=Router(path="/api/schema", route_handlers=[], opt={"access": "public"}),
        ),
        debug=False,
    )


def _template_globals(engine: JinjaTemplateEngine) -> None:
    engine.engine.globals["t"] = template_translate


def _single_sign_on(settings: Settings) -> dict[str, Any]:
    """Token validators and the OIDC client, or None for each when no Keycloak is configured."""
    if settings.keycloak_issuer is None:
        return {"access_token_validator": None, "oidc_client": None}
    jwks = JwksCache(settings.keycloak_issuer)
    access = AccessTokenValidator.from_settings(settings, jwks)
    oidc = None
    if settings.oidc_client_secret is not None:
        oidc = OidcClient(settings, IdTokenValidator.from_settings(settings, jwks), access)
    return {"access_token_validator": access, "oidc_client": oidc}


