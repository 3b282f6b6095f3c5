"""Open Badges 3.0 JSON Schema validation with the bundled 1EdTech schemas (JSON Schema 2019-09).

The schemas in ``schemas/`` are byte copies of the ones 1EdTech publishes for Open Badges 3.0
(see ``schemas/SOURCES.md``). They describe VC Data Model 2.0 credentials only. Two deliberate
deviations: the schemas require ``proof`` to be an array, but valid credentials with a single
proof object exist, so a lone proof object is wrapped in an array before validation. And they
allow one ``credentialStatus`` object, as OB 3.0 gives it multiplicity 0..1. VC Data Model 2.0
allows several, and the hub issues a revocation and a suspension entry, so each entry of an
array is validated as that one object.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft201909Validator

SCHEMAS_PACKAGE = "hub.credentials"
SCHEMAS_FOLDER = "schemas"
ACHIEVEMENT_CREDENTIAL_SCHEMA = "achievementcredential.json"
ENDORSEMENT_CREDENTIAL_SCHEMA = "endorsementcredential.json"
PROFILE_SCHEMA = "profile.json"
# The credential types each schema validates, as the schemas' own "type" rules name them.
SCHEMA_BY_TYPE = {
    "OpenBadgeCredential": ACHIEVEMENT_CREDENTIAL_SCHEMA,
    "AchievementCredential": ACHIEVEMENT_CREDENTIAL_SCHEMA,
    "EndorsementCredential": ENDORSEMENT_CREDENTIAL_SCHEMA,
}


@dataclass(frozen=True)
class SchemaViolation:
    """One schema error: where in the credential (a JSON Pointer) and what is wrong."""

    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message}"


def schema_name_for(credential: Mapping[str, Any]) -> str | None:
    """Return the bundled schema file for the credential's type, or None when none applies."""
    types = credential.get("type")
    names = types if isinstance(types, list) else [types]
    for name in names:
        if isinstance(name, str) and name in SCHEMA_BY_TYPE:
            return SCHEMA_BY_TYPE[name]
    return None


def validate_credential(
    credential: Mapping[str, Any], schema_name: str | None = None
) -> list[SchemaViolation]:
    """Validate against the schema for its type (or the one named); return every violation.

    Raises ValueError when no schema applies to the credential's type and none is named.
    """
    name = schema_name or schema_name_for(credential)
    if name is None:
        raise ValueError(
            f"no Open Badges 3.0 schema applies to type {credential.get('type')!r}; expected "
            f"one of {', '.join(SCHEMA_BY_TYPE)}"
        )
    validator = _validator(name)
    violations = {
        SchemaViolation(_json_pointer(error.absolute_path), error.message)
        for variant in _one_status_each(_with_proof_array(credential))
        for error in validator.iter_errors(variant)
    }
    return sorted(violations, key=lambda violation: (violation.pointer, violation.message))


def load_schema(name: str) -> dict[str, Any]:
    text = (resources.files(SCHEMAS_PACKAGE) / SCHEMAS_FOLDER / name).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator(name: str) -> Draft201909Validator:
    schema = load_schema(name)
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema)


def _json_pointer(path: Iterable[str | int]) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def _with_proof_array(credential: Mapping[str, Any]) -> dict[str, Any]:
    copy = dict(credential)
    if isinstance(copy.get("proof"), Mapping):
        copy["proof"] = [copy["proof"]]
    return copy


def _one_status_each(credential: dict[str, Any]) -> list[dict[str, Any]]:
    statuses = credential.get("credentialStatus")
    if not isinstance(statuses, list) or not statuses:
        return [credential]
    return [{**credential, "credentialStatus": status} for status in statuses]
