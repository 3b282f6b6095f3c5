"""Reading the verifier's input: a credential as JSON, or a VC-JWT as a compact JWS.

JSON text, JSON bytes and parsed objects give the credential itself. Any other text must be a
compact JWS (VC-JWT, OB 3.0 §8.2, see :mod:`hub.credentials.vcjwt`). Input that is neither raises
:class:`UnreadableCredentialError` with a message listing what is accepted.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from hub.credentials import vcjwt
from hub.credentials.report import UnreadableCredentialError


def read_input(data: str | bytes | Mapping[str, Any]) -> dict[str, Any] | vcjwt.VcJwt:
    """Return the credential of JSON input (a copy), or the parsed token of a compact JWS."""
    if isinstance(data, Mapping):
        return copy.deepcopy(dict(data))
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
        return _parse_json(text)
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
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise UnreadableCredentialError(
            f"the input is not valid JSON: {error.msg} at line {error.lineno} column "
            f"{error.colno}; " + _ACCEPTED
        ) from error
    if not isinstance(value, dict):
        raise UnreadableCredentialError(
            f"the input is a JSON {type(value).__name__}, not an object; " + _ACCEPTED
        )
    return value
