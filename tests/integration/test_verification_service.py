"""The checks the verification service adds to the engine's: endorsements and recipient."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from hub import verification
from hub.credentials import dataintegrity, multikey
from hub.credentials.report import CheckId, CheckStatus, VerificationReport
from hub.settings import Settings
from tests.factories import make_achievement, make_award, make_tenant
from tests.unit.credentials.conftest import OB_IMPL_GUIDE, VALIDATOR_OB30, read_vector_json

pytestmark = pytest.mark.integration

NOW = datetime(2026, 6, 1, tzinfo=UTC)


class DidKeySigner:
    """An issuer identified by a did:key, which verification resolves without any fetch."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.private_key = ed25519.Ed25519PrivateKey.generate()
        self.did = multikey.did_key_for(self.private_key.public_key())
        self.method = f"{self.did}#{self.did.removeprefix('did:key:')}"

    def sign(self, credential: dict[str, Any], method: str | None = None) -> dict[str, Any]:
        credential = copy.deepcopy(credential)
        credential["issuer"] = {"id": self.did, "type": ["Profile"], "name": self.name}
        return dataintegrity.sign_eddsa_rdfc_2022(
            credential, self.private_key, method or self.method, NOW - timedelta(days=1)
        )


def endorsement_of(endorser: DidKeySigner, subject: str, comment: str) -> dict[str, Any]:
    """Sign the 1EdTech validator's EndorsementCredential sample again as ``endorser``."""
    endorsement: dict[str, Any] = read_vector_json(f"{VALIDATOR_OB30}/endorsement-valid.json")
    del endorsement["proof"]
    endorsement["credentialSubject"]["id"] = subject
    endorsement["credentialSubject"]["endorsementComment"] = comment
    return endorser.sign(endorsement)


def badge_with(endorsements: list[dict[str, Any]]) -> dict[str, Any]:
    credential: dict[str, Any] = read_vector_json(f"{OB_IMPL_GUIDE}/unsigned.json")
    credential["credentialSubject"]["achievement"]["endorsement"] = endorsements
    return credential


def check(report: VerificationReport, check_id: CheckId) -> tuple[CheckStatus, str]:
    found = report.check(check_id)
    assert found is not None, f"{check_id} missing from {[c.check for c in report.checks]}"
    return found.status, found.message


async def run(
    settings: Settings,
    credential: Any,
    recipient: str | None = None,
    now: datetime | None = NOW,
) -> VerificationReport:
    return await verification.verify(
        settings, credential, now, in_process=True, recipient=recipient
    )


async def test_endorsement_verified(db: str, settings: Settings) -> None:
    issuer, endorser = DidKeySigner("Université A"), DidKeySigner("Accreditation Agency")
    endorsement = endorsement_of(endorser, "https://example.com/achievements/teamwork", "Sound")
    report = await run(settings, issuer.sign(badge_with([endorsement])))
    status, message = check(report, CheckId.ENDORSEMENT)
    assert status is CheckStatus.PASSED
    assert "Accreditation Agency" in message
    assert "the achievement" in message
    assert report.valid


async def test_tampered_endorsement_fails(db: str, settings: Settings) -> None:
    issuer, endorser = DidKeySigner("Université A"), DidKeySigner("Accreditation Agency")
    endorsement = endorsement_of(endorser, "https://example.com/achievements/teamwork", "Weak")
    endorsement["credentialSubject"]["endorsementComment"] = "Outstanding"
    # The issuer signs over the altered endorsement, so only the endorsement's proof is wrong.
    report = await run(settings, issuer.sign(badge_with([endorsement])))
    assert check(report, CheckId.PROOF)[0] is CheckStatus.PASSED
    status, message = check(report, CheckId.ENDORSEMENT)
    assert status is CheckStatus.FAILED
    assert "invalid signature" in message
    assert not report.valid


async def test_unresolvable_endorser_warns(db: str, settings: Settings) -> None:
    issuer, endorser = DidKeySigner("Université A"), DidKeySigner("Unknown Body")
    endorsement = endorsement_of(endorser, "https://example.com/achievements/teamwork", "Fine")
    endorsement["proof"][0]["verificationMethod"] = "did:example:unknown#key-1"
    report = await run(settings, issuer.sign(badge_with([endorsement])))
    status, message = check(report, CheckId.ENDORSEMENT)
    assert status is CheckStatus.WARNING
    assert "is not valid" in message
    assert report.valid


async def test_unreadable_endorsement_warns(db: str, settings: Settings) -> None:
    issuer = DidKeySigner("Université A")
    credential = badge_with([])
    credential["credentialSubject"]["achievement"]["endorsementJwt"] = ["not-a-jws"]
    report = await run(settings, issuer.sign(credential))
    status, message = check(report, CheckId.ENDORSEMENT)
    assert status is CheckStatus.WARNING
    assert "unreadable" in message


async def test_no_endorsements_skipped(db: str, settings: Settings) -> None:
    report = await run(settings, DidKeySigner("Université A").sign(badge_with([])))
    assert check(report, CheckId.ENDORSEMENT)[0] is CheckStatus.SKIPPED


async def test_endorsement_count_bounded(db: str, settings: Settings) -> None:
    endorser = DidKeySigner("Agency")
    one = endorsement_of(endorser, "https://example.com/achievements/teamwork", "Good")
    count = verification.MAX_ENDORSEMENTS + 3
    report = await run(settings, DidKeySigner("Université A").sign(badge_with([one] * count)))
    status, message = check(report, CheckId.ENDORSEMENT)
    assert status is CheckStatus.WARNING
    assert "3 more endorsements were not checked" in message


async def test_recipient_of_hub_credential(db: str, settings: Settings) -> None:
    tenant = await make_tenant(settings, "uphf")
    achievement = await make_achievement(tenant)
    award = (await make_award(settings, tenant, achievement, email="Ada@Example.org")).award
    matched = await run(settings, award.credential_text, "ada@example.org", now=None)
    assert check(matched, CheckId.RECIPIENT)[0] is CheckStatus.PASSED
    assert matched.valid
    other = await run(settings, award.credential_text, "eve@example.org", now=None)
    assert check(other, CheckId.RECIPIENT)[0] is CheckStatus.FAILED
    assert not other.valid
    unasked = await run(settings, award.credential_text, now=None)
    assert check(unasked, CheckId.RECIPIENT)[0] is CheckStatus.SKIPPED


async def test_service_checks_before_status(db: str, settings: Settings) -> None:
    report = await run(settings, DidKeySigner("Université A").sign(badge_with([])))
    order = [str(item.check) for item in report.checks]
    assert order[-4:] == ["endorsement", "recipient", "trust", "status"]
