"""Open Badges 3.0 data model: building unsigned OpenBadgeCredentials.

Implements 1EdTech Open Badges Specification v3.0 (§8 "Open Badges Document Formats"):
``OpenBadgeCredential`` with ``AchievementSubject``, ``Achievement``, ``Profile`` and
``IdentityObject``, on the W3C Verifiable Credentials Data Model v2.0.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_V3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CREDENTIAL_CONTEXT = [VC_V2_CONTEXT, OB_V3_CONTEXT]

# OB 3.0 §B.1.4 AchievementType vocabulary (the values the hub lets tenants pick).
ACHIEVEMENT_TYPES = frozenset(
    {
        "Achievement",
        "ApprenticeshipCertificate",
        "Assessment",
        "Assignment",
        "AssociateDegree",
        "Award",
        "Badge",
        "BachelorDegree",
        "Certificate",
        "CertificateOfCompletion",
        "Certification",
        "CommunityService",
        "Competency",
        "Course",
        "CoCurricular",
        "Degree",
        "Diploma",
        "DoctoralDegree",
        "Fieldwork",
        "GeneralEducationDevelopment",
        "JourneymanCertificate",
        "LearningProgram",
        "License",
        "Membership",
        "ProfessionalDoctorate",
        "QualityAssuranceCredential",
        "MasterCertificate",
        "MasterDegree",
        "MicroCredential",
        "ResearchDoctorate",
        "SecondarySchoolDiploma",
    }
)


@dataclass(frozen=True)
class IssuerProfile:
    id: str
    name: str
    url: str
    email: str | None = None
    description: str | None = None

    def to_json(self) -> dict[str, Any]:
        profile: dict[str, Any] = {
            "id": self.id,
            "type": ["Profile"],
            "name": self.name,
            "url": self.url,
        }
        if self.description:
            profile["description"] = self.description
        if self.email:
            profile["email"] = self.email
        return profile


@dataclass(frozen=True)
class AchievementData:
    """One Achievement rendered in a single language (``language`` is a BCP 47 tag)."""

    id: str
    achievement_type: str
    name: str
    description: str
    criteria: str
    image_url: str
    language: str
    creator: IssuerProfile | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    # OB 3.0 Alignment objects (``targetName``, ``targetUrl``…) without their ``type``.
    alignments: tuple[dict[str, str], ...] = field(default_factory=tuple)
    credits_available: float | None = None
    result_descriptions: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    version: str | None = None

    def to_json(self) -> dict[str, Any]:
        achievement: dict[str, Any] = {
            "id": self.id,
            "type": ["Achievement"],
            "achievementType": self.achievement_type,
            "name": self.name,
            "description": self.description,
            "criteria": {"narrative": self.criteria},
            "image": {"id": self.image_url, "type": "Image"},
            "inLanguage": self.language,
        }
        if self.tags:
            achievement["tag"] = list(self.tags)
        if self.alignments:
            achievement["alignment"] = [
                {"type": ["Alignment"], **alignment} for alignment in self.alignments
            ]
        if self.credits_available is not None:
            achievement["creditsAvailable"] = self.credits_available
        if self.result_descriptions:
            achievement["resultDescription"] = list(self.result_descriptions)
        if self.version is not None:
            achievement["version"] = self.version
        if self.creator is not None:
            achievement["creator"] = self.creator.to_json()
        return achievement


def rubric_result_description(
    achievement_id: str, name: str, levels: list[tuple[str, str, str]]
) -> dict[str, Any]:
    """Describe levels of mastery as one ResultDescription of rubric criterion levels.

    ``levels`` contains (id, name, description) from the lowest level to the highest; ids become
    fragments of the achievement's id, which ``achievedLevel`` in a Result refers to.
    """
    rubric_levels = []
    for position, (level_id, level_name, description) in enumerate(levels, start=1):
        level: dict[str, Any] = {
            "id": level_url(achievement_id, level_id),
            "type": ["RubricCriterionLevel"],
            "name": level_name,
            "level": str(position),
        }
        if description:
            level["description"] = description
        rubric_levels.append(level)
    return {
        "id": f"{achievement_id}#mastery",
        "type": ["ResultDescription"],
        "name": name,
        "resultType": "RubricCriterionLevel",
        "rubricCriterionLevel": rubric_levels,
    }


def level_url(achievement_id: str, level_id: str) -> str:
    return f"{achievement_id}#level-{level_id}"


def achieved_level_result(achievement_id: str, level_id: str) -> dict[str, Any]:
    """Build the Result of an AchievementSubject that records the level of mastery achieved."""
    return {
        "type": ["Result"],
        "resultDescription": f"{achievement_id}#mastery",
        "achievedLevel": level_url(achievement_id, level_id),
    }


def hash_email(email: str, salt: str) -> str:
    """OB 3.0 IdentityObject ``identityHash``: ``sha256$`` + hex SHA-256 of address + salt.

    The address is lower-cased first, so verifiers comparing a typed address get a match
    whatever its capitalisation.
    """
    digest = hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()
    return f"sha256${digest}"


def new_salt() -> str:
    return secrets.token_hex(16)


def format_datetime(moment: datetime) -> str:
    """XML Schema dateTime in UTC with second precision, as VC DM 2.0 examples use."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def build_credential(
    *,
    credential_id: str,
    issuer: IssuerProfile,
    achievement: AchievementData,
    recipient_email: str,
    recipient_name: str,
    salt: str,
    valid_from: datetime,
    valid_until: datetime | None = None,
    results: list[dict[str, Any]] | None = None,
    evidence: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Build the unsigned OpenBadgeCredential for one award.

    The recipient is identified by the salted hash of their e-mail address and, in clear, by
    name (an IdentityObject with ``identityType`` ``name`` and ``hashed`` false).
    """
    identifiers = [
        {
            "type": "IdentityObject",
            "identityHash": hash_email(recipient_email, salt),
            "identityType": "emailAddress",
            "hashed": True,
            "salt": salt,
        },
        {
            "type": "IdentityObject",
            "identityHash": recipient_name,
            "identityType": "name",
            "hashed": False,
        },
    ]
    credential: dict[str, Any] = {
        "@context": list(CREDENTIAL_CONTEXT),
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer.to_json(),
        "validFrom": format_datetime(valid_from),
    }
    if valid_until is not None:
        credential["validUntil"] = format_datetime(valid_until)
    credential["name"] = achievement.name
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": identifiers,
        "achievement": achievement.to_json(),
    }
    if results:
        subject["result"] = results
    credential["credentialSubject"] = subject
    if evidence:
        credential["evidence"] = evidence
    return credential
