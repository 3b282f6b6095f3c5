"""The verifier's worker pool: same reports as in-process, time budget, kill, bounded queue."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from joserfc.jwk import RSAKey

from hub.credentials import dataintegrity, multikey, vcjwt
from hub.credentials.keys import (
    ChainResolver,
    DidKeyResolver,
    KeyResolutionError,
    KeyResolver,
    KeySource,
    ResolvedKey,
    StaticKeyResolver,
)
from hub.credentials.report import Check, CheckId, CheckStatus, VerificationReport
from hub.credentials.verifier import budget, verify_credential
from hub.credentials.verifier.pool import (
    PoolBusyError,
    VerificationJob,
    VerificationPool,
    _Worker,
    stopped_report,
)
from hub.credentials.verifier.prepared_keys import (
    MAX_PREPARED_METHODS,
    KeyMaterial,
    PreparedKeys,
    prepare_keys,
)
from tests.unit.credentials.conftest import OB_IMPL_GUIDE, read_vector_json

NOW = datetime(2026, 1, 1, tzinfo=UTC)
TENANT = "did:web:hub.example:tenants:uni"
RSA_KID = f"{TENANT}#rsa-1"


class Issuer:
    """A did:key issuer of the Open Badges implementation-guide credential."""

    def __init__(self) -> None:
        self.private_key = ed25519.Ed25519PrivateKey.generate()
        self.did = multikey.did_key_for(self.private_key.public_key())
        self.method = f"{self.did}#{self.did.removeprefix('did:key:')}"

    def credential(self) -> dict[str, Any]:
        credential: dict[str, Any] = read_vector_json(f"{OB_IMPL_GUIDE}/unsigned.json")
        credential["issuer"]["id"] = self.did
        return credential

    def sign(self, credential: dict[str, Any]) -> dict[str, Any]:
        created = NOW - timedelta(days=1)
        return dataintegrity.sign_eddsa_rdfc_2022(
            credential, self.private_key, self.method, created
        )

    def heavy_credential(self, alignments: int) -> str:
        """An unsigned credential with many blank nodes, under a proof with a zero signature.

        Canonicalising it takes about a second, and the signature check fails only afterwards.
        """
        credential = self.credential()
        credential["credentialSubject"]["achievement"]["alignment"] = [
            {
                "type": ["Alignment"],
                "targetName": f"Competency {number}",
                "targetUrl": f"https://competencies.example.eu/{number}",
                "targetCode": f"C-{number}",
            }
            for number in range(alignments)
        ]
        credential["proof"] = [
            {
                "type": "DataIntegrityProof",
                "cryptosuite": "eddsa-rdfc-2022",
                "created": "2025-12-31T00:00:00Z",
                "verificationMethod": self.method,
                "proofPurpose": "assertionMethod",
                "proofValue": dataintegrity.encode_proof_value(bytes(64)),
            }
        ]
        return json.dumps(credential)


class RaisingResolver:
    """Owns every did:web method and fails to resolve it, as a tenant resolver may."""

    async def resolve(self, verification_method: str) -> ResolvedKey | None:
        if verification_method.startswith("did:web:"):
            raise KeyResolutionError(f"tenant has no key {verification_method!r}")
        return None


@pytest.fixture(scope="module")
def pool() -> Iterator[VerificationPool]:
    pool = VerificationPool(workers=1)
    yield pool
    pool.shutdown()


@pytest.fixture(scope="module")
def issuer() -> Issuer:
    return Issuer()


def rsa_issuer() -> tuple[rsa.RSAPrivateKey, KeyResolver]:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = RSAKey.import_key(private_key.public_key())
    key = ResolvedKey(RSA_KID, TENANT, "JsonWebKey", public, KeySource.HUB_TENANT)
    return private_key, StaticKeyResolver({RSA_KID: key})


def cases(issuer: Issuer) -> dict[str, tuple[str | bytes | dict[str, Any], KeyResolver]]:
    signed = issuer.sign(issuer.credential())
    tampered = {**signed, "name": "Changed after signing"}
    private_key, rsa_resolver = rsa_issuer()
    jwt_credential = issuer.credential()
    jwt_credential["issuer"]["id"] = TENANT
    token = vcjwt.encode_vc_jwt(jwt_credential, private_key, RSA_KID, issued_at=NOW)
    foreign = issuer.credential()
    foreign["proof"] = [{**signed["proof"][0], "verificationMethod": f"{TENANT}#key-1"}]
    ob2 = {"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": "urn:x:1"}
    chain = ChainResolver([RaisingResolver(), DidKeyResolver()])
    return {
        "valid": (json.dumps(signed), DidKeyResolver()),
        "tampered": (json.dumps(tampered).encode(), DidKeyResolver()),
        "parsed object": (signed, DidKeyResolver()),
        "vc-jwt with kid": (token, rsa_resolver),
        "vc-jwt without key": (token, DidKeyResolver()),
        "resolution error": (json.dumps(foreign), chain),
        "open badges 2.0": (json.dumps(ob2), DidKeyResolver()),
    }


@pytest.mark.parametrize(
    "name",
    [
        "valid",
        "tampered",
        "parsed object",
        "vc-jwt with kid",
        "vc-jwt without key",
        "resolution error",
        "open badges 2.0",
    ],
)
async def test_pool_report_matches_in_process(
    pool: VerificationPool, issuer: Issuer, name: str
) -> None:
    data, resolver = cases(issuer)[name]

    in_worker = await pool.verify_credential(data, resolver, NOW)
    in_process = await verify_credential(data, resolver, NOW)

    assert in_worker.to_dict() == in_process.to_dict()


async def test_pool_verifies_in_another_process(pool: VerificationPool, issuer: Issuer) -> None:
    data = json.dumps(issuer.sign(issuer.credential()))

    await pool.verify_credential(data, DidKeyResolver(), NOW)

    worker = pool._idle[0]
    assert worker._pid is not None
    assert worker._pid != os.getpid()


async def test_budget_fails_running_check(issuer: Issuer) -> None:
    small = VerificationPool(workers=1, budget_seconds=0.2)
    try:
        report = await small.verify_credential(issuer.heavy_credential(900), DidKeyResolver(), NOW)
        # The replacement worker's first job loads the JSON-LD contexts, which can take more than
        # 0.2 s of CPU on a loaded machine. This part only checks that the replacement works.
        small.budget_seconds = 5.0
        after = await small.verify_credential(
            json.dumps(issuer.sign(issuer.credential())), DidKeyResolver(), NOW
        )
    finally:
        small.shutdown()

    assert report.valid is False
    proof = report.check(CheckId.PROOF)
    assert proof is not None
    assert proof.status is CheckStatus.FAILED
    assert "too complex to verify within 0.2 s" in proof.message
    undefined_terms = report.check(CheckId.UNDEFINED_TERMS)
    assert undefined_terms is not None
    assert undefined_terms.status is CheckStatus.SKIPPED
    assert after.valid is True


async def test_worker_killed_when_it_does_not_answer(issuer: Issuer) -> None:
    worker = _Worker(VerificationPool()._context)
    # The worker's own alarm is far away, so only the kill can end this job in time. Without
    # keys the proof is skipped, but JSON-LD expansion of the credential still takes a second.
    job = VerificationJob(issuer.heavy_credential(950), PreparedKeys(), NOW, 60.0)
    try:
        started = time.monotonic()
        result = await worker.run(job, 0.5)
        elapsed = time.monotonic() - started
    finally:
        worker.shutdown(wait=True)

    assert result is None
    assert worker.is_reusable is False
    assert elapsed < 30


async def test_full_pool_refuses_at_once(issuer: Issuer) -> None:
    small = VerificationPool(workers=1, max_waiting=0)
    try:
        first = asyncio.create_task(
            small.verify_credential(issuer.heavy_credential(300), DidKeyResolver(), NOW)
        )
        await asyncio.sleep(0)
        with pytest.raises(PoolBusyError) as raised:
            await small.verify_credential(issuer.heavy_credential(301), DidKeyResolver(), NOW)
        await first
    finally:
        small.shutdown()

    assert raised.value.retry_after_seconds == 5
    assert "retry in 5 s" in str(raised.value)


def test_stopped_report_fails_proof(issuer: Issuer) -> None:
    signed = issuer.sign(issuer.credential())

    report = stopped_report(signed, "too complex to verify within 5 s")

    assert report.valid is False
    assert [str(check.check) for check in report.checks] == [
        "format",
        "context",
        "type",
        "schema",
        "undefined-terms",
        "proof",
        "issuer-key",
        "validity-window",
        "status",
    ]
    assert _check(report, CheckId.PROOF).status is CheckStatus.FAILED
    assert _check(report, CheckId.PROOF).message == "too complex to verify within 5 s"
    assert _check(report, CheckId.STATUS).status is CheckStatus.SKIPPED
    assert report.summary.issuer_id == issuer.did


# Time budget ---------------------------------------------------------------------------------


def spin(credential: Any) -> Any:
    while True:
        pass


def test_time_budget_fails_then_skips() -> None:
    with budget.time_budget(0.05) as active:
        stopped = budget.bounded_check(CheckId.SCHEMA, spin, {})
        later = budget.bounded_check(CheckId.UNDEFINED_TERMS, spin, {})

    assert active.is_spent is True
    assert stopped.status is CheckStatus.FAILED
    assert stopped.message.startswith("too complex to verify within 0.05 s")
    assert later.status is CheckStatus.SKIPPED
    assert "time budget of 0.05 s ran out" in later.message


def test_without_budget_check_runs_unbounded() -> None:
    passed = Check(CheckId.SCHEMA, CheckStatus.PASSED, "valid")

    check = budget.bounded_check(CheckId.SCHEMA, lambda _: passed, {})

    assert check is passed


# Prepared keys ---------------------------------------------------------------------------------


async def test_prepared_keys_skip_repeats_and_non_uris(issuer: Issuer) -> None:
    signed = issuer.sign(issuer.credential())
    proof = signed["proof"][0]
    signed["proof"] = [proof, dict(proof), {**proof, "verificationMethod": "no-scheme"}]

    prepared = await prepare_keys(signed, DidKeyResolver())

    assert [key.requested_method for key in prepared.keys] == [issuer.method]
    assert prepared.problems == ()


async def test_prepared_keys_bound_methods(issuer: Issuer) -> None:
    signed = issuer.sign(issuer.credential())
    methods = [f"did:example:{number}" for number in range(MAX_PREPARED_METHODS + 2)]
    signed["proof"] = [{**signed["proof"][0], "verificationMethod": m} for m in methods]

    prepared = await prepare_keys(signed, DidKeyResolver())

    assert [method for method, _ in prepared.problems] == methods[MAX_PREPARED_METHODS:]
    assert "more than 16 verification methods" in prepared.problems[0][1]


async def test_prepared_keys_keep_resolution_errors(issuer: Issuer) -> None:
    credential = issuer.credential()
    credential["proof"] = [{"type": "DataIntegrityProof", "verificationMethod": f"{TENANT}#k"}]

    prepared = await prepare_keys(credential, RaisingResolver())

    with pytest.raises(KeyResolutionError, match="tenant has no key"):
        await prepared.resolver().resolve(f"{TENANT}#k")


def test_key_material_round_trip_rsa() -> None:
    private_key, _ = rsa_issuer()
    public = RSAKey.import_key(private_key.public_key())
    key = ResolvedKey(RSA_KID, TENANT, "JsonWebKey", public, KeySource.HUB_TENANT)

    restored = KeyMaterial.from_resolved(RSA_KID, key).to_resolved()

    assert isinstance(restored.public_key, RSAKey)
    assert restored.public_key.as_dict() == public.as_dict()
    assert (restored.controller, restored.source) == (TENANT, "hub tenant")


# Helpers ---------------------------------------------------------------------------------------


def _check(report: VerificationReport, check_id: CheckId) -> Check:
    check = report.check(check_id)
    assert check is not None
    return check
