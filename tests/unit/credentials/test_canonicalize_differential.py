"""The cached canonicaliser against pyld on generated Open Badges 3.0 credentials.

``jsonld.canonicalize`` must return exactly what ``jsonld.canonicalize_with_pyld`` returns. The
generator draws names and descriptions with Unicode, quotes, backslashes, newlines, tabs, control
characters and emoji, optional fields, several achievements and issuers, IRIs of many schemes and
dates from a seeded ``random.Random``, so a failure names its seed and reproduces. The hostile
cases put values where the template cannot be trusted; they must take the pyld path and still
give pyld's output.
"""

from __future__ import annotations

import copy
import random
import re
from typing import Any

import pyoxigraph
import pytest

from hub.credentials import jsonld
from hub.credentials.jsonld import templates

OB3_CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
GENERATED = 600
SEEDS = range(GENERATED)

PLAIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.,;:!?()/'"
UNICODE = "éèàçñßøÅÆœ中文字日本語한국어العربيةעבריתΔδЖж\u0301\u200d\u00a0\u2028\u0085\ufeff"
SPECIAL = '"\\\n\t\r'
EMOJI = ["😀", "🎓", "👩\u200d🎓", "🇪🇺", "🏳️\u200d🌈", "✅"]
CONTROL = "\x00\x01\x07\x08\x0b\x0c\x1b\x1f\x7f"


def random_text(rng: random.Random, maximum: int = 40) -> str:
    pools = [PLAIN] * 6 + [UNICODE, SPECIAL, CONTROL]
    pieces = []
    for _ in range(rng.randint(0, maximum)):
        if rng.random() < 0.05:
            pieces.append(rng.choice(EMOJI))
        else:
            pieces.append(rng.choice(rng.choice(pools)))
    return "".join(pieces)


def random_iri(rng: random.Random) -> str:
    token = f"{rng.getrandbits(64):016x}"
    return rng.choice(
        [
            f"https://hub.example/tenants/uni-{token[:4]}/credentials/{token}",
            f"http://example.org/a/{token}?q={token[:3]}&lang=fr#frag",
            f"urn:uuid:{token[:8]}-{token[8:12]}-4{token[12:15]}-8{token[:3]}-{token}",
            f"did:web:hub.example:tenants:{token[:6]}",
            f"did:key:z6Mk{token}{token}",
            f"did:example:{token}",
            f"mailto:{token[:6]}@example.org",
            f"tag:example.org,2026:{token}",
            f"urn:isbn:978{rng.randint(1000000000, 9999999999)}",
            f"https://exämple.org/é/{token}/%C3%A9",
            f"https://[2001:db8::{token[:4]}]:8443/p/{token}",
            f"data:image/png;base64,iVBOR{token}==",
            f"HTTPS://EXAMPLE.ORG/{token.upper()}",
        ]
    )


def random_datetime(rng: random.Random) -> str:
    year, month, day = rng.randint(1999, 2040), rng.randint(1, 12), rng.randint(1, 28)
    hour, minute, second = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
    zone = rng.choice(["Z", "+02:00", "-05:30", ".123Z", ".5+01:00"])
    return f"{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{zone}"


def random_profile(rng: random.Random, profile_id: str | None = None) -> dict[str, Any]:
    profile: dict[str, Any] = {"id": profile_id or random_iri(rng), "type": ["Profile"]}
    profile["name"] = random_text(rng)
    if rng.random() < 0.5:
        profile["url"] = random_iri(rng)
    if rng.random() < 0.3:
        profile["email"] = f"{random_text(rng, 8)}@example.org"
    if rng.random() < 0.3:
        profile["image"] = {"id": random_iri(rng), "type": "Image"}
    return profile


def random_achievement(rng: random.Random, creator: dict[str, Any] | None) -> dict[str, Any]:
    achievement: dict[str, Any] = {
        "id": random_iri(rng),
        "type": ["Achievement"],
        "name": random_text(rng),
        "criteria": rng.choice(
            [
                {"narrative": random_text(rng, 80)},
                {"id": random_iri(rng), "narrative": random_text(rng)},
                {"id": random_iri(rng)},
            ]
        ),
    }
    if rng.random() < 0.8:
        achievement["description"] = random_text(rng, 120)
    if rng.random() < 0.5:
        achievement["achievementType"] = rng.choice(["Badge", "Certificate", "Competency"])
    if rng.random() < 0.4:
        achievement["image"] = rng.choice(
            [random_iri(rng), {"id": random_iri(rng), "type": "Image", "caption": random_text(rng)}]
        )
    if rng.random() < 0.4:
        achievement["alignment"] = [random_alignment(rng) for _ in range(rng.randint(0, 3))]
    if rng.random() < 0.3:
        achievement["tag"] = [random_text(rng, 12) for _ in range(rng.randint(0, 4))]
    if rng.random() < 0.3:
        achievement["resultDescription"] = [random_result_description(rng)]
    if creator is not None:
        achievement["creator"] = creator
    return achievement


def random_alignment(rng: random.Random) -> dict[str, Any]:
    alignment: dict[str, Any] = {
        "type": ["Alignment"],
        "targetName": random_text(rng),
        "targetUrl": random_iri(rng),
    }
    if rng.random() < 0.5:
        alignment["targetCode"] = random_text(rng, 8)
    if rng.random() < 0.5:
        alignment["targetType"] = rng.choice(["CFItem", "CTDL", "ext:Other"])
    return alignment


def random_result_description(rng: random.Random) -> dict[str, Any]:
    return {
        "id": random_iri(rng),
        "type": ["ResultDescription"],
        "name": random_text(rng),
        "resultType": "LetterGrade",
        "allowedValue": [random_text(rng, 3) for _ in range(rng.randint(0, 4))],
    }


def random_subject(rng: random.Random, achievement: dict[str, Any]) -> dict[str, Any]:
    subject: dict[str, Any] = {"type": ["AchievementSubject"], "achievement": achievement}
    if rng.random() < 0.85:
        subject["id"] = random_iri(rng)
    if rng.random() < 0.6:
        subject["identifier"] = [random_identity(rng) for _ in range(rng.randint(1, 2))]
    if rng.random() < 0.3:
        subject["creditsEarned"] = rng.choice([3, 2.5, 0, -0.0, 1e22, 12345678901234567890])
    if rng.random() < 0.3:
        subject["activityStartDate"] = random_datetime(rng)
    if rng.random() < 0.2:
        subject["result"] = [
            {"type": ["Result"], "value": random_text(rng, 4), "resultDescription": random_iri(rng)}
        ]
    return subject


def random_identity(rng: random.Random) -> dict[str, Any]:
    return {
        "type": "IdentityObject",
        "identityHash": f"sha256${rng.getrandbits(256):064x}",
        "identityType": rng.choice(["emailAddress", "studentId"]),
        "hashed": rng.random() < 0.8,
        "salt": random_text(rng, 10),
    }


def random_credential(rng: random.Random) -> dict[str, Any]:
    """Build an OpenBadgeCredential; issuer, creator and optional fields vary with the seed."""
    issuer = random_profile(rng)
    creator_choice = rng.random()
    if creator_choice < 0.3:
        creator: dict[str, Any] | None = copy.deepcopy(issuer)
    elif creator_choice < 0.45:
        creator = random_profile(rng, issuer["id"])
    elif creator_choice < 0.6:
        creator = random_profile(rng)
    else:
        creator = None
    credential: dict[str, Any] = {
        "@context": list(OB3_CONTEXT),
        "id": random_iri(rng),
        "type": [
            "VerifiableCredential",
            rng.choice(["OpenBadgeCredential", "AchievementCredential"]),
        ],
        "name": random_text(rng),
        "issuer": issuer if rng.random() < 0.8 else issuer["id"],
        "validFrom": random_datetime(rng),
        "credentialSubject": random_subject(rng, random_achievement(rng, creator)),
    }
    add_optional_fields(rng, credential)
    return credential


def add_optional_fields(rng: random.Random, credential: dict[str, Any]) -> None:
    if rng.random() < 0.5:
        credential["description"] = random_text(rng, 120)
    if rng.random() < 0.4:
        credential["validUntil"] = random_datetime(rng)
    if rng.random() < 0.3:
        credential["awardedDate"] = random_datetime(rng)
    if rng.random() < 0.4:
        credential["credentialStatus"] = {
            "id": f"{random_iri(rng).partition('#')[0]}#{rng.randint(0, 131071)}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": rng.choice(["revocation", "suspension"]),
            "statusListIndex": str(rng.randint(0, 131071)),
            "statusListCredential": random_iri(rng),
        }
    if rng.random() < 0.3:
        credential["@context"].append(EXTENSIONS_CONTEXT)
        credential["credentialSchema"] = [
            {"id": random_iri(rng), "type": "1EdTechJsonSchemaValidator2019"}
        ]
    if rng.random() < 0.2:
        credential["evidence"] = [
            {"type": ["Evidence"], "name": random_text(rng), "narrative": random_text(rng, 60)}
        ]


def proof_configuration(rng: random.Random, credential: dict[str, Any]) -> dict[str, Any]:
    """A proof configuration as the eddsa-rdfc-2022 signer hashes it."""
    tenant, key = rng.randint(0, 9), rng.randint(0, 3)
    return {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": random_datetime(rng),
        "verificationMethod": f"did:web:hub.example:tenants:t{tenant}#key-{key}",
        "proofPurpose": "assertionMethod",
        "@context": credential["@context"],
    }


@pytest.fixture(scope="module", autouse=True)
def _fresh_cache() -> None:
    jsonld.clear_template_cache()


@pytest.mark.parametrize("seed", SEEDS)
def test_generated_credential_matches_pyld(seed: int) -> None:
    rng = random.Random(seed)
    credential = random_credential(rng)
    proof = proof_configuration(rng, credential)

    for document in (credential, proof):
        assert jsonld.canonicalize(document) == jsonld.canonicalize_with_pyld(document), seed


def test_generated_credentials_take_fast_path() -> None:
    documents = [random_credential(random.Random(seed)) for seed in SEEDS]

    fast = [jsonld.canonicalize_fast(document) for document in documents]

    fast_count = sum(result is not None for result in fast)
    assert fast_count >= 0.95 * len(documents), f"{fast_count} of {len(documents)} went fast"
    for document, result in zip(documents, fast, strict=True):
        if result is not None:
            assert result == jsonld.canonicalize_with_pyld(document)


def test_proof_configurations_take_fast_path() -> None:
    rng = random.Random(7)
    configurations = [proof_configuration(rng, random_credential(rng)) for _ in range(50)]

    results = [jsonld.canonicalize_fast(configuration) for configuration in configurations]

    assert all(result is not None for result in results)
    for configuration, result in zip(configurations, results, strict=True):
        assert result == jsonld.canonicalize_with_pyld(configuration)


def test_fast_path_labels_agree_with_oxigraph() -> None:
    """A second RDFC-1.0 implementation labels the blank nodes the same way.

    Oxigraph escapes C0 control characters other than tab, newline and carriage return as
    \\u00XX (pyld writes them raw), which changes the hashes, so these texts have none.
    """
    checked = 0
    for seed in range(200):
        credential = without_control_characters(random_credential(random.Random(seed)))
        canonical = jsonld.canonicalize_fast(credential)
        if canonical is None:
            continue
        dataset = pyoxigraph.Dataset(pyoxigraph.parse(canonical, pyoxigraph.RdfFormat.N_QUADS))
        dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)

        assert sorted(str(dataset).split("\n")) == sorted(canonical.split("\n"))
        checked += 1
    assert checked >= 190


def without_control_characters(node: Any) -> Any:
    if isinstance(node, str):
        return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", node)
    if isinstance(node, dict):
        return {key: without_control_characters(value) for key, value in node.items()}
    if isinstance(node, list):
        return [without_control_characters(item) for item in node]
    return node


def base_credential() -> dict[str, Any]:
    return random_credential(random.Random(12345))


def with_value(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    document = base_credential()
    target: Any = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return document


ACHIEVEMENT = ("credentialSubject", "achievement")
HOSTILE_IRIS = [
    "",
    "relative/path",
    "#fragment",
    "_:b0",
    "_:c14n0",
    "@id",
    "Profile",
    "Achievement",
    "name",
    "xsd:dateTime",
    "cred:issuer",
    "https://example.org/trailing\n",
    "https://example.org/with space",
    "urn:x\ty",
    "x,y:z",
    "https://example.org/<angle>",
    "https://example.org/a#b#c",
]


def assert_fast_path_declines_or_matches(document: dict[str, Any]) -> None:
    expected = jsonld.canonicalize_with_pyld(document)

    assert jsonld.canonicalize_fast(document) in (None, expected)
    assert jsonld.canonicalize(document) == expected


@pytest.mark.parametrize("value", HOSTILE_IRIS)
def test_hostile_credential_id_matches_pyld(value: str) -> None:
    assert_fast_path_declines_or_matches(with_value(("id",), value))


@pytest.mark.parametrize("value", HOSTILE_IRIS)
def test_hostile_achievement_id_matches_pyld(value: str) -> None:
    assert_fast_path_declines_or_matches(with_value((*ACHIEVEMENT, "id"), value))


@pytest.mark.parametrize("value", HOSTILE_IRIS)
def test_hostile_issuer_iri_matches_pyld(value: str) -> None:
    assert_fast_path_declines_or_matches(with_value(("issuer",), value))


@pytest.mark.parametrize("value", HOSTILE_IRIS)
def test_hostile_proof_purpose_matches_pyld(value: str) -> None:
    proof = proof_configuration(random.Random(1), base_credential())
    proof["proofPurpose"] = value

    assert_fast_path_declines_or_matches(proof)


@pytest.mark.parametrize(
    "value",
    [
        "x-hub-slot://0123456789abcdef/0",
        "_:b0",
        "\x00\x01\x02 nul and C0",
        "\ufeff\u2028\u0085",
        '"quoted" \\back\\slash \n\r\t',
        "👩\u200d🎓" * 50,
        "a" * 20_000,
    ],
)
def test_unusual_literal_matches_pyld(value: str) -> None:
    document = with_value(("name",), value)

    assert jsonld.canonicalize(document) == jsonld.canonicalize_with_pyld(document)


def test_lone_surrogate_rejected() -> None:
    document = with_value(("name",), "broken \ud800 text")

    with pytest.raises(jsonld.JsonLdError, match="lone surrogate"):
        jsonld.canonicalize(document)


def test_identical_blank_nodes_take_pyld_path() -> None:
    document = base_credential()
    identity = {"type": "IdentityObject", "identityHash": "same", "identityType": "emailAddress"}
    document["credentialSubject"]["identifier"] = [dict(identity), dict(identity)]

    assert jsonld.canonicalize_fast(document) is None
    assert jsonld.canonicalize(document) == jsonld.canonicalize_with_pyld(document)


def test_repeated_node_id_merges_like_pyld() -> None:
    document = base_credential()
    issuer = {"id": "did:web:hub.example:tenants:a", "type": ["Profile"], "name": "A"}
    document["issuer"] = issuer
    document["credentialSubject"]["achievement"]["creator"] = dict(issuer, url="https://a.example")
    document["credentialSubject"]["source"] = dict(issuer)

    assert jsonld.canonicalize_fast(document) == jsonld.canonicalize_with_pyld(document)


def test_number_and_string_literal_collision_matches_pyld() -> None:
    # pyld keeps 2.5 and "2.5E0" with the same datatype as two quads once the nodes merge.
    document = base_credential()
    subject = document["credentialSubject"]
    subject["id"] = "did:example:merged"
    subject["creditsEarned"] = 2.5
    subject["source"] = {"id": "did:example:merged", "type": ["AchievementSubject"]}
    subject["source"]["creditsEarned"] = "2.5E0"

    assert jsonld.canonicalize(document) == jsonld.canonicalize_with_pyld(document)


def test_duplicate_strings_collapse_like_pyld() -> None:
    document = base_credential()
    document["credentialSubject"]["achievement"]["tag"] = ["same", "same", "other", "same"]

    assert jsonld.canonicalize_fast(document) == jsonld.canonicalize_with_pyld(document)


INLINE_CONTEXT = {
    "ex": "https://example.org/vocab#",
    "score": {"@id": "ex:score", "@type": "http://www.w3.org/2001/XMLSchema#double"},
    "payload": {"@id": "ex:payload", "@type": "@json"},
    "label": {"@id": "ex:label", "@container": "@language"},
    "steps": {"@id": "ex:steps", "@container": "@list"},
    "kind": {"@id": "ex:kind", "@type": "@vocab"},
    "ref": {"@id": "ex:ref", "@type": "@id"},
    "indexed": {"@id": "ex:indexed", "@container": "@index"},
    "parent": {"@reverse": "ex:child"},
    "alsoType": "@type",
    "Thing": "ex:Thing",
}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("score", "1.50"),
        ("score", "not a number"),
        ("payload", {"text": 'a "json" value', "list": ["x", 1, True, None]}),
        ("label", {"EN-gb": "Colour", "fr": "Couleur"}),
        ("steps", ["one", "two", "one", ""]),
        ("steps", []),
        ("kind", "Thing"),
        ("kind", "ex:Other"),
        ("kind", "https://example.org/absolute"),
        ("ref", "ex:relative"),
        ("ref", "Thing"),
        ("indexed", {"first": "a", "second": "a"}),
        ("parent", {"id": "https://example.org/parent", "name": "Parent"}),
        ("alsoType", "Thing"),
        ("alsoType", "https://example.org/SomeType"),
        ("ex:direct", {"@value": "typed", "@type": "http://www.w3.org/2001/XMLSchema#string"}),
        ("ex:direct", {"@value": "tagged", "@language": "de", "@direction": "rtl"}),
    ],
)
def test_inline_context_feature_matches_pyld(key: str, value: Any) -> None:
    document = base_credential()
    document["@context"] = [*OB3_CONTEXT, INLINE_CONTEXT]
    document[key] = value
    repeated = copy.deepcopy(document)

    assert jsonld.canonicalize(document) == jsonld.canonicalize_with_pyld(document)
    assert jsonld.canonicalize(repeated) == jsonld.canonicalize_with_pyld(repeated)


def test_explicit_rdf_type_beside_type_matches_pyld() -> None:
    document = base_credential()
    document["@context"] = [*OB3_CONTEXT, {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}]
    issuer = {"id": "did:example:twice", "type": ["Profile"], "name": "Twice"}
    document["issuer"] = issuer
    document["credentialSubject"]["source"] = {
        "id": "did:example:twice",
        "rdf:type": {"id": "https://purl.imsglobal.org/spec/vc/ob/vocab.html#Profile"},
    }

    assert jsonld.canonicalize(document) == jsonld.canonicalize_with_pyld(document)


def test_term_as_iri_scheme_matches_pyld() -> None:
    # "ex" is a prefix in this context, so "ex:thing" expands although it looks absolute.
    document = base_credential()
    document["@context"] = [*OB3_CONTEXT, {"ex": "https://example.org/vocab#"}]
    document["id"] = "ex:thing"

    assert "<https://example.org/vocab#thing>" in jsonld.canonicalize(document)
    assert_fast_path_declines_or_matches(document)


def test_term_that_is_no_prefix_keeps_template() -> None:
    # "tag" is an Open Badges term, but not a prefix, so pyld keeps "tag:" IRIs as they are.
    documents = [with_value(("id",), f"tag:example.org,2026:{n}") for n in range(3)]
    jsonld.clear_template_cache()

    results = [jsonld.canonicalize_fast(document) for document in documents]

    assert len(templates._TEMPLATES) == 1
    for document, result in zip(documents, results, strict=True):
        assert result == jsonld.canonicalize_with_pyld(document)


def test_values_repeat_across_shapes_without_leaking() -> None:
    """Two documents of one shape with different values give their own canonical forms."""
    first, second = base_credential(), base_credential()
    second["name"] = "another name"
    second["id"] = "urn:uuid:00000000-0000-4000-8000-000000000000"

    first_canonical = jsonld.canonicalize(first)
    second_canonical = jsonld.canonicalize(second)

    assert first_canonical == jsonld.canonicalize_with_pyld(first)
    assert second_canonical == jsonld.canonicalize_with_pyld(second)
    assert first_canonical != second_canonical
