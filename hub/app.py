"""Composition root: ``create_app()`` assembles routes, templates, handlers and lifecycle."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import structlog
from litestar import Litestar, Request, Router
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.openapi.config import OpenAPIConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from federation import console_controllers as federation_console
from federation import controllers as federation_controllers
from federation import member_console, peer_controllers
from hub import console, console_achievements, metrics, queue, verification
from hub import controllers as hub_controllers
from hub.audit_log import controllers as audit_controllers
from hub.auth import controllers as auth_controllers
from hub.auth.login import OidcClient, derive_key
from hub.auth.principal import authorize
from hub.auth.tokens import AccessTokenValidator, IdTokenValidator, JwksCache
from hub.backpack import controllers as backpack_controllers
from hub.backpack import downloads as backpack_downloads
from hub.backpack import ob2_hosted
from hub.bulk import routes as bulk_routes
from hub.bulk import tasks as bulk_tasks
from hub.certificates import controllers as certificate_controllers
from hub.credentials import jsonld
from hub.database import configure_engine
from hub.designer import controllers as designer_controllers
from hub.errors import InvalidInputError
from hub.i18n import language_link, template_translate
from hub.mail import controllers as mail_controllers
from hub.ob_consumer import controllers as ob_consumer_controllers
from hub.obapi import controllers as obapi_controllers
from hub.oid4vci import controllers as oid4vci_controllers
from hub.problems import EXCEPTION_HANDLERS
from hub.settings import Settings
from hub.tracing import route_span_middleware, tracing_plugins
from tenants import achievement_controllers, status_controllers
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
        # Routing ran before app middleware, so the tenant of /…/tenants/{slug}/… is known.
        if tenant := scope.get("path_params", {}).get("slug"):
            structlog.contextvars.bind_contextvars(tenant=tenant)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        await app(scope, receive, send_with_id)

    return middleware


# Body encodings that Litestar decodes without its JSON decoder.
_NOT_JSON_BODIES = frozenset(
    {
        RequestEncodingType.URL_ENCODED,
        RequestEncodingType.MULTI_PART,
        RequestEncodingType.MESSAGEPACK,
    }
)


async def reject_deeply_nested_json(request: Request[Any, Any, Any]) -> None:
    """Reject a JSON body nested too deeply before Litestar decodes it into a ``data`` argument.

    msgspec recurses once per level and raises RecursionError near 1,000 levels, which would
    end as a 500. Runs after the guards, so anonymous callers of protected routes never get here.
    Litestar runs only the innermost ``before_request`` hook, so a controller or route that sets
    its own hook must call this one too.
    """
    data_field = request.route_handler.parsed_data_field
    if data_field is None:
        return
    encoding = getattr(data_field.kwarg_definition, "media_type", RequestEncodingType.JSON)
    if encoding in _NOT_JSON_BODIES:
        return
    try:
        jsonld.check_json_nesting(await request.body())
    except jsonld.DocumentTooComplexError as error:
        limit = jsonld.MAX_NESTING_DEPTH
        raise InvalidInputError(
            f"the request body nests JSON objects and arrays more than {limit} levels deep; "
            f"send a body with at most {limit} levels",
            code="invalid-request",
        ) from error


@asynccontextmanager
async def verification_workers(app: Litestar) -> AsyncIterator[None]:
    """Stop the verification worker processes at shutdown; the first verification starts them."""
    try:
        yield
    finally:
        await asyncio.to_thread(verification.shutdown_verification_workers)


def demo_worker(settings: Settings, database_url: str) -> Any:
    """Run the job queue's worker inside the server, as the demo has no separate worker."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if not settings.demo:
            yield
            return
        bulk_tasks.configure(settings)
        worker = asyncio.create_task(_run_demo_worker(settings, database_url), name="demo worker")
        try:
            yield
        finally:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
            await asyncio.to_thread(bulk_tasks.shutdown)

    return lifespan


async def _run_demo_worker(settings: Settings, database_url: str) -> None:
    # A job still running at shutdown is cancelled after 5 s. It is retried at the next start
    # and resumes from its last committed batch.
    await queue.run_worker(
        database_url, settings=settings, handle_signals=False, shutdown_graceful_timeout=5
    )


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

    @asynccontextmanager
    async def job_queue(app: Litestar) -> AsyncIterator[None]:
        # Web processes only defer jobs (such as "deliver the e-mails now"); workers run them.
        async with queue.open_queue(database_url):
            yield

    def provide_settings() -> Settings:
        return settings

    return Litestar(
        route_handlers=[
            *hub_controllers.ROUTES,
            *tenant_controllers.ROUTES,
            *achievement_controllers.ROUTES,
            *status_controllers.ROUTES,
            *auth_controllers.ROUTES,
            *console.ROUTES,
            *console_achievements.ROUTES,
            *designer_controllers.ROUTES,
            *audit_controllers.ROUTES,
            *mail_controllers.ROUTES,
            *federation_controllers.ROUTES,
            *peer_controllers.ROUTES,
            *federation_console.ROUTES,
            *member_console.ROUTES,
            *certificate_controllers.ROUTES,
            *oid4vci_controllers.ROUTES,
            *backpack_downloads.ROUTES,
            *backpack_controllers.ROUTES,
            *ob_consumer_controllers.ROUTES,
            *ob2_hosted.ROUTES,
            *obapi_controllers.ROUTES,
            metrics.metrics_endpoint,
            bulk_routes.router(settings),
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
            exclude=["/api/", "/health", "/metrics"],
        ),
        # Exited in reverse order, so that the workers stop before the database pool closes.
        lifespan=[
            database_pool,
            verification_workers,
            job_queue,
            demo_worker(settings, database_url),
        ],
        before_request=reject_deeply_nested_json,
        middleware=[
            metrics.request_metrics_middleware,
            request_context_middleware,
            *([route_span_middleware] if settings.tracing else []),
        ],
        plugins=tracing_plugins(settings),
        state=State(
            {
                "settings": settings,
                "bulk_queue": bulk_tasks.ProcrastinateJobQueue(database_url),
                **_single_sign_on(settings),
            }
        ),
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
    engine.engine.globals["language_link"] = language_link


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
