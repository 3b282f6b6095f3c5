"""Benchmark: verify a credential whose issuer is a did:web on another server.

A loopback server (configured as a loopback peer) publishes the issuer's DID document. The
script signs the Open Badges implementation-guide credential with that issuer's key and times,
in one process on one thread:

- the outbound fetch of the DID document alone (no cache);
- a whole verification with a cold fetcher cache (one DID document fetch each time);
- a whole verification with the DID document cached (the common case for a busy verifier).

    .venv/bin/python benchmarks/remote_issuer.py [--count 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519

from hub.credentials import dataintegrity, multikey
from hub.credentials.didweb import DidWebResolver
from hub.credentials.keys import ChainResolver
from hub.credentials.verifier import verify_credential
from hub.outbound import Fetcher, OutboundPolicy
from tests.document_server import DocumentServer, Route

UNSIGNED = (
    Path(__file__).resolve().parents[1]
    / "tests/fixtures/vectors/1EdTech__openbadges-specification/test-vectors"
    / "obv3p0-eddsa-rdfc-2022/unsigned.json"
)


def did_document(did: str, public_key: ed25519.Ed25519PublicKey) -> dict[str, Any]:
    method = f"{did}#key-1"
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": method,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": multikey.encode_public_key(public_key),
            }
        ],
        "assertionMethod": [method],
    }


async def timed(action: Callable[[], Awaitable[object]], count: int) -> list[float]:
    durations = []
    for _ in range(count):
        start = time.perf_counter()
        await action()
        durations.append(time.perf_counter() - start)
    return durations


async def main(count: int) -> None:
    server = DocumentServer()
    try:
        did = f"did:web:127.0.0.1%3A{server.port}:issuers:bench"
        private_key = ed25519.Ed25519PrivateKey.generate()
        document = did_document(did, private_key.public_key())
        server.routes["/issuers/bench/did.json"] = Route(json.dumps(document).encode())

        credential = json.loads(UNSIGNED.read_text("utf-8"))
        credential["issuer"]["id"] = did
        signed = dataintegrity.sign_eddsa_rdfc_2022(
            credential, private_key, f"{did}#key-1", datetime.now(UTC) - timedelta(days=1)
        )
        policy = OutboundPolicy(loopback_peers=frozenset({f"127.0.0.1:{server.port}"}))
        fetcher = Fetcher(policy)
        resolver = ChainResolver([DidWebResolver(fetcher, "hub.invalid")])
        url = server.url("/issuers/bench/did.json")

        async def fetch_only() -> object:
            return await fetcher.fetch(url, use_cache=False)

        async def verify_cold() -> object:
            fetcher.clear_cache()
            report = await verify_credential(signed, resolver)
            assert report.valid, report.to_dict()
            return report

        async def verify_warm() -> object:
            return await verify_credential(signed, resolver)

        await verify_cold()  # warm up pyld's context cache and the process
        rows = [
            ("fetch DID document (no cache)", await timed(fetch_only, count)),
            ("verify, DID document fetched", await timed(verify_cold, count)),
            ("verify, DID document cached", await timed(verify_warm, count)),
        ]
    finally:
        server.close()

    print(f"{count} runs each, one process, one thread")
    print(f"| {'operation':<32} | median ms | p95 ms |")
    print(f"|{'-' * 34}|----------:|-------:|")
    for name, durations in rows:
        median = statistics.median(durations) * 1000
        p95 = statistics.quantiles(durations, n=20)[-1] * 1000
        print(f"| {name:<32} | {median:9.2f} | {p95:6.2f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="runs per operation")
    asyncio.run(main(parser.parse_args().count))
