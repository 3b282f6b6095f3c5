"""Reading the verifier's input: a credential as JSON, or a VC-JWT as a compact JWS.

JSON text, JSON bytes and parsed objects give the credential itself. Any other text must be a
compact JWS (VC-JWT, OB 3.0 §8.2, see :mod:`hub.credentials.vcjwt`). Input that is neither, or
JSON nested more than ``jsonld.MAX_NESTING_DEPTH`` levels deep, raises
:class:`UnreadableCredentialError` with a message that lists what is accepted.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
from collections.abc import Mapping
from typing import Any

from hub.credentials import jsonld, vcjwt
from hub.credentials.report import UnreadableCredentialError

# Proofs verified per credential. A proof set or chain of an Open Badge has one to a few proofs.
# Each proof costs a key resolution and a canonicalisation, so thousands of copies of one proof
# would make a single request expensive.
MAX_PROOFS = 8


def read_input(data: str | bytes | Mapping[str, Any]) -> dict[str, Any] | vcjwt.VcJwt:
    """Return the credential of JSON input (a copy), or the parsed token of a compact JWS."""
    if isinstance(data, Mapping):
        _reject_deep_nesting(data)
        return _reject_many_proofs(copy.deepcopy(dict(data)))
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise UnreadableCredentialError(
                f"the input is not UTF-8 text ({error.reason} at byte {error.start}); " + _ACCEPTED
            ) from error
    if not isinstance(data, str):
        raise UnreadableCredentialError(f"the input is a {type(data).__name__}; " + _ACCEPTED)
    text = data.strip()
    if text[:1] in ("{", "[", '"') or not text:
        return _reject_many_proofs(_parse_json(text))
    _reject_deep_jws(text)
    try:
        return vcjwt.parse_vc_jwt(text)
    except vcjwt.VcJwtError as error:
        raise UnreadableCredentialError(
            f"the input is neither JSON nor a compact JWS ({error}); " + _ACCEPTED
        ) from error


_ACCEPTED = (
    "accepted are a credential as a JSON object, or a VC-JWT as a compact JWS "
    "(three base64url segments: header.payload.signature)"
)


def _parse_json(text: str) -> dict[str, Any]:
    _reject_deep_nesting(text)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise UnreadableCredentialError(
            f"the input is not valid JSON: {error.msg} at line {error.lineno} column "
            f"{error.colno}; " + _ACCEPTED
        ) from error
    if not isinstance(value, dict):
        kind = {"str": "string", "list": "array", "int": "number", "float": "number"}.get(
            type(value).__name__, type(value).__name__
        )
        raise UnreadableCredentialError(f"the input is a JSON {kind}, not an object; " + _ACCEPTED)
    return value


def _reject_many_proofs(credential: dict[str, Any]) -> dict[str, Any]:
    proof = credential.get("proof")
    count = len(proof) if isinstance(proof, list) else 0
    if count > MAX_PROOFS:
        raise UnreadableCredentialError(
            f"the credential has {count} proofs; this hub verifies credentials with at most "
            f"{MAX_PROOFS} proofs"
        )
    return credential


def _reject_deep_jws(text: str) -> None:
    """Check the nesting of a compact JWS's header and payload before vcjwt parses them."""
    for segment in text.split(".")[:2]:
        try:
            decoded = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        except (binascii.Error, ValueError):
            continue  # parse_vc_jwt reports the segment that is not base64url
        _reject_deep_nesting(decoded)


def _reject_deep_nesting(value: str | bytes | Mapping[str, Any]) -> None:
    # Parsing and every later step (copies, JSON Schema, JSON-LD) recurse once per level, so
    # deeper input would end in a RecursionError instead of a report.
    try:
        if isinstance(value, Mapping):
            jsonld.check_value_nesting(dict(value))
        else:
            jsonld.check_json_nesting(value)
    except jsonld.DocumentTooComplexError as error:
        limit = jsonld.MAX_NESTING_DEPTH
        raise UnreadableCredentialError(
            f"the input nests JSON objects and arrays more than {limit} levels deep, which "
            f"this hub does not read; send a credential with at most {limit} levels"
        ) from error
