"""Achievements (badge classes): validated content, editing, images and version history.

An achievement row is the working copy that editors change; every change of content is a new
``revision`` stored in ``achievement_revision``. Publishing (``tenants.workflow``) freezes the
working copy into ``published``, which awards and public pages read.
"""

from __future__ import annotations

import asyncio
import math
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hub.audit import record_event
from hub.badge_image import render_badge_svg
from hub.credentials.ob3 import ACHIEVEMENT_TYPES
from hub.errors import ConflictError, InvalidInputError
from hub.images import prepare_uploaded_image
from tenants.scope import TenantScope
from tenants.tables import Achievement, AchievementRevision
from tenants.validation import is_http_url, require_slug, require_tags, require_text

# The 24 official languages of the European Union (ISO 639-1), in which texts may be written.
EU_LANGUAGES = (
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr",
    "hu", "it", "lt", "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv",
)  # fmt: skip
# Languages of the hub's own pages, e-mails and certificates. Every achievement has a text in at
# least one of them, so each page has something to show.
UI_LANGUAGES = ("fr", "en")
# Order in which a missing translation is replaced.
FALLBACK_LANGUAGES = ("en", "fr")

MAX_ALIGNMENTS = 20
MAX_LEVELS = 10
MAX_CREDITS = 999.0
MAX_VALID_MONTHS = 1200
# OB 3.0 AlignmentTargetType: the fixed values, or an extension with the ``ext:`` prefix.
ALIGNMENT_TARGET_TYPES = frozenset(
    {
        "ceasn:Competency",
        "ceterms:Credential",
        "CFItem",
        "CFRubric",
        "CFRubricCriterion",
        "CFRubricCriterionLevel",
        "CTDL",
    }
)
EXTENSION_TARGET_TYPE = re.compile(r"^ext:[A-Za-z0-9._-]+$")
# Europass publishes the European Qualifications Framework levels at these URIs.
EQF_LEVEL_URI = "http://data.europa.eu/snb/eqf/{level}"

# States in which the working copy may be edited. Editing a published achievement starts its
# next revision (status ``draft``) while the published one stays awardable.
EDITABLE_STATES = frozenset({"draft", "changes_requested", "published"})

CONTENT_FIELDS = (
    "achievement_type",
    "name",
    "description",
    "criteria",
    "evidence",
    "tags",
    "alignments",
    "levels",
    "credits_available",
    "eqf_level",
    "image_svg",
    "valid_for_months",
)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class AchievementContent:
    """The content of an achievement that editors write; images are set separately."""

    name: Mapping[str, str]
    description: Mapping[str, str]
    criteria: Mapping[str, str]
    achievement_type: str = "Badge"
    evidence: Mapping[str, str] = field(default_factory=dict)
    tags: Sequence[str] = ()
    alignments: Sequence[Mapping[str, Any]] = ()
    levels: Sequence[Mapping[str, Any]] = ()
    credits_available: float | None = None
    eqf_level: int | None = None
    valid_for_months: int | None = None


@dataclass(frozen=True)
class AchievementCreate(AchievementContent):
    slug: str = ""
    image_svg: str | None = None
    image_png: bytes | None = None
    # Only the seed and tenants without an approval rule create achievements already published.
    status: str = "draft"


def validate_content(content: AchievementContent) -> dict[str, Any]:
    """Check every content field and return them normalised, as stored in the row."""
    languages = _text_languages(content.name, "name")
    _require_same_languages(content.description, "description", languages)
    _require_same_languages(content.criteria, "criteria", languages)
    if content.achievement_type not in ACHIEVEMENT_TYPES:
        raise InvalidInputError(
            f"achievement_type {content.achievement_type!r} is not an OB 3.0 AchievementType; "
            f"use one of {', '.join(sorted(ACHIEVEMENT_TYPES))}",
            code="invalid-achievement-type",
        )
    if content.valid_for_months is not None and not (
        isinstance(content.valid_for_months, int)
        and 1 <= content.valid_for_months <= MAX_VALID_MONTHS
    ):
        raise InvalidInputError(
            f"valid_for_months {content.valid_for_months!r} is out of range; give 1 to "
            f"{MAX_VALID_MONTHS} months, or leave it out for a badge that does not expire",
            code="invalid-validity",
        )
    return {
        "achievement_type": content.achievement_type,
        "name": _clean_texts(content.name, "name"),
        "description": _clean_texts(content.description, "description"),
        "criteria": _clean_texts(content.criteria, "criteria"),
        "evidence": _optional_texts(content.evidence, "evidence", languages),
        "tags": require_tags(list(content.tags)),
        "alignments": [
            _alignment(item, f"alignments[{index}]")
            for index, item in enumerate(_bounded(content.alignments, "alignments", MAX_ALIGNMENTS))
        ],
        "levels": _levels(content.levels, languages),
        "credits_available": _credits(content.credits_available),
        "eqf_level": _eqf_level(content.eqf_level),
        "valid_for_months": content.valid_for_months,
    }


def _text_languages(texts: Mapping[str, str], field_name: str) -> frozenset[str]:
    if not isinstance(texts, Mapping) or not texts:
        raise InvalidInputError(
            f'{field_name} must be an object of texts by language, e.g. {{"fr": …, "en": …}}',
            code="invalid-localized-text",
        )
    unknown = sorted(language for language in texts if language not in EU_LANGUAGES)
    if unknown:
        raise InvalidInputError(
            f"{field_name} has texts in {', '.join(map(repr, unknown))}, which are not EU "
            f"languages; use ISO 639-1 codes among {', '.join(EU_LANGUAGES)}",
            code="invalid-language",
        )
    if not any(language in texts for language in UI_LANGUAGES):
        raise InvalidInputError(
            f"{field_name} needs a text in English (en) or French (fr), the languages of the "
            "hub's pages; add one of them",
            code="missing-translation",
        )
    return frozenset(texts)


def _require_same_languages(
    texts: Mapping[str, str], field_name: str, languages: frozenset[str]
) -> None:
    if not isinstance(texts, Mapping):
        raise InvalidInputError(
            f"{field_name} must be an object of texts by language", code="invalid-localized-text"
        )
    missing = sorted(languages - set(texts))
    extra = sorted(set(texts) - languages)
    if missing or extra:
        raise InvalidInputError(
            f"{field_name} must be given in the same languages as name "
            f"({', '.join(sorted(languages))}); "
            + (f"missing {', '.join(missing)}" if missing else f"remove {', '.join(extra)}"),
            code="missing-translation",
        )


def _clean_texts(texts: Mapping[str, str], field_name: str) -> dict[str, str]:
    return {
        language: require_text(text, f"{field_name}.{language}")
        for language, text in sorted(texts.items())
    }


def _optional_texts(
    texts: Mapping[str, str] | None, field_name: str, languages: frozenset[str]
) -> dict[str, str]:
    if not texts:
        return {}
    if not isinstance(texts, Mapping):
        raise InvalidInputError(
            f"{field_name} must be an object of texts by language", code="invalid-localized-text"
        )
    extra = sorted(set(texts) - languages)
    if extra:
        raise InvalidInputError(
            f"{field_name} has texts in {', '.join(extra)}, which name has not; use the languages "
            f"of name ({', '.join(sorted(languages))})",
            code="invalid-language",
        )
    return {
        language: require_text(text, f"{field_name}.{language}")
        for language, text in sorted(texts.items())
        if str(text).strip()
    }


def _bounded(items: Sequence[Any], field_name: str, maximum: int) -> Sequence[Any]:
    if not isinstance(items, Sequence) or isinstance(items, str):
        raise InvalidInputError(f"{field_name} must be a list", code="invalid-field")
    if len(items) > maximum:
        raise InvalidInputError(
            f"{len(items)} {field_name} given; at most {maximum} are allowed",
            code="too-many-items",
        )
    return items


def require_http_url(value: Any, field_name: str) -> str:
    text = require_text(value, field_name, 2048)
    if not is_http_url(text):
        raise InvalidInputError(
            f"{field_name} {text!r} is not an absolute http(s) URL without spaces, quotes, "
            "angle brackets or other characters that URLs must percent-encode "
            "(e.g. https://portfolio.example.org/work)",
            code="invalid-url",
        )
    return text


def _alignment(item: Any, field_name: str) -> dict[str, str]:
    """Check one OB 3.0 Alignment given with snake_case keys; returns it with camelCase keys."""
    if not isinstance(item, Mapping):
        raise InvalidInputError(
            f"{field_name} must be an object with target_name and target_url",
            code="invalid-alignment",
        )
    known = {
        "target_name",
        "target_url",
        "target_description",
        "target_framework",
        "target_code",
        "target_type",
    }
    unknown = sorted(set(item) - known)
    if unknown:
        raise InvalidInputError(
            f"{field_name} has unknown keys {', '.join(unknown)}; use {', '.join(sorted(known))}",
            code="invalid-alignment",
        )
    alignment = {
        "targetName": require_text(item.get("target_name", ""), f"{field_name}.target_name", 255),
        "targetUrl": require_http_url(item.get("target_url", ""), f"{field_name}.target_url"),
    }
    for key, json_key, limit in (
        ("target_description", "targetDescription", 2000),
        ("target_framework", "targetFramework", 255),
        ("target_code", "targetCode", 255),
    ):
        if str(item.get(key) or "").strip():
            alignment[json_key] = require_text(item[key], f"{field_name}.{key}", limit)
    target_type = str(item.get("target_type") or "").strip()
    if target_type:
        if target_type not in ALIGNMENT_TARGET_TYPES and not EXTENSION_TARGET_TYPE.match(
            target_type
        ):
            raise InvalidInputError(
                f"{field_name}.target_type {target_type!r} is not an OB 3.0 AlignmentTargetType; "
                f"use one of {', '.join(sorted(ALIGNMENT_TARGET_TYPES))} or ext:Name",
                code="invalid-alignment",
            )
        alignment["targetType"] = target_type
    return alignment


def _levels(items: Sequence[Any], languages: frozenset[str]) -> list[dict[str, Any]]:
    """Check the levels of mastery, in order from the lowest to the highest."""
    levels: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(_bounded(items, "levels", MAX_LEVELS)):
        name = f"levels[{index}]"
        if not isinstance(item, Mapping):
            raise InvalidInputError(
                f"{name} must be an object with id, name and description", code="invalid-level"
            )
        level_id = require_slug(item.get("id", ""), f"{name}.id")
        if level_id in seen:
            raise InvalidInputError(
                f"{name}.id {level_id!r} is used twice; give each level its own id",
                code="invalid-level",
            )
        seen.add(level_id)
        texts = item.get("name")
        if not isinstance(texts, Mapping):
            raise InvalidInputError(
                f"{name}.name must be an object of texts by language", code="invalid-level"
            )
        _require_same_languages(texts, f"{name}.name", languages)
        levels.append(
            {
                "id": level_id,
                "name": _clean_texts(texts, f"{name}.name"),
                "description": _optional_texts(
                    item.get("description"), f"{name}.description", languages
                ),
            }
        )
    return levels


def _credits(value: Any) -> float | None:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value <= MAX_CREDITS
    ):
        raise InvalidInputError(
            f"credits_available {value!r} is invalid; give the ECTS credits as a number from 0 "
            f"to {MAX_CREDITS:g}, e.g. 2.5",
            code="invalid-credits",
        )
    return float(value)


def _eqf_level(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 8:
        raise InvalidInputError(
            f"eqf_level {value!r} is invalid; give a European Qualifications Framework level "
            "from 1 to 8",
            code="invalid-eqf-level",
        )
    return value


def content_snapshot(achievement: Achievement) -> dict[str, Any]:
    """Return the content fields of an achievement's working copy, as stored in ``published``."""
    return {name: getattr(achievement, name) for name in CONTENT_FIELDS}


@dataclass(frozen=True)
class PublishedAchievement:
    """The published revision of an achievement: what awards and public pages show."""

    id: uuid.UUID
    tenant: int
    slug: str
    version: int
    archived: bool
    achievement_type: str
    name: Mapping[str, str]
    description: Mapping[str, str]
    criteria: Mapping[str, str]
    evidence: Mapping[str, str]
    tags: Sequence[str]
    alignments: Sequence[Mapping[str, str]]
    levels: Sequence[Mapping[str, Any]]
    credits_available: float | None
    eqf_level: int | None
    image_svg: str
    valid_for_months: int | None

    def level(self, level_id: str) -> Mapping[str, Any] | None:
        return next((level for level in self.levels if level["id"] == level_id), None)


def published_view(achievement: Achievement) -> PublishedAchievement | None:
    """Return the published revision of ``achievement``, or None when it was never published."""
    snapshot = achievement.published
    if not snapshot:
        return None
    return PublishedAchievement(
        id=achievement.id,
        tenant=achievement.tenant,
        slug=achievement.slug,
        version=achievement.version,
        archived=achievement.status == "archived",
        achievement_type=snapshot["achievement_type"],
        name=snapshot["name"],
        description=snapshot["description"],
        criteria=snapshot["criteria"],
        evidence=snapshot.get("evidence") or {},
        tags=snapshot.get("tags") or [],
        alignments=snapshot.get("alignments") or [],
        levels=snapshot.get("levels") or [],
        credits_available=snapshot.get("credits_available"),
        eqf_level=snapshot.get("eqf_level"),
        image_svg=snapshot["image_svg"],
        valid_for_months=snapshot.get("valid_for_months"),
    )


def pick_language(texts: Mapping[str, str], language: str) -> str:
    """Return the text in ``language``, else in English, French or any language given."""
    for candidate in (language, *FALLBACK_LANGUAGES):
        if texts.get(candidate):
            return texts[candidate]
    return next(iter(texts.values()), "")


def text_language(texts: Mapping[str, str], language: str) -> str:
    """Return the language that ``pick_language`` takes its text from."""
    for candidate in (language, *FALLBACK_LANGUAGES):
        if texts.get(candidate):
            return candidate
    return next(iter(texts), language)


async def _prepare_image(
    image_svg: str | None, image_png: bytes | None, fallback: tuple[str, str] | None
) -> str | None:
    # Checking a large image is CPU-bound work of up to about 0.1 s (an estimate), so it runs in
    # a worker thread to keep the event loop free.
    image = await asyncio.to_thread(prepare_uploaded_image, image_svg, image_png)
    if image is None and fallback is not None:
        title, subtitle = fallback
        image = render_badge_svg(title, subtitle, "#1d3557", "#e9c46a", "star-badge")
    return image


async def create_achievement(
    scope: TenantScope, data: AchievementCreate, actor: str
) -> Achievement:
    """Create an achievement as revision 1, published at once only when ``status`` is "published"."""
    require_slug(data.slug, "slug")
    content = validate_content(data)
    if data.status not in ("draft", "published"):
        raise InvalidInputError(
            f"status {data.status!r} is invalid; a new achievement is a draft (or published "
            "when the tenant needs no approval)",
            code="invalid-status",
        )
    if await scope.achievements().where(Achievement.slug == data.slug).first() is not None:
        raise ConflictError(
            f"tenant {scope.tenant.slug!r} already has an achievement with slug {data.slug!r}; "
            "choose another slug",
            code="achievement-slug-taken",
        )
    subtitle = scope.tenant.name_en or scope.tenant.name
    image = await _prepare_image(
        data.image_svg, data.image_png, (pick_language(content["name"], "en"), subtitle)
    )
    now = utcnow()
    achievement = Achievement(
        id=uuid.uuid4(),
        tenant=scope.tenant.id,
        slug=data.slug,
        image_svg=image,
        status=data.status,
        revision=1,
        created_by=actor,
        updated_by=actor,
        created_at=now,
        updated_at=now,
        **content,
    )
    if data.status == "published":
        achievement.version = 1
        achievement.published = content_snapshot(achievement)
    async with Achievement._meta.db.transaction():
        await achievement.save()
        await _save_revision(scope, achievement, actor, now)
        await record_event(
            "achievement:created",
            actor=actor,
            tenant=scope.tenant.slug,
            target=str(achievement.id),
            details={"slug": achievement.slug, "status": achievement.status},
        )
    return achievement


async def _save_revision(
    scope: TenantScope, achievement: Achievement, actor: str, moment: datetime
) -> None:
    await AchievementRevision(
        tenant=scope.tenant.id,
        achievement=achievement.id,
        revision=achievement.revision,
        content=content_snapshot(achievement),
        actor=actor,
        created_at=moment,
    ).save()


def _require_editable(achievement: Achievement) -> None:
    if achievement.status not in EDITABLE_STATES:
        hint = {
            "submitted": "withdraw the submission first",
            "approved": "publish it, or withdraw the approval by requesting changes",
            "archived": "reopen it first",
        }.get(achievement.status, "")
        raise ConflictError(
            f"achievement {achievement.slug!r} is {achievement.status} and cannot be edited; "
            f"{hint}",
            code="achievement-not-editable",
        )


async def _store_change(
    scope: TenantScope,
    achievement: Achievement,
    changes: dict[str, Any],
    actor: str,
    action: str,
) -> Achievement:
    """Store a change of content as the next revision; the row is locked against races."""
    now = utcnow()
    async with Achievement._meta.db.transaction():
        locked = await Achievement.raw(
            "SELECT status, revision FROM achievement WHERE id = {} FOR UPDATE", achievement.id
        )
        if not locked or locked[0]["revision"] != achievement.revision:
            raise ConflictError(
                f"achievement {achievement.slug!r} was changed by someone else meanwhile; "
                "reload it and apply your change again",
                code="achievement-changed",
            )
        achievement.status = locked[0]["status"]
        _require_editable(achievement)
        for name, value in changes.items():
            setattr(achievement, name, value)
        achievement.revision += 1
        achievement.status = "draft"
        achievement.updated_by = actor
        achievement.updated_at = now
        await achievement.save(
            [
                *(getattr(Achievement, name) for name in changes),
                Achievement.revision,
                Achievement.status,
                Achievement.updated_by,
                Achievement.updated_at,
            ]
        )
        await _save_revision(scope, achievement, actor, now)
        await record_event(
            action,
            actor=actor,
            tenant=scope.tenant.slug,
            target=str(achievement.id),
            details={"revision": achievement.revision, "fields": sorted(changes)},
        )
    return achievement


async def update_achievement(
    scope: TenantScope,
    achievement_id: uuid.UUID,
    content: AchievementContent,
    actor: str,
    expected_revision: int | None = None,
) -> Achievement:
    """Replace the content of the working copy, as a new draft revision.

    ``expected_revision`` guards against overwriting a change made since the editor loaded the
    form; None skips that check (API clients without it get last-writer-wins).
    """
    achievement = await scope.get_achievement(achievement_id)
    if expected_revision is not None and expected_revision != achievement.revision:
        raise ConflictError(
            f"achievement {achievement.slug!r} is at revision {achievement.revision}, not "
            f"{expected_revision}; reload it and apply your change again",
            code="achievement-changed",
        )
    _require_editable(achievement)
    changes = validate_content(content)
    return await _store_change(scope, achievement, changes, actor, "achievement:updated")


async def set_achievement_image(
    scope: TenantScope,
    achievement_id: uuid.UUID,
    *,
    image_svg: str | None,
    image_png: bytes | None,
    actor: str,
) -> Achievement:
    """Replace the image of the working copy (sanitised SVG, or PNG wrapped in SVG)."""
    achievement = await scope.get_achievement(achievement_id)
    _require_editable(achievement)
    image = await _prepare_image(image_svg, image_png, None)
    if image is None:
        raise InvalidInputError(
            "no image given; upload a PNG or SVG file, or save a design", code="missing-image"
        )
    return await _store_change(
        scope, achievement, {"image_svg": image}, actor, "achievement:image-updated"
    )


async def revisions(scope: TenantScope, achievement_id: uuid.UUID) -> list[AchievementRevision]:
    """Return the version history of an achievement, newest first."""
    achievement = await scope.get_achievement(achievement_id)
    return (
        await AchievementRevision.objects()
        .output(load_json=True)
        .where(
            AchievementRevision.tenant == scope.tenant.id,
            AchievementRevision.achievement == achievement.id,
        )
        .order_by(AchievementRevision.revision, ascending=False)
    )
