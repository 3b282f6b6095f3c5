"""Micro-benchmark: RDFC-1.0 canonicalisation of Open Badges 3.0 credentials, pyld vs fast path.

Runs in one process on one thread, so every number is per core. Prints the median cost per
credential and the throughput of pyld (``jsonld.canonicalize_with_pyld``) and of the cached path
(``jsonld.canonicalize``), first for one document, then for a whole eddsa-rdfc-2022 signature.
A signature takes the undefined-term check (fast path only, as pyld has none), both canonical
forms, two SHA-256 hashes and one Ed25519 signature. A last table splits the fast path's time.

    .venv/bin/python benchmarks/canonicalize.py [--count 3000]
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import platform
import statistics
import time
import uuid
from collections.abc import Callable, Iterable
from importlib import metadata
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hub.credentials import jsonld
from hub.credentials.jsonld.rdfc import (
    _duplicates,
    _issue_canonical_labels,
    _join_sorted,
    _relabel,
    _substitute,
)
from hub.credentials.jsonld.shape import _read_shape
from hub.credentials.jsonld.templates import _template_for

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
HUB = "https://badges.eunice.example"
ISSUER = "did:web:badges.eunice.example:tenants:uphf"
ACHIEVEMENTS = [
    ("open-badge-workshop", "Open-Badge Workshop", "Took part in the Open Badge workshop."),
    ("i-support-eunice", "I Support Eunice", "Supports the EUNICE alliance."),
    ("general-assembly", "General Assembly", "Attended the EUNICE General Assembly."),
]


def credential(number: int) -> dict[str, Any]:
    """Build an OpenBadgeCredential as the hub issues it, with per-award names, ids and dates."""
    slug, title, narrative = ACHIEVEMENTS[number % len(ACHIEVEMENTS)]
    issuer = {"id": ISSUER, "type": ["Profile"], "name": "Université Polytechnique Hauts-de-France"}
    return {
        "@context": CONTEXT,
        "id": f"urn:uuid:{uuid.UUID(int=number)}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{title} — Étudiant·e n°{number}",
        "issuer": {**issuer, "url": "https://www.uphf.fr"},
        "validFrom": f"2026-{1 + number % 12:02}-{1 + number % 28:02}T09:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": "sha256$"
                    + hashlib.sha256(f"{number}@uphf.fr".encode()).hexdigest(),
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": f"salt-{number}",
                }
            ],
            "achievement": {
                "id": f"{HUB}/tenants/uphf/achievements/{slug}",
                "type": ["Achievement"],
                "name": title,
                "description": f"{narrative}\n« Bravo » {number}",
                "criteria": {"narrative": narrative},
                "image": {"id": f"{HUB}/tenants/uphf/achievements/{slug}.png", "type": "Image"},
                "creator": issuer,
            },
        },
        "credentialStatus": {
            "id": f"{HUB}/tenants/uphf/status/1#{number}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(number),
            "statusListCredential": f"{HUB}/tenants/uphf/status/1",
        },
    }


def proof_configuration(document: dict[str, Any], number: int) -> dict[str, Any]:
    return {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": f"2026-03-01T10:{number % 60:02}:00Z",
        "verificationMethod": f"{ISSUER}#key-1",
        "proofPurpose": "assertionMethod",
        "@context": document["@context"],
    }


def sign_with(canonicalize: Callable[[dict[str, Any]], str], check: bool) -> Callable[..., bytes]:
    key = Ed25519PrivateKey.generate()

    def sign(document: dict[str, Any], number: int) -> bytes:
        undefined = jsonld.find_undefined_terms(document) if check else []
        if undefined:
            raise ValueError(f"credential {number} uses undefined terms {undefined}")
        proof_hash = hashlib.sha256(canonicalize(proof_configuration(document, number)).encode())
        document_hash = hashlib.sha256(canonicalize(document).encode())
        return key.sign(proof_hash.digest() + document_hash.digest())

    return sign


def measure(run: Callable[[Any, int], object], documents: list[Any]) -> float:
    """Return the median seconds of one call, each document timed on its own."""
    timings = []
    gc.disable()
    try:
        for number, document in enumerate(documents):
            started = time.perf_counter()
            run(document, number)
            timings.append(time.perf_counter() - started)
    finally:
        gc.enable()
    return statistics.median(timings)


def print_table(title: str, header: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> None:
    rows = list(rows)
    widths = [max(len(row[n]) for row in [header, *rows]) for n in range(len(header))]
    print(f"\n{title}")
    for row in [header, tuple("-" * width for width in widths), *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def throughput_rows(count: int) -> list[tuple[str, ...]]:
    documents = [credential(number) for number in range(count)]
    baseline = documents[: max(count // 10, 50)]
    jsonld.canonicalize(documents[0])  # loads the bundled contexts once
    runs: list[tuple[str, list[dict[str, Any]], Callable[[dict[str, Any], int], object]]] = [
        ("pyld, document", baseline, lambda d, n: jsonld.canonicalize_with_pyld(d)),
        ("fast path, document", documents, lambda d, n: jsonld.canonicalize(d)),
        ("pyld, signed credential", baseline, sign_with(jsonld.canonicalize_with_pyld, False)),
        ("fast path, signed credential", documents, sign_with(jsonld.canonicalize, True)),
    ]
    rows: list[tuple[str, ...]] = []
    for name, sample, run in runs:
        median = measure(run, sample)
        rows.append((name, str(len(sample)), f"{median * 1e6:,.0f}", f"{1 / median:,.0f}"))
    return rows


def phase_rows(count: int) -> list[tuple[str, ...]]:
    """Time each step of the fast path on its own, over the same documents."""
    documents = [credential(number) for number in range(count)]
    shapes = [_read_shape(document) for document in documents]
    templates = [_template_for(d, s) for d, s in zip(documents, shapes, strict=True)]
    steps = [Steps(t, s.values) for t, s in zip(templates, shapes, strict=True)]
    phases: list[tuple[str, list[Any], Callable[[Any, int], object]]] = [
        ("read shape, check limits", documents, lambda d, n: _read_shape(d)),
        ("find template, check IRIs", documents, lambda d, n: _template_for(d, shapes[n])),
        ("substitute values", steps, lambda s, n: _substitute(s.template, s.values)),
        ("merge repeated quads", steps, lambda s, n: _duplicates(s.template, s.lines)),
        ("hash blank nodes", steps, lambda s, n: s.labels()),
        ("relabel, sort, join", steps, lambda s, n: s.finish()),
    ]
    medians = [(name, measure(run, sample)) for name, sample, run in phases]
    total = sum(median for _, median in medians)
    return [(name, f"{median * 1e6:,.1f}", f"{median / total:.0%}") for name, median in medians]


class Steps:
    """The intermediate results of one document, so that each step can be timed alone."""

    def __init__(self, template: Any, values: list[str]) -> None:
        self.template, self.values = template, values
        self.terms, self.lines = _substitute(template, values)
        self.dropped = _duplicates(template, self.lines) or frozenset()
        self.found_labels = self.labels() or {}

    def labels(self) -> dict[int, str] | None:
        template = self.template
        return _issue_canonical_labels(
            self.terms, template.quads, template.blank_node_quads, self.dropped
        )

    def finish(self) -> str:
        lines = self.lines.copy()
        _relabel(self.template, self.terms.copy(), lines, self.found_labels)
        return _join_sorted(lines, self.dropped)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=3000, help="credentials per fast-path run")
    count = parser.parse_args().count

    print(
        f"Python {platform.python_version()}, pyld {metadata.version('pyld')}, "
        f"{platform.processor() or platform.machine()}, one process, one thread"
    )
    print_table(
        "Canonicalisation of Open Badges 3.0 credentials (eddsa-rdfc-2022 inputs)",
        ("path", "credentials", "median µs", "credentials/s"),
        throughput_rows(count),
    )
    print_table(
        "Where the fast path spends its time (one document, warm cache)",
        ("step", "median µs", "share"),
        phase_rows(count),
    )


if __name__ == "__main__":
    main()
