"""Reading what a person or client hands to the verifier, before any check runs.

Accepted: an Open Badges 3.0 credential as JSON or as a compact JWS (VC-JWT), and an Open Badges
2.0 assertion as JSON (hosted) or as a compact JWS (signed). Each may also come baked in a PNG or
SVG image, or behind an HTTP(S) URL. A URL is fetched under the outbound rules;
what it returns is recognised by its first bytes (PNG signature, SVG root, JSON object, JWS)
rather than by the media type alone, because badge hosts often serve JSON as ``text/plain``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from hub.credentials import baking, ob2
from hub.credentials.baking import BakingError
from hub.errors import InvalidInputError
from hub.outbound import FetchError

ACCEPTED = (
    "accepted are an Open Badges 3.0 credential as JSON or a compact JWS (VC-JWT), an Open "
    "Badges 2.0 assertion as JSON or a compact JWS, a baked PNG or SVG image, or the HTTPS URL "
    "of any of these"
)
_URL = re.compile(r"https?://\S+")
# A URI with another scheme (ftp:, file:, javascript:), which JSON and a compact JWS never match.
_OTHER_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]{1,31}):\S*")
_ACCEPT_HEADER = (
    "application/ld+json, application/json, application/jwt, image/png, image/svg+xml, */*;q=0.5"
)
# A URL may lead to a baked Open Badges 2.0 image holding a URL: two fetches at most.
_MAX_FETCHES = 2


class InputKind(StrEnum):
    OB3 = "ob3"
    OB2_HOSTED = "ob2_hosted"
    OB2_SIGNED = "ob2_signed"


@dataclass(frozen=True)
class VerificationInput:
    """The credential to verify, the verifier it needs, and how it reached the hub."""

    kind: InputKind
    # OB 3.0: the exact text (or object) given; OB 2.0 hosted: the assertion object, or None
    # when only its URL is known; OB 2.0 signed: the compact JWS.
    credential: str | dict[str, Any] | None
    description: str
    hosted_url: str | None = None


def _unreadable(message: str) -> InvalidInputError:
    return InvalidInputError(f"{message}; {ACCEPTED}", code="unreadable-credential")


async def read_verification_input(
    data: str | bytes | Mapping[str, Any], fetcher: ob2.DocumentFetcher
) -> VerificationInput:
    """Detect the input's kind, unbaking images and fetching URLs; raise InvalidInputError."""
    reader = _Reader(fetcher)
    return await reader.read(data, [])


class _Reader:
    def __init__(self, fetcher: ob2.DocumentFetcher) -> None:
        self.fetcher = fetcher
        self.fetches = 0

    async def read(
        self, data: str | bytes | Mapping[str, Any], described: list[str]
    ) -> VerificationInput:
        if isinstance(data, Mapping):
            return _classify_object(dict(data), [*described, "JSON"])
        if isinstance(data, bytes) and (baking.is_png(data) or baking.is_svg(data)):
            return await self._read_image(data, described)
        text = _as_text(data).strip()
        if _URL.fullmatch(text):
            return await self._read_url(text, described)
        other_scheme = _OTHER_SCHEME.fullmatch(text)
        if other_scheme is not None:
            raise _unreadable(
                f"URLs with the scheme {other_scheme[1]!r} are not accepted; give an https URL"
            )
        if text.startswith("{"):
            return _classify_json(text, described)
        if text.startswith("<") and baking.is_svg(text.encode("utf-8")):
            return await self._read_image(text.encode("utf-8"), described)
        payload = ob2.ob2_payload(text) if text.count(".") == 2 else None
        if payload is not None:
            return VerificationInput(InputKind.OB2_SIGNED, text, _join([*described, "JWS"]))
        # Anything else goes to the OB 3.0 reader, whose message states what is wrong with it.
        return VerificationInput(InputKind.OB3, text, _join([*described, "compact JWS"]))

    async def _read_image(self, data: bytes, described: list[str]) -> VerificationInput:
        try:
            baked = baking.unbake(data)
        except BakingError as error:
            raise InvalidInputError(str(error), code="unreadable-image") from error
        version = (
            "Open Badges 3.0" if baked.version is baking.BakedVersion.OB3 else "Open Badges 2.0"
        )
        label = f"baked {baked.image} ({version})"
        if _URL.fullmatch(baked.text):
            # An Open Badges 2.0 image may carry only the hosted assertion's URL.
            return VerificationInput(
                InputKind.OB2_HOSTED, None, _join([*described, label, "URL"]), baked.text
            )
        return await self.read(baked.text, [*described, label])

    async def _read_url(self, url: str, described: list[str]) -> VerificationInput:
        label = f"URL {url}"
        if self.fetches >= _MAX_FETCHES:
            raise _unreadable(f"{url} leads to another URL; give the credential itself")
        self.fetches += 1
        try:
            document = await self.fetcher.fetch(
                url, accept=_ACCEPT_HEADER, max_bytes=baking.MAX_IMAGE_BYTES
            )
        except FetchError as error:
            if error.code == "http-status" and error.status == 410:
                # 410 Gone is how an Open Badges 2.0 host reports a revoked assertion.
                return VerificationInput(
                    InputKind.OB2_HOSTED, None, _join([*described, label]), url
                )
            raise InvalidInputError(
                f"the URL could not be fetched: {error}", code="unreadable-url"
            ) from error
        body = document.body
        if baking.is_png(body) or baking.is_svg(body):
            return await self._read_image(body, [*described, label])
        found = await self.read(body, [*described, label])
        if found.kind is InputKind.OB2_HOSTED and found.hosted_url is None:
            return VerificationInput(found.kind, None, found.description, url)
        return found


def _classify_json(text: str, described: list[str]) -> VerificationInput:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        # The OB 3.0 reader reports where the JSON is broken.
        return VerificationInput(InputKind.OB3, text, _join([*described, "JSON"]))
    if isinstance(value, dict) and ob2.is_ob2_document(value):
        return VerificationInput(InputKind.OB2_HOSTED, value, _join([*described, "JSON"]))
    # The exact text is verified, so that nothing is re-serialised before the checks.
    return VerificationInput(InputKind.OB3, text, _join([*described, "JSON"]))


def _classify_object(value: dict[str, Any], described: list[str]) -> VerificationInput:
    if ob2.is_ob2_document(value):
        return VerificationInput(InputKind.OB2_HOSTED, value, _join(described))
    return VerificationInput(InputKind.OB3, value, _join(described))


def _as_text(data: str | bytes) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _unreadable(
            f"the input is neither a PNG or SVG image nor UTF-8 text ({error.reason} at byte "
            f"{error.start})"
        ) from error


def _join(parts: list[str]) -> str:
    return ", ".join(parts)
