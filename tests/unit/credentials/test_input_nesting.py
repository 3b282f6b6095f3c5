"""Deeply nested JSON is unreadable input, found without recursion before anything parses it."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from hub.credentials import jsonld
from hub.credentials.keys import DidKeyResolver
from hub.credentials.report import UnreadableCredentialError
from hub.credentials.verifier import read_input, verify_credential

LIMIT = jsonld.MAX_NESTING_DEPTH
# Deep enough for json.loads to raise RecursionError, as the reported request was.
VERY_DEEP = 100_000


def nested_text(depth: int) -> str:
    return '{"a":' * (depth - 1) + "{}" + "}" * (depth - 1)


def nested_value(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


def compact_jws(payload: str) -> str:
    def segment(text: str) -> str:
        return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()

    return f"{segment(json.dumps({'alg': 'RS256'}))}.{segment(payload)}.c2ln"


def test_json_nesting_at_limit_passes() -> None:
    jsonld.check_json_nesting(nested_text(LIMIT))


def test_json_nesting_over_limit_fails() -> None:
    with pytest.raises(jsonld.DocumentTooComplexError) as raised:
        jsonld.check_json_nesting(nested_text(LIMIT + 1))

    assert raised.value.limit == "MAX_NESTING_DEPTH"
    assert raised.value.value == LIMIT + 1


@pytest.mark.parametrize(
    "text",
    [
        '{"a": "' + "[" * 100 + '"}',
        '{"a": "\\"' + "{" * 100 + '"}',
        '{"a\\\\": "x", "b": "' + "[" * 100 + '"}',
        b'{"a": "\xc3\xa9' + b"[" * 100 + b'"}',
    ],
    ids=["string", "escaped quote", "escaped backslash", "bytes"],
)
def test_brackets_inside_strings_do_not_count(text: str | bytes) -> None:
    jsonld.check_json_nesting(text)


def test_unterminated_string_ends_scan() -> None:
    jsonld.check_json_nesting('{"a": "' + '\\"[' * 100_000)


def test_value_nesting_over_limit_fails() -> None:
    with pytest.raises(jsonld.DocumentTooComplexError):
        jsonld.check_value_nesting([nested_value(LIMIT)])


@pytest.mark.parametrize("depth", [LIMIT + 1, VERY_DEEP])
def test_deep_json_text_unreadable(depth: int) -> None:
    with pytest.raises(UnreadableCredentialError) as raised:
        read_input(nested_text(depth).encode())

    assert f"more than {LIMIT} levels deep" in str(raised.value)


def test_deep_json_array_unreadable() -> None:
    with pytest.raises(UnreadableCredentialError):
        read_input("[" * VERY_DEEP + "]" * VERY_DEEP)


def test_deep_jws_payload_unreadable() -> None:
    with pytest.raises(UnreadableCredentialError) as raised:
        read_input(compact_jws(nested_text(VERY_DEEP)))

    assert f"more than {LIMIT} levels deep" in str(raised.value)


def test_deep_parsed_object_unreadable() -> None:
    with pytest.raises(UnreadableCredentialError):
        read_input(nested_value(5_000))


async def test_verify_deep_credential_unreadable() -> None:
    with pytest.raises(UnreadableCredentialError):
        await verify_credential(nested_text(VERY_DEEP), DidKeyResolver())


async def test_verify_credential_at_limit_gets_report() -> None:
    credential = {"@context": ["https://www.w3.org/ns/credentials/v2"], "deep": nested_value(60)}

    report = await verify_credential(json.dumps(credential), DidKeyResolver())

    assert report.valid is False
