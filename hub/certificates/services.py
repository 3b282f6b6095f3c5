"""Certificate services: the PDF of an issued award, the console preview, and design changes.

Rendering is CPU-bound, so it runs in a worker thread and the event loop stays free. PDFs are
cached in memory by a hash of everything they show (``render.content_digest``), so a changed
design, achievement or label renders anew while repeated downloads cost a lookup.
"""

from __future__ import annotations

import asyncio
import json
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog

from hub.audit import record_event
from hub.badge_image import render_badge_svg
from hub.certificates.content import (
    CertificateContent,
    build_content,
    certificate_language,
    localized,
)
from hub.certificates.design import CertificateDesign, design_of, parse_design, prepare_logo
from hub.certificates.render import content_digest, render_pdf
from hub.errors import ConflictError, NotFoundError
from hub.i18n import translate
from hub.settings import Settings
from tenants import status
from tenants.scope import TenantScope
from tenants.services import add_months
from tenants.tables import Achievement, Award, Tenant

log = structlog.get_logger(__name__)

# A certificate PDF is about 35 KiB, so the cache keeps about a thousand of them.
CACHE_MAX_BYTES = 32 * 1024 * 1024
# WeasyPrint holds the GIL for most of a rendering, so in benchmarks/certificates.py two threads
# render barely more PDFs per second than one while the event loop falls further behind. A
# process therefore renders one PDF at a time, and more PDFs per second need more processes.
RENDER_SLOTS = 1
# Fixed so that a preview's QR code never names a real credential.
PREVIEW_AWARD_ID = uuid.UUID(int=0)


@dataclass(frozen=True)
class PreparedCertificate:
    """A certificate ready to render; ``digest`` changes whenever its PDF would change."""

    content: CertificateContent
    credential_text: str
    digest: str
    filename: str

    @property
    def language(self) -> str:
        return self.content.language


class PdfCache:
    """Rendered PDFs by content digest, least recently used dropped first beyond a byte budget.

    Used from the event loop only, so it needs no lock.
    """

    def __init__(self, max_bytes: int = CACHE_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[str, bytes] = OrderedDict()

    def get(self, digest: str) -> bytes | None:
        pdf = self._entries.get(digest)
        if pdf is not None:
            self._entries.move_to_end(digest)
        return pdf

    def put(self, digest: str, pdf: bytes) -> None:
        if digest in self._entries or len(pdf) > self.max_bytes:
            return
        self._entries[digest] = pdf
        self.size += len(pdf)
        while self.size > self.max_bytes:
            _, dropped = self._entries.popitem(last=False)
            self.size -= len(dropped)

    def clear(self) -> None:
        self._entries.clear()
        self.size = 0


pdf_cache = PdfCache()
_render_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


async def render_in_thread(content: CertificateContent, credential_text: str) -> bytes:
    """Render in a worker thread, at most ``RENDER_SLOTS`` renderings at a time."""
    loop = asyncio.get_running_loop()
    slots = _render_slots.get(loop)
    if slots is None:
        slots = _render_slots[loop] = asyncio.Semaphore(RENDER_SLOTS)
    async with slots:
        return await asyncio.to_thread(render_pdf, content, credential_text)


async def prepare_certificate(
    settings: Settings, award_id: uuid.UUID, requested_language: str | None
) -> PreparedCertificate:
    """Gather the certificate of an issued award, in the requested or the award's language.

    Raises ``NotFoundError`` for an unknown award and ``ConflictError`` for a revoked or
    suspended one, whose certificate would claim what the issuer has withdrawn.
    """
    award, tenant, achievement = await _load_award(award_id)
    language = certificate_language(award.language, requested_language)
    await _require_active(tenant, award)

    content = build_content(settings, tenant, achievement, award, language)
    digest = content_digest(content, award.credential_text)
    filename = f"{achievement.slug}-certificate.pdf"
    return PreparedCertificate(content, award.credential_text, digest, filename)


async def certificate_pdf(certificate: PreparedCertificate) -> bytes:
    """Return the PDF of a prepared certificate, from the cache when it was rendered before."""
    pdf = pdf_cache.get(certificate.digest)
    if pdf is None:
        pdf = await render_in_thread(certificate.content, certificate.credential_text)
        pdf_cache.put(certificate.digest, pdf)
    return pdf


async def preview_certificate(settings: Settings, tenant: Tenant, language: str) -> bytes:
    """Render a sample certificate with the tenant's current design, storing nothing.

    The sample shows the tenant's first published achievement (else its first achievement, else
    a built-in sample badge) awarded to a sample earner, and is marked as a preview.
    """
    achievement = await _first_achievement(tenant) or _sample_achievement(tenant)
    award = _sample_award(achievement, language)
    content = build_content(settings, tenant, achievement, award, language, is_preview=True)
    return await render_in_thread(content, award.credential_text)


async def update_design(
    tenant: Tenant,
    form: Mapping[str, str],
    logo: bytes | None,
    remove_logo: bool,
    actor: str,
) -> CertificateDesign:
    """Check and store a tenant's certificate design and logo, all or nothing.

    Raises ``InvalidInputError`` naming the first invalid field; nothing is stored then.
    """
    design = parse_design(form)
    # Checking a large SVG or PNG takes up to about 0.1 s (an estimate), so it runs in a thread.
    logo_svg = await asyncio.to_thread(prepare_logo, logo) if logo else None
    changed = _changed_fields(design_of(tenant), design)

    async with Tenant._meta.db.transaction():
        # The || operator replaces only the "certificate" key, so other preferences in settings
        # are kept, even when another request changes them at the same time.
        await Tenant.raw(
            "UPDATE tenant SET settings = COALESCE(settings, jsonb_build_object()) "
            "|| jsonb_build_object('certificate', {}::jsonb) WHERE id = {}",
            json.dumps(design.to_json()),
            tenant.id,
        )
        logo_change = "kept"
        if logo_svg is not None or remove_logo:
            logo_change = "replaced" if logo_svg is not None else "removed"
            await Tenant.update({Tenant.logo_svg: logo_svg or ""}).where(Tenant.id == tenant.id)
        await record_event(
            "certificate:updated",
            actor=actor,
            tenant=tenant.slug,
            target=tenant.slug,
            details={"changed": changed, "logo": logo_change},
        )
    log.info("certificate_design_updated", tenant=tenant.slug, changed=changed, logo=logo_change)
    return design


def _changed_fields(before: CertificateDesign, after: CertificateDesign) -> list[str]:
    old, new = before.to_json(), after.to_json()
    return sorted(name for name in new if old.get(name) != new[name])


async def _load_award(award_id: uuid.UUID) -> tuple[Award, Tenant, Achievement]:
    award = await Award.objects().output(load_json=True).where(Award.id == award_id).first()
    if award is None:
        raise NotFoundError(
            f"no credential {award_id} was issued here, so it has no certificate",
            code="credential-not-found",
        )
    tenant = await Tenant.objects().output(load_json=True).where(Tenant.id == award.tenant).first()
    achievement = (
        await Achievement.objects()
        .output(load_json=True)
        .where(Achievement.id == award.achievement)
        .first()
    )
    # The foreign keys guarantee both rows.
    assert tenant is not None
    assert achievement is not None
    return award, tenant, achievement


async def _require_active(tenant: Tenant, award: Award) -> None:
    state = (await status.status_of(TenantScope(tenant), award.id)).state
    if state != status.ACTIVE:
        raise ConflictError(
            f"credential {award.id} is {state}, so it has no certificate; its page "
            f"/credentials/{award.id} shows its status",
            code=f"credential-{state}",
        )


async def _first_achievement(tenant: Tenant) -> Achievement | None:
    scope = TenantScope(tenant)
    published = (
        await scope.achievements()
        .where(Achievement.status == "published")
        .order_by(Achievement.created_at)
        .first()
    )
    first: Achievement | None = (
        published or await scope.achievements().order_by(Achievement.created_at).first()
    )
    return first


def _sample_achievement(tenant: Tenant) -> Achievement:
    names = {language: translate(language, "certificate.sample_badge") for language in ("fr", "en")}
    subtitle = tenant.name_en or tenant.name
    image = render_badge_svg(names["en"], subtitle, "#1d3557", "#e9c46a", "star-badge")
    return Achievement(
        id=uuid.UUID(int=0),
        tenant=tenant.id,
        slug="sample",
        name=names,
        description={
            language: translate(language, "certificate.sample_description")
            for language in ("fr", "en")
        },
        image_svg=image,
        levels=[],
        published=None,
    )


def _sample_award(achievement: Achievement, language: str) -> Award:
    issued_at = datetime.now(UTC).replace(microsecond=0)
    credential = {"validFrom": issued_at.isoformat().replace("+00:00", "Z")}
    if achievement.valid_for_months:
        valid_until = add_months(issued_at, achievement.valid_for_months)
        credential["validUntil"] = valid_until.isoformat().replace("+00:00", "Z")
    levels: list[Any] = achievement.levels if isinstance(achievement.levels, list) else []
    first_level = levels[0] if levels and isinstance(levels[0], Mapping) else None
    return Award(
        id=PREVIEW_AWARD_ID,
        recipient_name=translate(language, "certificate.sample_name"),
        credential=credential,
        credential_text=json.dumps(
            {"preview": True, "note": translate(language, "certificate.sample_attachment")},
            ensure_ascii=False,
        ),
        issued_at=issued_at,
        language=language,
        level=localized(first_level.get("name"), language) if first_level else None,
    )
