"""JSON-LD processing: canonical forms from published vectors, contexts, undefined terms, limits.

Expected canonical N-Quads come from the W3C eddsa-rdfc-2022 and the Open Badges 3.0
implementation-guide test vectors, vendored under ``tests/fixtures/vectors``. One test also reads
the wider third-party corpus beside the repository and skips when it is absent.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hub.credentials import jsonld
from hub.credentials.jsonld import templates
from tests.conftest import shared_vectors

W3C_RDFC = "w3c__vc-di-eddsa/TestVectors/eddsa-rdfc-2022"
W3C_INPUTS = "w3c__vc-di-eddsa/TestVectors"
OB_VECTOR = "1EdTech__openbadges-specification/test-vectors/obv3p0-eddsa-rdfc-2022"
SAFE_MODE_BREAKER = "digitalcredentials__verifier-core/fixtures/eddsa/v2/safeModeBreaker.json"
OB3_CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"

Vector = Callable[[str], Any]


def ob_proof_configuration(vector: Vector) -> dict[str, Any]:
    """The implementation guide's proof options under the document's context, as signed."""
    options = vector(f"{OB_VECTOR}/proof-options.json")
    return {**options, "@context": vector(f"{OB_VECTOR}/unsigned.json")["@context"]}


CANONICAL_CASES = {
    "w3c document": (f"{W3C_INPUTS}/unsigned.json", f"{W3C_RDFC}/canonDocDataInt.txt"),
    "w3c proof": (f"{W3C_RDFC}/proofConfigDataInt.json", f"{W3C_RDFC}/proofCanonDataInt.txt"),
    "w3c employment document": (
        f"{W3C_INPUTS}/employmentAuth.json",
        f"{W3C_RDFC}/employ/canonDocDataInt.txt",
    ),
    "w3c employment proof": (
        f"{W3C_RDFC}/employ/proofConfigDataInt.json",
        f"{W3C_RDFC}/employ/proofCanonDataInt.txt",
    ),
    "open badges document": (f"{OB_VECTOR}/unsigned.json", f"{OB_VECTOR}/document-canon.nq"),
    "open badges proof": (None, f"{OB_VECTOR}/proof-canon.nq"),
}


def case_input(vector: Vector, source: str | None) -> dict[str, Any]:
    return ob_proof_configuration(vector) if source is None else vector(source)


@pytest.mark.parametrize("name", CANONICAL_CASES)
def test_canonicalize_reproduces_vector(vector: Vector, name: str) -> None:
    source, expected = CANONICAL_CASES[name]
    document = case_input(vector, source)

    canonical = jsonld.canonicalize(document)

    assert canonical == vector(expected)


@pytest.mark.parametrize("name", CANONICAL_CASES)
def test_fast_path_reproduces_vector(vector: Vector, name: str) -> None:
    source, expected = CANONICAL_CASES[name]
    document = case_input(vector, source)
    jsonld.clear_template_cache()

    first = jsonld.canonicalize_fast(document)
    second = jsonld.canonicalize_fast(copy.deepcopy(document))

    assert first == vector(expected)
    assert second == vector(expected)


def test_fast_path_substitutes_new_values(vector: Vector) -> None:
    document = vector(f"{W3C_INPUTS}/unsigned.json")
    jsonld.canonicalize_fast(document)
    changed = copy.deepcopy(document)
    changed["credentialSubject"]["alumniOf"] = 'The "Other" School\n\tof\\Examples'
    changed["id"] = "urn:uuid:11111111-2222-4333-8444-555555555555"

    canonical = jsonld.canonicalize_fast(changed)

    assert canonical == jsonld.canonicalize_with_pyld(changed)
    assert '"The \\"Other\\" School\\n\\tof\\\\Examples"' in str(canonical)


def test_unknown_context_names_url(vector: Vector) -> None:
    url = "https://contexts.example/unknown-v1.jsonld"
    document = vector(f"{W3C_INPUTS}/unsigned.json")
    document["@context"] = [*document["@context"], url]

    for function in (jsonld.canonicalize, jsonld.find_undefined_terms):
        with pytest.raises(jsonld.UnknownContextError) as raised:
            function(document)

        assert raised.value.url == url
        assert url in str(raised.value)


def minimal_credential(**fields: Any) -> dict[str, Any]:
    credential: dict[str, Any] = {
        "@context": list(OB3_CONTEXT),
        "id": "urn:uuid:2d5d2a9b-5c1e-4b8a-9f57-1c3e8e7b6a10",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "did:web:hub.example:tenants:uni-a", "type": ["Profile"], "name": "A"},
        "validFrom": "2026-01-01T00:00:00Z",
        "name": "Workshop",
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://hub.example/achievements/1",
                "type": ["Achievement"],
                "name": "Workshop",
                "criteria": {"narrative": "Attend."},
            },
        },
    }
    credential.update(fields)
    return credential


def test_defined_terms_report_nothing(vector: Vector) -> None:
    documents = [
        minimal_credential(),
        vector(f"{W3C_INPUTS}/unsigned.json"),
        vector(f"{W3C_INPUTS}/employmentAuth.json"),
        vector(f"{OB_VECTOR}/unsigned.json"),
        ob_proof_configuration(vector),
    ]

    for document in documents:
        assert jsonld.find_undefined_terms(document) == []


def test_safe_mode_breaker_reports_relative_type(vector: Vector) -> None:
    document = vector(SAFE_MODE_BREAKER)
    document.pop("proof")

    undefined = jsonld.find_undefined_terms(document)

    assert undefined == ["StatusList2021Entry"]
    assert "StatusList2021Entry" not in jsonld.canonicalize(document)


def test_schema_validator_type_needs_extensions_context() -> None:
    schema = [{"id": "https://hub.example/schema.json", "type": "1EdTechJsonSchemaValidator2019"}]
    without = minimal_credential(credentialSchema=schema)
    with_extensions = minimal_credential(
        credentialSchema=schema, **{"@context": [*OB3_CONTEXT, EXTENSIONS_CONTEXT]}
    )

    assert jsonld.find_undefined_terms(without) == ["1EdTechJsonSchemaValidator2019"]
    assert jsonld.find_undefined_terms(with_extensions) == []


def test_undefined_property_reported() -> None:
    document = minimal_credential(favouriteColour="green")
    document["credentialSubject"]["achievement"]["rank"] = 1

    undefined = jsonld.find_undefined_terms(document)

    assert sorted(undefined) == ["favouriteColour", "rank"]
    assert "green" not in jsonld.canonicalize(document)


def test_keyword_like_key_reported() -> None:
    document = minimal_credential(**{"@comment": "dropped by JSON-LD 1.1"})

    assert jsonld.find_undefined_terms(document) == ["@comment"]


def test_relative_iris_reported() -> None:
    document = minimal_credential(id="credentials/42")
    document["credentialSubject"]["achievement"]["id"] = "achievements/1"

    undefined = jsonld.find_undefined_terms(document)

    assert sorted(undefined) == ["achievements/1", "credentials/42"]


def test_undefined_terms_repeat_from_cache() -> None:
    first = minimal_credential(favouriteColour="green")
    second = minimal_credential(favouriteColour="blue", name="Other")

    assert jsonld.find_undefined_terms(first) == ["favouriteColour"]
    assert jsonld.find_undefined_terms(second) == ["favouriteColour"]


def test_template_unaffected_by_later_mutation() -> None:
    first = minimal_credential()
    jsonld.clear_template_cache()
    jsonld.canonicalize(first)
    first["@context"][:] = ["https://www.w3.org/ns/credentials/v2"]
    second = minimal_credential(name="Another workshop")

    assert jsonld.find_undefined_terms(second) == []
    assert jsonld.canonicalize(second) == jsonld.canonicalize_with_pyld(second)


def test_document_characters_limited() -> None:
    document = minimal_credential(description="x" * jsonld.MAX_DOCUMENT_CHARACTERS)

    with pytest.raises(jsonld.DocumentTooComplexError) as raised:
        jsonld.canonicalize(document)

    assert raised.value.limit == "MAX_DOCUMENT_CHARACTERS"
    assert raised.value.value > jsonld.MAX_DOCUMENT_CHARACTERS
    assert "MAX_DOCUMENT_CHARACTERS" in str(raised.value)


def test_node_count_limited() -> None:
    evidence = [{"type": ["Evidence"], "name": str(n)} for n in range(jsonld.MAX_NODES)]
    document = minimal_credential(evidence=evidence)

    with pytest.raises(jsonld.DocumentTooComplexError) as raised:
        jsonld.find_undefined_terms(document)

    assert raised.value.limit == "MAX_NODES"
    assert raised.value.value == jsonld.MAX_NODES + 1
    assert f"{jsonld.MAX_NODES + 1:,} JSON objects, over the limit MAX_NODES" in str(raised.value)


def test_nesting_depth_limited() -> None:
    nested: dict[str, Any] = {"name": "innermost"}
    for _ in range(jsonld.MAX_NESTING_DEPTH):
        nested = {"type": ["Evidence"], "evidence": [nested]}
    document = minimal_credential(evidence=[nested])

    with pytest.raises(jsonld.DocumentTooComplexError) as raised:
        jsonld.canonicalize(document)

    assert raised.value.limit == "MAX_NESTING_DEPTH"


def test_nesting_limit_covers_inline_contexts() -> None:
    nested: dict[str, Any] = {}
    for _ in range(jsonld.MAX_NESTING_DEPTH):
        nested = {"@context": nested}
    document = minimal_credential(**{"@context": [*OB3_CONTEXT, nested]})

    with pytest.raises(jsonld.DocumentTooComplexError) as raised:
        jsonld.canonicalize(document)

    assert raised.value.limit == "MAX_NESTING_DEPTH"


KNOWS = {"knows": {"@id": "https://example.org/knows", "@type": "@id"}}


def blank_node_graph(edges: dict[str, list[str]]) -> dict[str, Any]:
    nodes = [
        {"@id": f"_:{node}", "knows": [f"_:{o}" for o in objects]}
        for node, objects in edges.items()
    ]
    return {"@context": KNOWS, "@graph": nodes}


def clique(size: int) -> dict[str, Any]:
    names = [f"n{n}" for n in range(size)]
    return blank_node_graph({name: [o for o in names if o != name] for name in names})


def cycle(length: int) -> dict[str, Any]:
    return blank_node_graph({f"c{n}": [f"c{(n + 1) % length}"] for n in range(length)})


def grid(size: int) -> dict[str, Any]:
    edges = {
        f"g{row}_{column}": [f"g{row + 1}_{column}"] * (row + 1 < size)
        + [f"g{row}_{column + 1}"] * (column + 1 < size)
        for row in range(size)
        for column in range(size)
    }
    return blank_node_graph(edges)


def identical_leaves(count: int) -> dict[str, Any]:
    context = {"part": "https://example.org/part", "label": "https://example.org/label"}
    return {
        "@context": context,
        "@id": "https://example.org/whole",
        "part": [{"label": "same"}] * count,
    }


@pytest.mark.parametrize(
    ("document", "limit"),
    [
        (identical_leaves(jsonld.MAX_BLANK_NODES + 1), "MAX_BLANK_NODES"),
        (clique(12), "MAX_HASH_N_DEGREE_PERMUTATIONS"),
        (clique(6), "MAX_HASH_N_DEGREE_CALLS"),
        (grid(8), "MAX_HASH_N_DEGREE_CALLS"),
        (cycle(400), "MAX_HASH_N_DEGREE_DEPTH"),
    ],
    ids=["many blank nodes", "clique of 12", "clique of 6", "8x8 grid", "cycle of 400"],
)
def test_poison_graph_rejected_quickly(document: dict[str, Any], limit: str) -> None:
    started = time.perf_counter()

    with pytest.raises(jsonld.DocumentTooComplexError) as raised:
        jsonld.canonicalize(document)

    assert raised.value.limit == limit
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize("document", [clique(4), cycle(12), grid(4), identical_leaves(50)])
def test_small_symmetric_graph_matches_pyld(document: dict[str, Any]) -> None:
    assert jsonld.canonicalize(document) == jsonld.canonicalize_with_pyld(document)


def test_template_cache_bounded() -> None:
    jsonld.clear_template_cache()

    for number in range(jsonld.TEMPLATE_CACHE_SIZE + 20):
        jsonld.canonicalize(minimal_credential(**{f"https://example.org/p{number}": "value"}))

    assert len(templates._TEMPLATES) == jsonld.TEMPLATE_CACHE_SIZE


@pytest.mark.vectors
def test_corpus_canonical_forms_match_pyld() -> None:
    """Every JSON-LD document of the third-party corpus canonicalises as pyld does."""
    documents = list(corpus_documents(shared_vectors()))
    assert len(documents) > 100

    for path, document in documents:
        expected = pyld_result(document)
        if isinstance(expected, Exception):
            with pytest.raises(jsonld.JsonLdError):
                jsonld.canonicalize(document)
            continue
        assert jsonld.canonicalize(document) == expected, path
        assert jsonld.canonicalize_fast(document) in (None, expected), path


def corpus_documents(root: Path) -> Any:
    for path in sorted(root.rglob("*.json")):
        try:
            document = json.loads(path.read_text("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
        if isinstance(document, dict) and "@context" in document:
            document.pop("proof", None)
            yield path.relative_to(root), document


def pyld_result(document: dict[str, Any]) -> str | Exception:
    # pyld 3.3 also crashes with KeyError or TypeError on some invalid documents, where
    # canonicalize raises JsonLdError.
    try:
        return jsonld.canonicalize_with_pyld(document)
    except Exception as error:
        return error
