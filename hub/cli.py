"""The ``badgehub`` command line."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import click
import structlog

from hub.settings import Settings, SettingsError, is_loopback

log = structlog.get_logger(__name__)

EXIT_INVALID = 1
EXIT_USAGE = 2


def _settings(**overrides: Any) -> Settings:
    from dataclasses import replace

    from hub.runtime import load_settings

    try:
        settings = load_settings()
    except SettingsError as error:
        raise click.UsageError(str(error)) from error
    if not overrides:
        return settings
    settings = replace(settings, **overrides)
    try:
        settings.validate()
    except SettingsError as error:
        raise click.UsageError(str(error)) from error
    return settings


@click.group()
def main() -> None:
    """EUNICE Badge Hub: Open Badges 3.0 for the universities of an alliance."""


@main.command()
def migrate() -> None:
    """Apply pending database migrations."""
    from hub.database import configure_engine, run_migrations
    from hub.runtime import database_url

    settings = _settings()
    with database_url(settings) as url:
        configure_engine(url)
        asyncio.run(run_migrations())
    click.echo("database is up to date")


@main.command()
def serve() -> None:
    """Run the web server (settings from HUB_* variables)."""
    settings = _settings()
    _require_kek(settings)
    from hub.runtime import database_url

    with database_url(settings) as url:
        _serve(settings, url)


@main.command()
@click.option("--port", type=int, default=None, help="TCP port (default HUB_PORT or 8000).")
@click.option(
    "--keycloak",
    "with_keycloak",
    is_flag=True,
    help="Also start the real Keycloak (needs Java 17+ and Maven) and sign in through it.",
)
@click.option(
    "--keycloak-port",
    type=int,
    default=8080,
    show_default=True,
    help="Keycloak HTTP port with --keycloak (its management port is this plus 920).",
)
def demo(port: int | None, with_keycloak: bool, keycloak_port: int) -> None:
    """Start the embedded database, migrate, seed the EUNICE alliance and serve it."""
    overrides: dict[str, Any] = {"demo": True}
    if port is not None:
        overrides["port"] = port
        overrides["public_url"] = f"http://127.0.0.1:{port}"
    with contextlib.ExitStack() as stack:
        if with_keycloak:
            overrides.update(stack.enter_context(_demo_keycloak(overrides, keycloak_port)))
        elif not os.environ.get("HUB_KEYCLOAK_URL") and is_loopback(os.environ.get("HUB_HOST", "")):
            # Without Keycloak the demo offers the development sign-in, on loopback only.
            overrides["dev_login"] = True
        _run_demo(_settings(**overrides))


@contextlib.contextmanager
def _demo_keycloak(overrides: dict[str, Any], http_port: int) -> Iterator[dict[str, Any]]:
    """Start the development Keycloak for the demo and yield the settings that point at it."""
    from hub.auth.keycloak_dev import KeycloakDevError, KeycloakServer, ensure_distribution
    from hub.auth.realm import DEV_CLIENT_SECRETS, PROVISIONING_CLIENT_ID, WEB_CLIENT_ID

    public_url = overrides.get(
        "public_url", os.environ.get("HUB_PUBLIC_URL", "http://127.0.0.1:8000")
    )
    try:
        server = KeycloakServer(
            ensure_distribution(),
            hub_urls=(public_url,),
            http_port=http_port,
            management_port=http_port + 920,
        )
        click.echo(f"starting Keycloak on {server.base_url} (about 20 s) ...")
        server.start()
    except KeycloakDevError as error:
        raise click.ClickException(str(error)) from error
    try:
        yield {
            "keycloak_url": server.base_url,
            "oidc_client_secret": DEV_CLIENT_SECRETS[WEB_CLIENT_ID],
            "provisioning_client_secret": DEV_CLIENT_SECRETS[PROVISIONING_CLIENT_ID],
        }
    finally:
        server.stop()


def _run_demo(settings: Settings) -> None:
    from hub.runtime import database_url, demo_key_encryption_key

    if settings.key_encryption_key is None:
        from dataclasses import replace

        settings = replace(settings, key_encryption_key=demo_key_encryption_key(settings.data_dir))
    with database_url(settings) as url:
        token = asyncio.run(_prepare_demo(settings, url))
        _print_demo_banner(settings, token)
        _serve(settings, url)


async def _prepare_demo(settings: Settings, url: str) -> str:
    from hub.database import configure_engine, run_migrations
    from tenants.seed import ensure_demo_token, seed_alliance

    engine = configure_engine(url)
    await run_migrations()
    await engine.start_connection_pool(min_size=1, max_size=2)
    try:
        await seed_alliance(settings)
        return await ensure_demo_token(settings)
    finally:
        await engine.close_connection_pool()


def _print_demo_banner(settings: Settings, token: str) -> None:
    base = settings.base_url
    click.echo(
        f"""
EUNICE Badge Hub demo is running at {base}

  Universities and their badges   {base}/
  UPHF issuer profile (HTML/JSON) {base}/tenants/uphf
  UPHF did:web document           {base}/tenants/uphf/did.json
  Console (sign in)               {base}/console
  OpenAPI document                {base}/api/schema/openapi.json

Issue a badge through the API with UPHF's demo token:
  curl -s {base}/api/v1/tenants/uphf/achievements | python3 -m json.tool | head -20
  curl -s -X POST {base}/api/v1/tenants/uphf/awards \\
    -H 'Authorization: Bearer {token}' -H 'Content-Type: application/json' \\
    -H 'Idempotency-Key: demo-1' \\
    -d '{{"achievement_id": "<id from the list>", "recipient_email": "ada@example.org",
         "recipient_name": "Ada Lovelace", "language": "en"}}'
Then open the "verification_page" URL of the response, or download the signed JSON from its
"json_url" and verify it:
  curl -s -o credential.json <json_url>
  curl -s -X POST {base}/api/v1/verify --data-binary @credential.json

{_sign_in_hint(settings)}
Stop with Ctrl+C; data stays in {settings.data_dir}/.
"""
    )


def _sign_in_hint(settings: Settings) -> str:
    if settings.dev_login:
        return "Console sign-in: pick a demo person on the development sign-in page.\n"
    if settings.keycloak_url:
        from hub.auth.realm import DEV_USERS

        users = ", ".join(f"{user.username} / {user.password}" for user in DEV_USERS[:3])
        return f"Console sign-in through Keycloak ({settings.keycloak_url}), e.g. {users}.\n"
    return ""


def _require_kek(settings: Settings) -> None:
    try:
        settings.require_key_encryption_key()
    except SettingsError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_USAGE)


def _serve(settings: Settings, url: str) -> None:
    import uvicorn

    from hub.app import create_app

    app = create_app(settings, url)
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, log_config=None, proxy_headers=True
    )
    uvicorn.Server(config).run()


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--no-database",
    is_flag=True,
    help="Resolve only did:key issuers; skip this hub's tenant keys.",
)
def verify(file: Path, as_json: bool, no_database: bool) -> None:
    """Verify a credential file (JSON, VC-JWT, baked PNG or SVG); exit 1 when it is invalid."""
    settings = _settings()
    data = file.read_bytes()
    if no_database:
        report = asyncio.run(_verify_offline(data))
    else:
        from hub.runtime import database_url

        with database_url(settings) as url:
            report = asyncio.run(_verify_with_database(settings, url, data))
    if report is None:
        sys.exit(EXIT_USAGE)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        _print_report(report)
    sys.exit(0 if report.valid else EXIT_INVALID)


async def _verify_offline(data: bytes) -> Any:
    from hub.credentials import baking
    from hub.credentials.keys import DidKeyResolver
    from hub.credentials.report import UnreadableCredentialError
    from hub.credentials.verifier import verify_credential

    try:
        if baking.is_png(data) or baking.is_svg(data):
            data = baking.unbake(data).text.encode("utf-8")
        return await verify_credential(data, DidKeyResolver())
    except (UnreadableCredentialError, baking.BakingError) as error:
        click.echo(f"error: {error}", err=True)
        return None


async def _verify_with_database(settings: Settings, url: str, data: bytes) -> Any:
    from hub import verification
    from hub.database import configure_engine
    from hub.errors import InvalidInputError

    engine = configure_engine(url)
    await engine.start_connection_pool(min_size=1, max_size=2)
    try:
        # One verification per command: a worker process would only add its start-up time.
        return await verification.verify(settings, data, in_process=True)
    except InvalidInputError as error:
        click.echo(f"error: {error.message}", err=True)
        return None
    finally:
        await engine.close_connection_pool()


def _print_report(report: Any) -> None:
    verdict = "VALID" if report.valid else "INVALID"
    summary = report.summary
    click.echo(
        f"{verdict}: {summary.achievement_name or '?'} issued by "
        f"{summary.issuer_name or summary.issuer_id or '?'} ({report.format})"
    )
    for check in report.checks:
        click.echo(f"  {check.status:<8} {check.check:<16} {check.message}")


@main.group()
def tenant() -> None:
    """Manage tenants (universities)."""


@tenant.command("create")
@click.option("--slug", required=True, help="URL name, e.g. uphf.")
@click.option("--name", required=True, help="Official name in the university's language.")
@click.option("--name-en", default="", help="English name.")
@click.option("--country", required=True, help="ISO 3166-1 alpha-2 code, e.g. FR.")
@click.option("--home-page", required=True, help="https:// URL of the university.")
@click.option("--city", default="")
@click.option("--email-domain", default="")
def tenant_create(**options: str) -> None:
    """Create a tenant with fresh issuer keys and its Keycloak organization (idempotent)."""
    from hub.auth.onboarding import onboard_tenant
    from tenants.services import TenantCreate

    settings = _settings()
    _require_kek(settings)
    data = TenantCreate(
        slug=options["slug"],
        name=options["name"],
        name_en=options["name_en"] or options["name"],
        country=options["country"],
        home_page=options["home_page"],
        city=options["city"],
        email_domain=options["email_domain"],
    )
    result = _run_with_database(settings, onboard_tenant(settings, data, actor="cli"))
    _report_onboarding(result)


@tenant.command("sync")
@click.argument("slug", required=False)
@click.option("--pending", is_flag=True, help="Retry every tenant whose organization is pending.")
def tenant_sync(slug: str | None, pending: bool) -> None:
    """Create or update the Keycloak organization of a tenant (after an outage, say)."""
    from hub.auth.onboarding import pending_tenants, sync_tenant
    from tenants.services import get_tenant

    if bool(slug) == pending:
        raise click.UsageError("give a tenant SLUG or --pending, not both or neither")
    settings = _settings()

    async def sync() -> list[Any]:
        tenants = await pending_tenants() if pending else [await get_tenant(slug or "")]
        return [await sync_tenant(settings, tenant, actor="cli") for tenant in tenants]

    results = _run_with_database(settings, sync())
    if not results:
        click.echo("no tenant is pending")
    for result in results:
        _report_onboarding(result)


@tenant.command("export")
@click.argument("slug")
@click.option(
    "--output",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="JSON Lines file to create; it contains earners' e-mail addresses (mode 0600).",
)
def tenant_export(slug: str, output: Path) -> None:
    """Export a tenant's profile, public keys, badges, awards and audit log as JSON Lines."""
    from tenants.export import export_tenant

    if output.exists():
        raise click.UsageError(f"{output} exists; give a new file name to --output")
    partial = output.with_name(output.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    settings = _settings()
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            counts = _run_with_database(settings, export_tenant(settings, slug, handle.write))
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(output)
    summary = ", ".join(f"{count} {kind}" for kind, count in sorted(counts.items()))
    click.echo(f"exported tenant {slug} to {output}: {summary}")


@tenant.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def tenant_import(file: Path) -> None:
    """Create a tenant from a `badgehub tenant export` file, with fresh signing keys."""
    from tenants.tenant_import import import_tenant

    settings = _settings()
    _require_kek(settings)

    async def run() -> Any:
        with file.open(encoding="utf-8") as lines:
            return await import_tenant(settings, lines, actor="cli")

    state = _run_with_database(settings, run())
    summary = ", ".join(f"{count} {kind}" for kind, count in sorted(state.counts.items()))
    click.echo(f"imported tenant {state.tenant.slug}: {summary}")
    click.echo(
        f"run `badgehub tenant sync {state.tenant.slug}` to create its Keycloak organization"
    )


def _report_onboarding(result: Any) -> None:
    slug = result.tenant.slug
    if result.status == "pending":
        click.echo(
            f"tenant {slug} is ready, but its Keycloak organization is pending: {result.message}",
            err=True,
        )
        sys.exit(EXIT_INVALID)
    suffix = "" if result.status == "provisioned" else f" ({result.message})"
    click.echo(f"tenant {slug} is ready; Keycloak organization {result.status}{suffix}")


@main.group()
def keycloak() -> None:
    """Run a real Keycloak for development and tests."""


@keycloak.command("start")
@click.option("--http-port", type=int, default=8080, show_default=True, help="Keycloak HTTP port.")
@click.option(
    "--management-port",
    type=int,
    default=9000,
    show_default=True,
    help="Port of /health/ready and the other management endpoints.",
)
@click.option(
    "--hub-url",
    "hub_urls",
    multiple=True,
    default=("http://127.0.0.1:8000",),
    show_default=True,
    help="Hub URL whose /auth/callback the web client accepts (repeatable).",
)
@click.option(
    "--data",
    "instance_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Keep Keycloak's database here between runs (default: a fresh one each start).",
)
def keycloak_start(
    http_port: int, management_port: int, hub_urls: tuple[str, ...], instance_dir: Path | None
) -> None:
    """Fetch Keycloak with Maven (first run), import the eunice realm and serve it on loopback."""
    from hub.auth.keycloak_dev import KeycloakDevError, run_keycloak

    try:
        status = run_keycloak(
            hub_urls=hub_urls,
            http_port=http_port,
            management_port=management_port,
            instance_dir=instance_dir,
            announce=click.echo,
        )
    except KeycloakDevError as error:
        raise click.ClickException(str(error)) from error
    sys.exit(status)


@main.group()
def token() -> None:
    """Manage tenant API tokens."""


@token.command("create")
@click.option("--tenant", "slug", required=True, help="Tenant slug.")
@click.option("--name", default="cli", help="A label to recognise the token later.")
def token_create(slug: str, name: str) -> None:
    """Create an API token for a tenant and print it once."""
    from tenants.auth import create_api_token
    from tenants.services import get_tenant

    async def create() -> str:
        return await create_api_token(await get_tenant(slug), name, actor="cli")

    click.echo(_run_with_database(_settings(), create()))


@main.command()
@click.option(
    "--concurrency",
    type=click.IntRange(1, 32),
    default=1,
    show_default=True,
    help="Jobs run at the same time.",
)
@click.option(
    "--metrics-port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Serve Prometheus metrics (issuance counts) on this TCP port; unset serves none.",
)
def worker(concurrency: int, metrics_port: int | None) -> None:
    """Run the background job worker (bulk awards, e-mails) until Ctrl+C or SIGTERM.

    At start it puts back in the queue the jobs of workers that died mid-job.
    """
    settings = _settings()
    _require_kek(settings)
    from hub.runtime import database_url

    if metrics_port is not None:
        from hub.metrics import serve_worker_metrics

        serve_worker_metrics(metrics_port)

    with database_url(settings) as url:
        asyncio.run(_run_worker(settings, url, concurrency))


async def _run_worker(settings: Settings, url: str, concurrency: int) -> None:
    from hub import queue
    from hub.bulk import tasks as bulk_tasks
    from hub.database import configure_engine

    engine = configure_engine(url)
    await engine.start_connection_pool(min_size=1, max_size=concurrency + 2)
    bulk_tasks.configure(settings)
    try:
        await queue.run_worker(url, settings=settings, concurrency=concurrency)
    finally:
        bulk_tasks.shutdown()
        await engine.close_connection_pool()


@main.command()
@click.option("--tenant", "slug", required=True, help="Slug of the awarding tenant, e.g. uphf.")
@click.option("--achievement", required=True, help="Slug or id of the achievement to award.")
@click.option(
    "--csv",
    "csv_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV file: email, name and optional level, evidence_url, narrative, issue_date.",
)
@click.option(
    "--language",
    type=click.Choice(["fr", "en"]),
    default="en",
    show_default=True,
    help="Language of the credentials and e-mails.",
)
@click.option("--no-email", is_flag=True, help="Queue no e-mail to the earners.")
@click.option("--dry-run", is_flag=True, help="Check and list the errors; award nothing.")
@click.option("--yes", "assume_yes", is_flag=True, help="Start without asking for confirmation.")
@click.option(
    "--in-process/--queue",
    "in_process",
    default=None,
    help="Run the job in this process, or leave it to `badgehub worker`. By default it runs "
    "here unless a worker sent a heartbeat in the last 30 s.",
)
def award(
    slug: str,
    achievement: str,
    csv_path: Path,
    language: str,
    no_email: bool,
    dry_run: bool,
    assume_yes: bool,
    in_process: bool | None,
) -> None:
    """Award an achievement to every row of a CSV file, with a dry run first.

    Exit 0 when every row is awarded, 1 when rows have errors or failed, 2 when the file is
    unusable.
    """
    from hub.bulk.cli import AwardOptions, award_from_csv
    from hub.database import configure_engine
    from hub.runtime import database_url

    settings = _settings()
    _require_kek(settings)
    options = AwardOptions(
        tenant=slug,
        achievement=achievement,
        csv_path=csv_path,
        language=language,
        send_email=not no_email,
        dry_run=dry_run,
        assume_yes=assume_yes,
        in_process=in_process,
    )

    async def run(url: str) -> int:
        engine = configure_engine(url)
        await engine.start_connection_pool(min_size=1, max_size=4)
        try:
            return await award_from_csv(settings, url, options)
        finally:
            await engine.close_connection_pool()

    with database_url(settings) as url:
        sys.exit(asyncio.run(run(url)))


@main.group()
def keys() -> None:
    """Issuer signing keys of a tenant: list and rotate."""


@keys.command("rotate")
@click.argument("slug")
@click.option(
    "--algorithm",
    "algorithms",
    type=click.Choice(["Ed25519", "RS256"]),
    multiple=True,
    help="Rotate only this algorithm's key (repeatable); default: both.",
)
def keys_rotate(slug: str, algorithms: tuple[str, ...]) -> None:
    """Create new signing keys for a tenant; the old ones stay published for verification."""
    from tenants.key_rotation import ALGORITHMS, rotate_keys
    from tenants.keys import Algorithm
    from tenants.services import get_tenant

    settings = _settings()
    _require_kek(settings)

    async def rotate() -> list[Any]:
        tenant = await get_tenant(slug)
        chosen = cast("tuple[Algorithm, ...]", algorithms) or ALGORITHMS
        return await rotate_keys(settings, tenant, actor="cli", algorithms=chosen)

    for key in _run_with_database(settings, rotate()):
        retired = ", ".join(key.retired_fragments) or "none"
        click.echo(f"{key.algorithm}: new key #{key.new_fragment} signs; retired: {retired}")


@keys.command("list")
@click.argument("slug")
def keys_list(slug: str) -> None:
    """List a tenant's keys, oldest first, with their state."""
    from tenants.key_rotation import list_keys
    from tenants.services import get_tenant

    async def read() -> list[Any]:
        return await list_keys(await get_tenant(slug))

    for key in _run_with_database(_settings(), read()):
        if key.revoked_at is not None:
            state = f"revoked {key.revoked_at:%Y-%m-%d}, unpublished"
        elif key.retired_at is not None:
            state = f"retired {key.retired_at:%Y-%m-%d}, published for verification"
        else:
            state = "active, signs"
        click.echo(f"{key.algorithm:<8} {key.created_at:%Y-%m-%d} #{key.fragment}  {state}")


@main.group("api-clients")
def api_clients() -> None:
    """Clients registered with the Open Badges 3.0 API."""


@api_clients.command("list")
def api_clients_list() -> None:
    """List registered clients, newest first, with their earners and live tokens."""
    from hub.obapi.access import registered_applications

    applications = _run_with_database(_settings(), registered_applications())
    if not applications:
        click.echo("no client is registered")
    for item in applications:
        click.echo(
            f"{item.client_id}  {item.issued_at:%Y-%m-%d}  {item.earners} earners  "
            f"{item.live_tokens} live tokens  {item.name}  {item.client_uri}"
        )


@api_clients.command("remove")
@click.argument("client_id")
def api_clients_remove(client_id: str) -> None:
    """Remove a client and every token it holds; its earners' grants end at once."""
    from hub.obapi.access import remove_application

    removed = _run_with_database(_settings(), remove_application(client_id, actor="cli"))
    if removed is None:
        raise click.ClickException(
            f"no client {client_id!r} is registered; `badgehub api-clients list` shows them"
        )
    click.echo(f"removed {removed.name} ({client_id}); {removed.earners} earners lose access")


@main.group()
def kek() -> None:
    """Key-encryption key helpers."""


@kek.command("generate")
def kek_generate() -> None:
    """Print a new random key-encryption key for HUB_KEY_ENCRYPTION_KEY."""
    click.echo(base64.b64encode(secrets.token_bytes(32)).decode())


def _run_with_database(settings: Settings, coroutine: Any) -> Any:
    from hub.database import configure_engine
    from hub.errors import HubError
    from hub.runtime import database_url

    async def run(url: str) -> Any:
        engine = configure_engine(url)
        await engine.start_connection_pool(min_size=1, max_size=2)
        try:
            return await coroutine
        finally:
            await engine.close_connection_pool()

    with database_url(settings) as url:
        try:
            return asyncio.run(run(url))
        except HubError as error:
            coroutine.close()
            raise click.ClickException(error.message) from error


def _add_domain_commands() -> None:
    from federation.cli import federation

    main.add_command(federation)


_add_domain_commands()

if __name__ == "__main__":
    main()
