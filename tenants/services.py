"""Tenant services: creating tenants with their issuer keys, achievements, and awards.

Services take and return domain objects and raise ``hub.errors`` exceptions; they know nothing
about HTTP. Each state change records an audit event in the same transaction.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpg
import structlog
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hub import metrics
from hub.audit import record_event
from hub.credentials import dataintegrity, vcjwt
from hub.credentials.ob3 import (
    AchievementData,
    IssuerProfile,
    achieved_level_result,
    build_credential,
    new_salt,
    rubric_result_description,
)
from hub.errors import ConflictError, InvalidInputError, NotFoundError
from hub.mail.notify import request_delivery
from hub.mail.outbox import AwardEmail, enqueue_award_emails
from hub.settings import Settings
from tenants import identity, status
from tenants.achievements import (
    EQF_LEVEL_URI,
    EU_LANGUAGES,
    PublishedAchievement,
    pick_language,
    published_view,
    require_http_url,
    text_language,
)
from tenants.achievements import (
    AchievementCreate as AchievementCreate,  # re-exported for existing callers
)
from tenants.achievements import (
    create_achievement as create_achievement,
)
from tenants.keys import (
    Algorithm,
    PrivateKey,
    decrypt_private_key,
    encrypt_private_key,
    generate_key,
    kek_id,
)
from tenants.scope import TenantScope
from tenants.tables import Achievement, Award, IssuerKey, Tenant
from tenants.validation import (
    SLUG_PATTERN,
    normalise_email,
    require_language,
    require_slug,
    require_text,
)

log = structlog.get_logger(__name__)

# Languages of the hub's pages. Awards may be in any EU language (``EU_LANGUAGES``).
SUPPORTED_LANGUAGES = ("fr", "en")


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class TenantCreate:
    slug: str
    name: str
    name_en: str
    country: str
    home_page: str
    city: str = ""
    email_domain: str = ""
    kind: str = "university"
    description: dict[str, str] = field(default_factory=dict)


async def create_tenant(settings: Settings, data: TenantCreate, actor: str) -> Tenant:
    """Create a tenant with a fresh Ed25519 and RSA-2048 issuer key, idempotently by slug."""
    require_slug(data.slug, "slug")
    if not data.home_page.startswith("https://"):
        raise InvalidInputError(
            f"home_page {data.home_page!r} must be an https:// URL", code="invalid-home-page"
        )
    if len(data.country) != 2 or not data.country.isalpha():
        raise InvalidInputError(
            f"country {data.country!r} must be an ISO 3166-1 alpha-2 code such as FR",
            code="invalid-country",
        )
    existing = await Tenant.objects().output(load_json=True).where(Tenant.slug == data.slug).first()
    if existing is not None:
        return existing
    kek = settings.require_key_encryption_key()
    async with Tenant._meta.db.transaction():
        tenant = Tenant(
            slug=data.slug,
            kind=data.kind,
            name=data.name,
            name_en=data.name_en,
            country=data.country.upper(),
            city=data.city,
            home_page=data.home_page,
            email_domain=data.email_domain,
            description=data.description,
            created_at=utcnow(),
        )
        await tenant.save()
        for algorithm in ("Ed25519", "RS256"):
            await add_issuer_key(tenant, algorithm, kek)
        await record_event("tenant:created", actor=actor, tenant=tenant.slug, target=tenant.slug)
    log.info("tenant_created", tenant=tenant.slug)
    return tenant


async def add_issuer_key(tenant: Tenant, algorithm: Algorithm, kek: bytes) -> IssuerKey:
    generated = generate_key(algorithm)
    key = IssuerKey(
        tenant=tenant.id,
        fragment=generated.fragment,
        algorithm=algorithm,
        public_jwk=generated.public_jwk,
        private_key_encrypted=encrypt_private_key(
            generated.private_key, kek, tenant.slug, generated.fragment
        ),
        kek_id=kek_id(kek),
        created_at=utcnow(),
    )
    await key.save()
    await record_event(
        "tenant:key:created",
        actor="system",
        tenant=tenant.slug,
        target=generated.fragment,
        details={"algorithm": algorithm},
    )
    return key


async def get_tenant(slug: str) -> Tenant:
    tenant = None
    if SLUG_PATTERN.match(slug):
        tenant = await Tenant.objects().output(load_json=True).where(Tenant.slug == slug).first()
    if tenant is None:
        raise NotFoundError(
            f"no tenant with slug {slug!r}; list tenants at /api/v1/tenants",
            code="tenant-not-found",
        )
    return tenant


async def published_keys(tenant: Tenant) -> list[IssuerKey]:
    """Keys listed in did.json and JWKS: every key not revoked, retired ones included."""
    return (
        await IssuerKey.objects()
        .output(load_json=True)
        .where(IssuerKey.tenant == tenant.id, IssuerKey.revoked_at.is_null())
        .order_by(IssuerKey.created_at)
    )


@dataclass(frozen=True)
class SigningKey:
    verification_method: str
    algorithm: Algorithm
    private_key: PrivateKey


@dataclass(frozen=True)
class Keyring:
    ed25519: SigningKey
    rsa: SigningKey


# Decrypted signing keys per tenant id with the monotonic time they were loaded, so bulk issuing
# decrypts once. ``forget_keyring`` drops an entry in this process; other processes (web pods,
# workers) reload theirs after KEYRING_MAX_AGE_SECONDS, so a key rotation reaches every pod
# within that time while the retired key still verifies.
KEYRING_MAX_AGE_SECONDS = 60.0
_keyrings: dict[int, tuple[float, Keyring]] = {}


def forget_keyring(tenant_id: int) -> None:
    _keyrings.pop(tenant_id, None)


async def load_keyring(settings: Settings, tenant: Tenant) -> Keyring:
    cached = _keyrings.get(tenant.id)
    if cached is not None and time.monotonic() - cached[0] < KEYRING_MAX_AGE_SECONDS:
        return cached[1]
    kek = settings.require_key_encryption_key()
    rows = (
        await IssuerKey.objects()
        .output(load_json=True)
        .where(
            IssuerKey.tenant == tenant.id,
            IssuerKey.retired_at.is_null(),
            IssuerKey.revoked_at.is_null(),
        )
        .order_by(IssuerKey.created_at, ascending=False)
    )
    newest: dict[str, SigningKey] = {}
    for row in rows:
        if row.algorithm in newest:
            continue
        newest[row.algorithm] = SigningKey(
            verification_method=identity.verification_method_id(
                settings, tenant.slug, row.fragment
            ),
            algorithm=row.algorithm,
            private_key=decrypt_private_key(
                row.private_key_encrypted, kek, tenant.slug, row.fragment
            ),
        )
    if "Ed25519" not in newest or "RS256" not in newest:
        raise ConflictError(
            f"tenant {tenant.slug!r} has no active signing key for "
            f"{'Ed25519' if 'Ed25519' not in newest else 'RS256'}; rotate its keys",
            code="no-signing-key",
        )
    keyring = Keyring(ed25519=newest["Ed25519"], rsa=newest["RS256"])
    _keyrings[tenant.id] = (time.monotonic(), keyring)
    return keyring


def achievement_url(settings: Settings, tenant_slug: str, achievement_id: uuid.UUID) -> str:
    return f"{identity.tenant_url(settings, tenant_slug)}/achievements/{achievement_id}"


def credential_url(settings: Settings, award_id: uuid.UUID) -> str:
    return f"{settings.base_url}/credentials/{award_id}"


EVIDENCE_HEADINGS = {"fr": "Preuves attendues", "en": "Evidence required"}
MASTERY_NAMES = {"fr": "Niveau de maîtrise", "en": "Level of mastery"}


def achievement_data(
    settings: Settings,
    owner: Tenant,
    achievement: PublishedAchievement,
    language: str,
    creator: IssuerProfile | None = None,
) -> AchievementData:
    """Render the published achievement in one language, falling back to English or French.

    ``owner`` is the tenant that defines it. ``inLanguage`` names the language of the name
    actually used, so a badge without a translation is not labelled as translated.
    """
    url = achievement_url(settings, owner.slug, achievement.id)
    used = text_language(achievement.name, language)
    criteria = pick_language(achievement.criteria, used)
    if achievement.evidence:
        heading = EVIDENCE_HEADINGS.get(used, EVIDENCE_HEADINGS["en"])
        criteria += f"\n\n{heading}: {pick_language(achievement.evidence, used)}"
    result_descriptions: tuple[dict[str, Any], ...] = ()
    if achievement.levels:
        result_descriptions = (
            rubric_result_description(
                url,
                MASTERY_NAMES.get(used, MASTERY_NAMES["en"]),
                [
                    (
                        level["id"],
                        pick_language(level["name"], used),
                        pick_language(level.get("description") or {}, used),
                    )
                    for level in achievement.levels
                ],
            ),
        )
    alignments = [dict(alignment) for alignment in achievement.alignments]
    if achievement.eqf_level is not None:
        alignments.append(
            {
                "targetName": f"EQF level {achievement.eqf_level}",
                "targetUrl": EQF_LEVEL_URI.format(level=achievement.eqf_level),
                "targetFramework": "European Qualifications Framework",
                "targetCode": str(achievement.eqf_level),
            }
        )
    return AchievementData(
        id=url,
        achievement_type=achievement.achievement_type,
        name=pick_language(achievement.name, used),
        description=pick_language(achievement.description, used),
        criteria=criteria,
        image_url=f"{url}/image.svg",
        language=used,
        creator=creator,
        tags=tuple(achievement.tags or ()),
        alignments=tuple(alignments),
        credits_available=achievement.credits_available,
        result_descriptions=result_descriptions,
        version=str(achievement.version),
    )


def awardable_view(achievement: Achievement) -> PublishedAchievement:
    """Return the published revision to award, or raise when there is none."""
    view = published_view(achievement)
    if view is None or view.archived:
        state = "archived" if view is not None else f"{achievement.status} and was never published"
        raise ConflictError(
            f"achievement {achievement.slug!r} is {state}; only published achievements can be "
            "awarded",
            code="achievement-not-published",
        )
    return view


def require_level(view: PublishedAchievement, level: str | None) -> str | None:
    """Check the level of mastery of an award against the achievement's levels."""
    if not view.levels:
        if level:
            raise InvalidInputError(
                f"achievement {view.slug!r} has no levels of mastery; leave level out",
                code="invalid-level",
            )
        return None
    known = [item["id"] for item in view.levels]
    if not level:
        raise InvalidInputError(
            f"achievement {view.slug!r} is awarded at a level of mastery; give level as one "
            f"of {', '.join(known)}",
            code="missing-level",
        )
    if level not in known:
        raise InvalidInputError(
            f"level {level!r} is not a level of {view.slug!r}; use one of {', '.join(known)}",
            code="invalid-level",
        )
    return level


@dataclass(frozen=True)
class AwardCreate:
    achievement_id: uuid.UUID
    recipient_email: str
    recipient_name: str
    language: str = "en"
    idempotency_key: str | None = None
    level: str | None = None
    evidence_url: str = ""
    narrative: str = ""
    send_email: bool = True


@dataclass(frozen=True)
class AwardResult:
    award: Award
    created: bool


def _fingerprint(data: AwardCreate, email: str) -> str:
    payload = json.dumps(
        [
            str(data.achievement_id),
            email,
            data.recipient_name.strip(),
            data.language,
            data.level or "",
            data.evidence_url.strip(),
            data.narrative.strip(),
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def require_award_language(language: str) -> str:
    return require_language(language, EU_LANGUAGES)


def require_evidence(evidence_url: str, narrative: str) -> tuple[str, str]:
    url = require_http_url(evidence_url, "evidence_url") if evidence_url.strip() else ""
    text = require_text(narrative, "narrative") if narrative.strip() else ""
    return url, text


async def award_achievement(
    settings: Settings, scope: TenantScope, data: AwardCreate, actor: str
) -> AwardResult:
    """Issue a signed OpenBadgeCredential, or return the earlier one for a repeated key.

    The award notice e-mail is queued in the same transaction, so an award never lacks its
    notice and a repeated request queues nothing.
    """
    email = normalise_email(data.recipient_email)
    name = require_text(data.recipient_name, "recipient_name", 255)
    language = require_award_language(data.language)
    evidence_url, narrative = require_evidence(data.evidence_url, data.narrative)
    if data.idempotency_key is not None:
        require_text(data.idempotency_key, "Idempotency-Key", 255)
    fingerprint = _fingerprint(data, email)

    earlier = await _find_repeat(scope, data.idempotency_key, fingerprint)
    if earlier is not None:
        return AwardResult(earlier, created=False)
    achievement = await scope.get_awardable_achievement(data.achievement_id)
    view = awardable_view(achievement)
    level = require_level(view, data.level)

    award = await sign_award(
        settings,
        scope.tenant,
        achievement,
        email,
        name,
        language,
        utcnow(),
        level=level,
        evidence_url=evidence_url,
        narrative=narrative,
    )
    award.idempotency_key = data.idempotency_key
    award.request_fingerprint = fingerprint
    try:
        async with Award._meta.db.transaction():
            await award.save()
            if data.send_email:
                await enqueue_award_emails([AwardEmail(scope.tenant.id, award.id, email, language)])
            await record_event(
                "credential:issued", actor=actor, tenant=scope.tenant.slug, target=str(award.id)
            )
    except asyncpg.UniqueViolationError:
        # A concurrent request with the same Idempotency-Key won the race; return its award.
        winner = await _find_repeat(scope, data.idempotency_key, fingerprint)
        if winner is None:
            raise
        return AwardResult(winner, created=False)
    log.info("credential_issued", tenant=scope.tenant.slug, award=str(award.id))
    metrics.count_issued(scope.tenant.slug, "single")
    if data.send_email:
        await request_delivery()
    return AwardResult(award, created=True)


async def _find_repeat(
    scope: TenantScope, idempotency_key: str | None, fingerprint: str
) -> Award | None:
    if idempotency_key is None:
        return None
    earlier = await scope.awards().where(Award.idempotency_key == idempotency_key).first()
    if earlier is None:
        return None
    if earlier.request_fingerprint != fingerprint:
        raise ConflictError(
            f"Idempotency-Key {idempotency_key!r} was already used for a different award "
            "request; send a new key for a new award",
            code="idempotency-key-reused",
        )
    return earlier


async def sign_award(
    settings: Settings,
    tenant: Tenant,
    achievement: Achievement,
    email: str,
    name: str,
    language: str,
    issued_at: datetime,
    *,
    level: str | None = None,
    evidence_url: str = "",
    narrative: str = "",
) -> Award:
    """Build and sign one award of the published revision, without storing it.

    Bulk issuing stores many at once. ``level``, ``evidence_url`` and ``narrative`` must be
    checked by the caller (``require_level``, ``require_evidence``).
    """
    view = awardable_view(achievement)
    signer = await draft_signer(settings, tenant, achievement, [language])
    award_id = uuid.uuid4()
    draft = AwardDraft(
        credential_id=credential_url(settings, award_id),
        email=email,
        name=name,
        language=language,
        valid_from=issued_at,
        credential_status=await _credential_status(settings, tenant, award_id),
        evidence=evidence_items(evidence_url, narrative),
        level=level,
    )
    (signed,) = signer.sign_documents([draft], issued_at)
    text = json.dumps(signed, ensure_ascii=False, separators=(",", ":"))
    return Award(
        id=award_id,
        tenant=tenant.id,
        achievement=achievement.id,
        recipient_email=email,
        recipient_name=name,
        request_fingerprint="",
        credential_text=text,
        credential=signed,
        issued_at=issued_at,
        language=language,
        achievement_version=view.version,
        level=level,
        evidence_url=evidence_url,
        narrative=narrative,
    )


def evidence_items(evidence_url: str, narrative: str) -> list[dict[str, Any]]:
    """Describe an award's evidence as OB 3.0 Evidence: the page of the work and its account."""
    if not evidence_url and not narrative:
        return []
    item: dict[str, Any] = {"type": ["Evidence"]}
    if evidence_url:
        item["id"] = evidence_url
    if narrative:
        item["narrative"] = narrative
    return [item]


async def _credential_status(
    settings: Settings, tenant: Tenant, award_id: uuid.UUID
) -> list[dict[str, Any]]:
    """Allocate the award's revocation and suspension entries and describe them for signing.

    The entries are stored at once, before the award: an award that is never stored leaves
    two entries whose bits never change.
    """
    entries = await status.allocate_entries(tenant, award_id)
    return [status.entry_document(settings, tenant.slug, entry) for entry in entries]


async def achievement_owner(issuer: Tenant, achievement_tenant_id: int) -> Tenant:
    """Return the tenant that defines an achievement: the issuer, or its alliance."""
    if achievement_tenant_id == issuer.id:
        return issuer
    owner = (
        await Tenant.objects()
        .output(load_json=True)
        .where(Tenant.id == achievement_tenant_id)
        .first()
    )
    assert owner is not None  # the foreign key guarantees it
    return owner


async def _achievement_for(
    settings: Settings, issuer: Tenant, achievement: PublishedAchievement, language: str
) -> AchievementData:
    """Render the achievement, naming the alliance as ``creator`` of an alliance badge.

    The member tenant stays the issuer.
    """
    owner = await achievement_owner(issuer, achievement.tenant)
    if owner.id == issuer.id:
        return achievement_data(settings, issuer, achievement, language)
    creator = identity.issuer_profile(settings, owner, language)
    return achievement_data(settings, owner, achievement, language, creator)


def add_months(moment: datetime, months: int) -> datetime:
    """Add calendar months to ``moment``, clamped to the month's last day (31 Jan + 1 = 28 Feb)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


async def credential_jwt(settings: Settings, tenant: Tenant, award: Award) -> str:
    """Return the VC-JWT form of an award, signed with the tenant's RS256 key and cached.

    The JWT carries the credential without its Data Integrity proof: the JWS is the proof.
    """
    if award.jwt:
        return award.jwt
    keyring = await load_keyring(settings, tenant)
    credential: dict[str, Any] = json.loads(award.credential_text)
    credential.pop("proof", None)
    token = vcjwt.encode_vc_jwt(
        credential, keyring.rsa.private_key, keyring.rsa.verification_method
    )
    await Award.update({Award.jwt: token}).where(Award.id == award.id, Award.jwt.is_null())
    award.jwt = token
    return token


@dataclass(frozen=True)
class AwardDraft:
    """One award of a batch to sign; its status entries were allocated for its id beforehand."""

    credential_id: str
    email: str
    name: str
    language: str
    valid_from: datetime
    credential_status: list[dict[str, Any]]
    evidence: list[dict[str, Any]] = field(default_factory=list)
    # The id of the level of mastery reached, checked against the achievement's levels.
    level: str | None = None


@dataclass(frozen=True)
class DraftSigner:
    """Signs award drafts of one achievement for one tenant, without database access.

    It pickles, so that batches can be signed in worker processes; the Ed25519 private key
    travels as raw bytes and is left out of ``repr``.
    """

    private_key: bytes = field(repr=False)
    verification_method: str
    issuers: dict[str, IssuerProfile]
    achievements: dict[str, AchievementData]
    valid_for_months: int | None

    def sign(self, drafts: list[AwardDraft], signed_at: datetime) -> list[str]:
        """Return the signed credential texts, in the order of ``drafts``."""
        return [
            json.dumps(signed, ensure_ascii=False, separators=(",", ":"))
            for signed in self.sign_documents(drafts, signed_at)
        ]

    def sign_documents(self, drafts: list[AwardDraft], signed_at: datetime) -> list[dict[str, Any]]:
        """Return the signed credentials, in the order of ``drafts``."""
        key = Ed25519PrivateKey.from_private_bytes(self.private_key)
        documents = []
        for draft in drafts:
            achievement = self.achievements[draft.language]
            unsigned = build_credential(
                credential_id=draft.credential_id,
                issuer=self.issuers[draft.language],
                achievement=achievement,
                recipient_email=draft.email,
                recipient_name=draft.name,
                salt=new_salt(),
                valid_from=draft.valid_from,
                valid_until=(
                    add_months(draft.valid_from, self.valid_for_months)
                    if self.valid_for_months
                    else None
                ),
                results=[achieved_level_result(achievement.id, draft.level)]
                if draft.level
                else None,
                evidence=draft.evidence or None,
            )
            unsigned["credentialStatus"] = draft.credential_status
            documents.append(
                dataintegrity.sign_eddsa_rdfc_2022(
                    unsigned, key, self.verification_method, created=signed_at
                )
            )
        return documents


async def draft_signer(
    settings: Settings, tenant: Tenant, achievement: Achievement, languages: list[str]
) -> DraftSigner:
    """Prepare the batch form of ``sign_award`` for an achievement in the given languages.

    ``sign_award`` uses it for one award. For a batch, the caller allocates the status entries
    of the whole batch at once (``status.allocate_entries_batch``). ``validFrom`` may be earlier
    than the proof's ``created``, for an issue date given in an uploaded file.
    """
    view = awardable_view(achievement)
    keyring = await load_keyring(settings, tenant)
    private_key = keyring.ed25519.private_key
    assert isinstance(private_key, Ed25519PrivateKey)  # load_keyring files it under Ed25519
    return DraftSigner(
        private_key=private_key.private_bytes_raw(),
        verification_method=keyring.ed25519.verification_method,
        issuers={
            language: identity.issuer_profile(settings, tenant, language) for language in languages
        },
        achievements={
            language: await _achievement_for(settings, tenant, view, language)
            for language in languages
        },
        valid_for_months=view.valid_for_months,
    )
