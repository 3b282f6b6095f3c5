"""Factories for tenants, achievements and awards used across the tests."""

from __future__ import annotations

from typing import Any

from hub.settings import Settings
from tenants.auth import create_api_token
from tenants.scope import TenantScope
from tenants.services import (
    AchievementCreate,
    AwardCreate,
    AwardResult,
    TenantCreate,
    award_achievement,
    create_achievement,
    create_tenant,
)
from tenants.tables import Achievement, Tenant


async def make_tenant(settings: Settings, slug: str = "uphf", **overrides: Any) -> Tenant:
    data = {
        "slug": slug,
        "name": f"Université {slug.upper()}",
        "name_en": f"University {slug.upper()}",
        "country": "FR",
        "home_page": f"https://www.{slug}.example",
        "city": "Valenciennes",
        "email_domain": f"{slug}.example",
    }
    data.update(overrides)
    return await create_tenant(settings, TenantCreate(**data), actor="test")


async def make_achievement(
    tenant: Tenant, slug: str = "cap-campus", **overrides: Any
) -> Achievement:
    data: dict[str, Any] = {
        "slug": slug,
        "name": {"fr": "Cap Campus", "en": "Cap Campus"},
        "description": {
            "fr": "Programme d'accueil des nouveaux étudiants.",
            "en": "Welcome programme for new students.",
        },
        "criteria": {
            "fr": "Participer aux ateliers de la semaine d'accueil.",
            "en": "Take part in the welcome-week workshops.",
        },
        "achievement_type": "Badge",
        "status": "published",
    }
    data.update(overrides)
    return await create_achievement(TenantScope(tenant), AchievementCreate(**data), actor="test")


async def make_award(
    settings: Settings,
    tenant: Tenant,
    achievement: Achievement,
    email: str = "ada@example.org",
    name: str = "Ada Lovelace",
    **overrides: Any,
) -> AwardResult:
    data = AwardCreate(
        achievement_id=achievement.id,
        recipient_email=email,
        recipient_name=name,
        **overrides,
    )
    return await award_achievement(settings, TenantScope(tenant), data, actor="test")


async def make_token(tenant: Tenant) -> str:
    return await create_api_token(tenant, "test", actor="test")
