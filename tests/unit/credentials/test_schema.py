"""Open Badges 3.0 JSON Schema validation with the bundled 1EdTech schemas."""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from typing import Any

import pytest
from jsonschema import Draft201909Validator

from hub.credentials import schema
from tests.unit.credentials.conftest import OB_IMPL_GUIDE, VALIDATOR_OB30, read_vector_json

SCHEMA_FOLDER = resources.files("hub.credentials") / "schemas"


def pinned_hashes() -> dict[str, str]:
    """Read the file → SHA-256 table of schemas/SOURCES.md."""
    text = (SCHEMA_FOLDER / "SOURCES.md").read_text("utf-8")
    rows = re.findall(r"^\| `([a-z_]+\.json)` \|.*\| `([0-9a-f]{64})` \|$", text, re.MULTILINE)
    return dict(rows)


def test_bundled_schemas_match_sources() -> None:
    hashes = pinned_hashes()

    assert len(hashes) == 5
    for name, expected in hashes.items():
        assert hashlib.sha256((SCHEMA_FOLDER / name).read_bytes()).hexdigest() == expected, name


@pytest.mark.parametrize("name", sorted(pinned_hashes()))
def test_bundled_schema_is_draft_2019_09(name: str) -> None:
    loaded = schema.load_schema(name)

    assert loaded["$schema"] == "https://json-schema.org/draft/2019-09/schema#"
    Draft201909Validator.check_schema(loaded)


def test_single_proof_object_accepted() -> None:
    signed = read_vector_json(f"{OB_IMPL_GUIDE}/signed.json")
    assert isinstance(signed["proof"], dict)

    assert schema.validate_credential(signed) == []


def test_raw_schema_rejects_single_proof_object() -> None:
    """The deviation is needed: the published schema itself rejects the spec's own example."""
    signed = read_vector_json(f"{OB_IMPL_GUIDE}/signed.json")
    validator = Draft201909Validator(schema.load_schema(schema.ACHIEVEMENT_CREDENTIAL_SCHEMA))

    errors = list(validator.iter_errors(signed))

    assert [list(error.absolute_path) for error in errors] == [["proof"]]


@pytest.mark.parametrize(
    "relative",
    [f"{VALIDATOR_OB30}/simple.json", f"{VALIDATOR_OB30}/endorsement-valid.json"],
)
def test_valid_samples(relative: str) -> None:
    assert schema.validate_credential(read_vector_json(relative)) == []


def test_missing_issuer_reported() -> None:
    credential = read_vector_json(f"{VALIDATOR_OB30}/simple-err-issuer.json")

    violations = schema.validate_credential(credential)

    assert schema.SchemaViolation("", "'issuer' is a required property") in violations


def test_violation_pointer() -> None:
    credential: dict[str, Any] = read_vector_json(f"{VALIDATOR_OB30}/simple.json")
    credential["credentialSubject"]["achievement"]["type"] = ["Badge"]

    violations = schema.validate_credential(credential)

    assert [violation.pointer for violation in violations] == [
        "/credentialSubject/achievement/type"
    ]
    assert str(violations[0]).startswith("/credentialSubject/achievement/type: ")


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        (["VerifiableCredential", "OpenBadgeCredential"], "achievementcredential.json"),
        (["VerifiableCredential", "AchievementCredential"], "achievementcredential.json"),
        (["VerifiableCredential", "EndorsementCredential"], "endorsementcredential.json"),
        (["VerifiableCredential", "OtherCredential"], None),
        ("OpenBadgeCredential", "achievementcredential.json"),
    ],
)
def test_schema_name_for(types: Any, expected: str | None) -> None:
    assert schema.schema_name_for({"type": types}) == expected


def test_unknown_type_raises() -> None:
    with pytest.raises(ValueError, match=r"no Open Badges 3\.0 schema applies"):
        schema.validate_credential({"type": ["VerifiableCredential"]})
