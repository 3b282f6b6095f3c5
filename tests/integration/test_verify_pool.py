"""The verify API runs the JSON-LD work in worker processes, so the server keeps responding."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from hub import verification
from hub.credentials import dataintegrity, multikey
from hub.credentials.verifier.pool import VerificationPool
from hub.settings import Settings
from tests.factories import make_achievement, make_award, make_tenant

pytestmark = pytest.mark.integration

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def alignment_heavy_credential(alignments: int) -> str:
    """An anonymous caller's credential: hundreds of Alignment objects without ids.

    Each Alignment is a blank node, and each count gives a JSON-LD shape no worker has cached,
    so canonicalising it takes about a second. The proof's signature is zeros, which the
    verifier finds out only after that work.
    """
    key = ed25519.Ed25519PrivateKey.generate()
    did = multikey.did_key_for(key.public_key())
    credential = {
        "@context": [VC_V2, OB_V3],
        "id": f"urn:uuid:00000000-0000-4000-8000-{alignments:012d}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": did, "type": ["Profile"], "name": "Anonymous"},
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://badges.example.eu/achievements/heavy",
                "type": ["Achievement"],
                "name": "Heavy",
                "criteria": {"narrative": "None."},
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetName": f"Competency {number}",
                        "targetUrl": f"https://competencies.example.eu/{number}",
                        "targetType": "ceasn:Competency",
                    }
                    for number in range(alignments)
                ],
            },
        },
        "proof": [
            {
                "type": "DataIntegrityProof",
                "cryptosuite": "eddsa-rdfc-2022",
                "created": "2026-01-01T00:00:00Z",
                "verificationMethod": f"{did}#{did.removeprefix('did:key:')}",
                "proofPurpose": "assertionMethod",
                "proofValue": dataintegrity.encode_proof_value(bytes(64)),
            }
        ],
    }
    return json.dumps(credential)


@pytest.fixture
def small_pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[VerificationPool]:
    """Swap the process's worker pool for one with a short budget and no waiting line."""
    pool = VerificationPool(workers=1, budget_seconds=0.2, max_waiting=0)
    monkeypatch.setattr(verification, "_pool", pool)
    yield pool
    pool.shutdown()


@pytest.fixture
def patient_pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[VerificationPool]:
    """Swap the process's worker pool for one that lets verifications wait minutes for a worker.

    On a loaded machine the default 10 s wait ends in 503, and this test is about the event loop.
    """
    pool = VerificationPool(max_wait_seconds=300)
    monkeypatch.setattr(verification, "_pool", pool)
    yield pool
    pool.shutdown()


async def test_health_responds_during_heavy_verifications(
    client: httpx.AsyncClient, patient_pool: VerificationPool
) -> None:
    bodies = [alignment_heavy_credential(900 + 20 * number) for number in range(4)]
    finished: list[float] = []

    async def verify(body: str) -> httpx.Response:
        response = await client.post("/api/v1/verify", content=body)
        finished.append(time.monotonic())
        return response

    verifications = [asyncio.create_task(verify(body)) for body in bodies]
    await asyncio.sleep(0.05)
    health = await client.get("/health/live")
    responded = time.monotonic()
    responses = await asyncio.gather(*verifications)

    assert health.status_code == 200
    assert [response.status_code for response in responses] == [200] * 4
    # The event loop was free: the health response came before any verification finished.
    assert responded < min(finished)


async def test_hub_credential_valid_through_pool(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    tenant = await make_tenant(settings)
    award = (await make_award(settings, tenant, await make_achievement(tenant))).award

    response = await client.post("/api/v1/verify", content=award.credential_text)

    assert response.status_code == 200
    report = response.json()
    assert report["valid"] is True, report
    assert [check["check"] for check in report["checks"]][-1] == "status"


async def test_budget_overrun_reports_too_complex(
    client: httpx.AsyncClient, small_pool: VerificationPool
) -> None:
    response = await client.post("/api/v1/verify", content=alignment_heavy_credential(960))

    assert response.status_code == 200
    report = response.json()
    checks = {check["check"]: check for check in report["checks"]}
    assert report["valid"] is False
    assert checks["proof"]["status"] == "failed"
    assert "too complex to verify within 0.2 s" in checks["proof"]["message"]


async def test_full_pool_returns_503_with_retry_after(
    client: httpx.AsyncClient, small_pool: VerificationPool
) -> None:
    first = asyncio.create_task(
        client.post("/api/v1/verify", content=alignment_heavy_credential(970))
    )
    await asyncio.sleep(0.05)

    response = await client.post("/api/v1/verify", content=alignment_heavy_credential(971))
    await first

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert response.headers["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "verification-busy"
    assert "retry in 1 s" in problem["detail"]


async def test_lifespan_stops_workers(
    db: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hub.app import create_app

    pool = VerificationPool(workers=1)
    monkeypatch.setattr(verification, "_pool", pool)
    app = create_app(settings, db)
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=settings.public_url) as http:
            response = await http.post("/api/v1/verify", content=alignment_heavy_credential(3))
        pid = _worker_pid(pool)
        os.kill(pid, 0)  # the worker runs while the app does

    assert response.status_code == 200
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def _worker_pid(pool: VerificationPool) -> Any:
    worker = pool._idle[0]
    assert worker._pid is not None
    return worker._pid
