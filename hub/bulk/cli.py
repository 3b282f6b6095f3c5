"""``badgehub award --csv``: the dry run, the confirmation, then the job with a progress bar."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from pathlib import Path

import click

from federation.tables import Membership
from hub.bulk import issuing, reading, service, tasks
from hub.bulk.errors import BulkFileError
from hub.bulk.reading import BulkSummary
from hub.bulk.service import BulkLimits
from hub.bulk.signing import SigningPool
from hub.errors import HubError, NotFoundError
from hub.settings import Settings
from tenants.scope import TenantScope
from tenants.services import get_tenant
from tenants.tables import Achievement, BulkAward

EXIT_DONE, EXIT_ROW_ERRORS, EXIT_UNUSABLE = 0, 1, 2
POLL_SECONDS = 0.5
# After this long without a worker taking a queued job, the command prints how to start one.
WORKER_HINT_SECONDS = 15
CLI_ACTOR = "cli"


@dataclass(frozen=True)
class AwardOptions:
    tenant: str
    achievement: str
    csv_path: Path
    language: str
    send_email: bool
    dry_run: bool
    assume_yes: bool
    in_process: bool | None


async def award_from_csv(settings: Settings, database_url: str, options: AwardOptions) -> int:
    """Run the command against a database whose engine is configured; return the exit code."""
    try:
        scope = TenantScope(await get_tenant(options.tenant))
        achievement = await find_achievement(scope, options.achievement)
        with options.csv_path.open("rb") as file:
            summary = await service.validate_upload(
                scope,
                achievement.id,
                file,
                options.csv_path.name,
                actor=CLI_ACTOR,
                language=options.language,
                send_email=options.send_email,
                limits=BulkLimits.from_settings(settings),
            )
    except BulkFileError as error:
        click.echo(f"error: {options.csv_path.name}: {error.message}", err=True)
        return EXIT_UNUSABLE
    except HubError as error:
        click.echo(f"error: {error.message}", err=True)
        return EXIT_UNUSABLE
    print_summary(summary, scope.tenant.slug)
    rows_with_errors = EXIT_ROW_ERRORS if summary.invalid_rows else EXIT_DONE
    if options.dry_run or not summary.counts["pending"]:
        if not summary.counts["pending"]:
            click.echo("Nothing to award.")
        return rows_with_errors
    if not options.assume_yes and not click.confirm(
        f"Award {summary.counts['pending']} credentials now?", default=False
    ):
        click.echo(f"Not started. Upload {summary.bulk.id} stays checked; start it in the console.")
        return EXIT_ROW_ERRORS
    bulk = await _run(settings, database_url, scope, summary.bulk.id, options.in_process)
    click.echo(
        f"{bulk.status}: {bulk.awarded} awarded, {bulk.skipped} already awarded, "
        f"{bulk.failed} failed, {summary.invalid_rows} rows with errors."
    )
    if bulk.status != "done" or bulk.failed:
        return EXIT_ROW_ERRORS
    return rows_with_errors


async def find_achievement(scope: TenantScope, reference: str) -> Achievement:
    """Find an awardable achievement by id, or by slug (the tenant's own first)."""
    try:
        return await service.awardable_achievement(scope, uuid.UUID(reference))
    except ValueError:
        pass
    for achievement in await service.awardable_achievements(scope):
        if achievement.slug == reference:
            return achievement
    alliance_badge = await _alliance_achievement(scope, reference)
    if alliance_badge is not None:
        # Raises the reason the tenant may not award it: a missing right or a suspension.
        return await service.awardable_achievement(scope, alliance_badge.id)
    raise NotFoundError(
        f"tenant {scope.tenant.slug!r} has no published achievement {reference!r} it may award; "
        "give its slug or id",
        code="achievement-not-found",
    )


def print_summary(summary: BulkSummary, slug: str) -> None:
    counts = summary.counts
    bulk = summary.bulk
    click.echo(f"Read {bulk.filename} as {summary.encoding}, {summary.delimiter}-separated.")
    click.echo(
        f"{bulk.total_rows} rows: {counts['pending']} to award, "
        f"{counts['skipped']} already awarded, {counts['invalid']} with errors."
    )
    if summary.previous_upload:
        click.echo(f"This file was uploaded before (upload {summary.previous_upload}).")
    for error in summary.errors:
        click.echo(f"  row {error.row_number}: {error.problem.message()}")
    hidden = counts["invalid"] - len(summary.errors)
    if hidden > 0:
        url = f"/api/v1/tenants/{slug}/bulk-awards/{bulk.id}/errors.csv"
        click.echo(f"  ... and {hidden} more; download them all from {url}")


async def _run(
    settings: Settings,
    database_url: str,
    scope: TenantScope,
    bulk_id: uuid.UUID,
    in_process: bool | None,
) -> BulkAward:
    if in_process is None:
        in_process = not await tasks.has_live_worker()
    queue = None if in_process else tasks.ProcrastinateJobQueue(database_url)
    bulk = await service.start(scope, bulk_id, CLI_ACTOR, queue)
    where = "in this process" if in_process else "by the running worker"
    click.echo(f"Awarding {where} (upload {bulk_id}).")
    pool = SigningPool(settings.bulk_signing_processes)
    job = None
    if in_process:
        job = asyncio.create_task(issuing.run_bulk_award(settings, bulk_id, pool))
    try:
        return await _follow(scope, bulk, job)
    except asyncio.CancelledError as stop:
        if job is not None:
            # Interrupted with Ctrl+C: no queue job will resume it, so mark it startable again.
            job.cancel()
            await issuing.record_failure(bulk_id, stop, is_final=True)
            click.echo("Interrupted; start the upload again in the console to resume.", err=True)
        raise
    finally:
        pool.shutdown()


async def _follow(
    scope: TenantScope, bulk: BulkAward, job: asyncio.Task[BulkAward | None] | None
) -> BulkAward:
    waited, hinted = 0.0, False
    with click.progressbar(length=max(bulk.valid_rows, 1), label="Awarding") as bar:
        reported = 0
        while True:
            bulk = await reading.get_bulk(scope, bulk.id)
            done = bulk.awarded + bulk.skipped + bulk.failed
            bar.update(done - reported)
            reported = done
            if bulk.status not in issuing.RUNNABLE:
                return bulk
            if job is not None and job.done():
                await _job_result(job, bulk.id)
                continue
            waited += POLL_SECONDS
            if bulk.status == "queued" and waited >= WORKER_HINT_SECONDS and not hinted:
                click.echo("\nNo worker has taken the job yet; start one with `badgehub worker`.")
                hinted = True
            await asyncio.sleep(POLL_SECONDS)


async def _job_result(job: asyncio.Task[BulkAward | None], bulk_id: uuid.UUID) -> None:
    error = job.exception()
    if error is not None:
        await issuing.record_failure(bulk_id, error, is_final=True)


async def _alliance_achievement(scope: TenantScope, slug: str) -> Achievement | None:
    """Return the achievement with this slug of an alliance the tenant belongs to, if any."""
    alliances = await Membership.select(Membership.alliance).where(
        Membership.member == scope.tenant.id
    )
    owners = [row["alliance"] for row in alliances]
    if not owners:
        return None
    return (
        await Achievement.objects()
        .where(Achievement.slug == slug, Achievement.tenant.is_in(owners))
        .first()
    )
