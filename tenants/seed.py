"""Load the EUNICE demo data (``tenants.seed_data``) into the database, idempotently."""

from __future__ import annotations

from datetime import UTC, date, datetime

import structlog

from federation.award_rights import seed_rights
from federation.registry import ensure_current_registry
from federation.tables import Membership
from hub.audit import record_event
from hub.badge_image import render_badge_svg
from hub.settings import Settings
from tenants import seed_data
from tenants.auth import create_api_token, hash_token
from tenants.scope import TenantScope
from tenants.services import (
    AchievementCreate,
    AwardCreate,
    TenantCreate,
    award_achievement,
    create_achievement,
    create_tenant,
    get_tenant,
)
from tenants.tables import Achievement, ApiToken, Tenant

log = structlog.get_logger(__name__)

DEMO_TOKEN_FILE = "demo-api-token-uphf"
SEED_ACTOR = "seed"


async def seed_alliance(settings: Settings) -> None:
    """Create the alliance, its member universities, their badges and a few demo awards."""
    alliance = await _seed_alliance_tenant(settings)
    for member in seed_data.TENANTS:
        tenant = await create_tenant(
            settings,
            TenantCreate(
                slug=member.slug,
                name=member.name,
                name_en=member.name_en,
                country=member.country,
                city=member.city,
                home_page=member.home_page,
                email_domain=member.email_domain,
            ),
            actor=SEED_ACTOR,
        )
        await _ensure_membership(alliance, tenant)
    await ensure_current_registry(settings, alliance, actor=SEED_ACTOR)
    created = [await _ensure_achievement(spec) for spec in seed_data.ACHIEVEMENTS]
    # Only badges created now: a right an alliance admin withdrew stays withdrawn at the next seed.
    alliance_badges = [row.id for row in created if row is not None and row.tenant == alliance.id]
    await seed_rights(alliance, alliance_badges, actor=SEED_ACTOR)
    await _seed_awards(settings)
    log.info("demo_data_seeded", tenants=len(seed_data.TENANTS))


async def _seed_alliance_tenant(settings: Settings) -> Tenant:
    spec = seed_data.ALLIANCE
    coordinator = next(t for t in seed_data.TENANTS if t.slug == spec.coordinator_slug)
    return await create_tenant(
        settings,
        TenantCreate(
            slug=spec.slug,
            kind="alliance",
            name=spec.name,
            name_en=spec.name,
            country=coordinator.country,
            city=coordinator.city,
            home_page=spec.home_page,
            description=dict(spec.description),
        ),
        actor=SEED_ACTOR,
    )


async def _ensure_membership(alliance: Tenant, member: Tenant) -> None:
    exists = await Membership.exists().where(
        Membership.alliance == alliance.id, Membership.member == member.id
    )
    if exists:
        return
    async with Membership._meta.db.transaction():
        await Membership(
            alliance=alliance.id,
            member=member.id,
            member_since=date(2020, 11, 1),
            created_at=datetime.now(UTC),
        ).save()
        await record_event(
            "membership:created", actor=SEED_ACTOR, tenant=alliance.slug, target=member.slug
        )


async def _ensure_achievement(spec: seed_data.AchievementSeed) -> Achievement | None:
    """Create a seeded achievement; return None when it exists already."""
    tenant = await get_tenant(spec.creator_slug)
    scope = TenantScope(tenant)
    if await scope.achievements().where(Achievement.slug == spec.slug).first() is not None:
        return None
    short_names = {member.slug: member.short_name for member in seed_data.TENANTS}
    short_names[seed_data.ALLIANCE.slug] = seed_data.ALLIANCE.short_name
    image = render_badge_svg(
        spec.name["en"],
        short_names.get(tenant.slug, tenant.name_en),
        spec.art.primary,
        spec.art.secondary,
        spec.art.glyph,
    )
    return await create_achievement(
        scope,
        AchievementCreate(
            slug=spec.slug,
            name=dict(spec.name),
            description=dict(spec.description),
            criteria=dict(spec.criteria),
            achievement_type=spec.achievement_type,
            tags=list(spec.tags),
            image_svg=image,
            status=spec.status,
            valid_for_months=spec.valid_for_months,
            levels=list(spec.levels),
        ),
        actor=SEED_ACTOR,
    )


async def _seed_awards(settings: Settings) -> None:
    people = {person.email: person for person in seed_data.DEMO_PEOPLE}
    for number, spec in enumerate(seed_data.DEMO_AWARDS, start=1):
        issuer = await get_tenant(spec.issuer_slug)
        achievement = await _find_achievement(spec.achievement_slug)
        person = people[spec.recipient_email]
        await award_achievement(
            settings,
            TenantScope(issuer),
            AwardCreate(
                achievement_id=achievement.id,
                recipient_email=person.email,
                recipient_name=f"{person.given_name} {person.family_name}",
                language="fr" if person.tenant_slug == "uphf" else "en",
                idempotency_key=f"demo-seed-{number}",
                level=spec.level,
            ),
            actor=SEED_ACTOR,
        )


async def _find_achievement(slug: str) -> Achievement:
    achievement = (
        await Achievement.objects().output(load_json=True).where(Achievement.slug == slug).first()
    )
    if achievement is None:
        raise LookupError(f"seed award names unknown achievement {slug!r}")
    return achievement


async def ensure_demo_token(settings: Settings) -> str:
    """UPHF's demo API token, kept in the data folder so the printed token stays the same."""
    path = settings.data_dir / DEMO_TOKEN_FILE
    if path.exists():
        token = path.read_text().strip()
        if await ApiToken.exists().where(ApiToken.token_sha256 == hash_token(token)):
            return token
    token = await create_api_token(await get_tenant("uphf"), "demo", actor=SEED_ACTOR)
    path.write_text(token + "\n")
    path.chmod(0o600)
    return token
