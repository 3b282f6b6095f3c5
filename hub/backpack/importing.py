"""Import into the backpack: a credential verified by the verification service, then stored.

The earner sends a baked PNG or SVG, a JSON or JWT file, pasted text or a URL, in Open Badges 3.0
or 2.0. The credential is verified with the earner's e-mail address as the expected recipient:
a credential that names its recipient by another e-mail address fails that check and is
rejected. One that names no e-mail identity (a DID, for example) gets a warning and is accepted.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog

from hub import verification
from hub.auth.tables import User
from hub.backpack.tables import ImportedBadge
from hub.credentials.report import CheckId, CheckStatus, VerificationReport
from hub.errors import ConflictError
from hub.outbound import fetcher_for
from hub.settings import Settings
from hub.verification_input import read_verification_input

log = structlog.get_logger(__name__)

MAX_SOURCE_CHARS = 2048
MAX_TEXT_CHARS = 255


@dataclass(frozen=True)
class ImportOutcome:
    """The verification report, and the stored badge when the report allowed the import."""

    report: VerificationReport
    badge: ImportedBadge | None

    @property
    def recipient_failed(self) -> bool:
        check = self.report.check(CheckId.RECIPIENT)
        return check is not None and check.status is CheckStatus.FAILED


async def import_badge(
    settings: Settings, user: User, data: str | bytes, source: str
) -> ImportOutcome:
    """Verify ``data`` and store it in ``user``'s backpack when the report is valid.

    Raises InvalidInputError for unreadable input and ConflictError when the badge is already
    in the backpack.
    """
    # NOTE: a URL is fetched twice, once here for the text to store and once by the verification.
    found = await read_verification_input(data, fetcher_for(settings))
    text = _credential_text(found.credential, found.hosted_url)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if await ImportedBadge.exists().where(
        (ImportedBadge.user == user.id) & (ImportedBadge.digest == digest)  # type: ignore[attr-defined]
    ):
        raise ConflictError(
            "this badge is already in your backpack; open the backpack to see it",
            code="badge-already-imported",
        )
    report = await verification.verify(settings, data, recipient=user.email or None)
    if not report.valid:
        log.info("backpack_import_rejected", user=user.id, format=str(report.format))
        return ImportOutcome(report, None)
    badge = ImportedBadge(
        user=user.id,  # type: ignore[attr-defined]
        **stored_values(report, text, digest, source),
    )
    await badge.save()
    log.info("backpack_badge_imported", user=user.id, badge=badge.id, format=str(report.format))
    return ImportOutcome(report, badge)


def stored_values(
    report: VerificationReport, text: str, digest: str, source: str
) -> dict[str, Any]:
    """Return the columns of an imported badge: its exact text and what the report found."""
    summary = report.summary
    return {
        "credential_text": text,
        "credential_format": str(report.format),
        "digest": digest,
        "name": (summary.achievement_name or "")[:MAX_TEXT_CHARS],
        "issuer_name": (summary.issuer_name or summary.issuer_id or "")[:MAX_TEXT_CHARS],
        "issued_at": _parse_time(summary.valid_from),
        "image_url": _image_url(summary.achievement_image),
        "source": source[:MAX_SOURCE_CHARS],
        "report": report.to_dict(),
        "imported_at": datetime.now(UTC),
    }


def _credential_text(credential: object, hosted_url: str | None) -> str:
    if isinstance(credential, str):
        return credential.strip()
    if isinstance(credential, dict):
        return json.dumps(credential, ensure_ascii=False)
    return hosted_url or ""


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _image_url(value: str | None) -> str:
    """Keep an http(s) image URL that fits the column; drop data: URIs and anything else."""
    if value and value.startswith(("https://", "http://")) and len(value) <= MAX_SOURCE_CHARS:
        return value
    return ""
