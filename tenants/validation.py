"""Input checks shared by tenant services; each error names the field and the fix."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from hub.errors import InvalidInputError

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
# Pragmatic address check (RFC 5322 allows more, mail relays accept less): a local part without
# spaces, angle brackets or control characters, and a domain of LDH labels with at least one dot.
EMAIL_PATTERN = re.compile(
    r"^[^\s@<>\x00-\x1f\x7f]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
MAX_TEXT = 10_000
MAX_TAGS = 20
MAX_TAG_LENGTH = 64
# C0 controls other than tab, newline and carriage return, plus DEL: PostgreSQL text rejects
# NUL, and the others have no place in names and descriptions.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def require_slug(value: str, field: str) -> str:
    if not isinstance(value, str) or not SLUG_PATTERN.match(value):
        raise InvalidInputError(
            f"{field} {value!r} is invalid: use 1-63 lower-case letters, digits and inner "
            "hyphens, e.g. cap-campus",
            code="invalid-slug",
        )
    return value


def require_text(value: str, field: str, max_length: int = MAX_TEXT) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"{field} is missing or empty", code="missing-field")
    if len(value) > max_length:
        raise InvalidInputError(
            f"{field} has {len(value)} characters; the maximum is {max_length}",
            code="field-too-long",
        )
    if CONTROL_CHARACTERS.search(value):
        raise InvalidInputError(
            f"{field} contains a control character (such as NUL); remove it",
            code="invalid-text",
        )
    return value.strip()


def require_tags(tags: Sequence[str]) -> list[str]:
    if len(tags) > MAX_TAGS:
        raise InvalidInputError(
            f"{len(tags)} tags given; at most {MAX_TAGS} are allowed", code="too-many-tags"
        )
    return [require_text(tag, "tag", MAX_TAG_LENGTH) for tag in tags]


def require_localized(
    value: Mapping[str, str], field: str, required: Sequence[str]
) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise InvalidInputError(
            f'{field} must be an object of texts by language, e.g. {{"fr": …, "en": …}}',
            code="invalid-localized-text",
        )
    missing = [language for language in required if not str(value.get(language, "")).strip()]
    if missing:
        raise InvalidInputError(
            f"{field} has no text for {', '.join(missing)}; give at least {' and '.join(required)}",
            code="missing-translation",
        )
    for language, text in value.items():
        if not re.fullmatch(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", language):
            raise InvalidInputError(
                f"{field} has key {language!r}, which is not a BCP 47 language tag such as fr",
                code="invalid-language",
            )
        require_text(text, f"{field}.{language}")
    return value


def normalise_email(value: str) -> str:
    if not isinstance(value, str) or not EMAIL_PATTERN.match(value.strip()) or len(value) > 320:
        raise InvalidInputError(
            "recipient_email is not a valid e-mail address (expected name@domain.tld)",
            code="invalid-email",
        )
    return value.strip().lower()


def require_language(value: str, supported: Sequence[str]) -> str:
    if value not in supported:
        raise InvalidInputError(
            f"language {value!r} is not supported; use one of {', '.join(supported)}",
            code="unsupported-language",
        )
    return value


# Characters that RFC 3987 allows nowhere in an IRI. Signed credentials hold URLs as RDF IRIs,
# and N-Quads readers reject these (a ">" would even end the IRI early).
FORBIDDEN_IRI_CHARACTERS = re.compile(r'[\x00-\x20\x7f<>"{}|\\^`]')


def is_http_url(value: str) -> bool:
    """Check an absolute http(s) URL with a host and no character that IRIs forbid."""
    if FORBIDDEN_IRI_CHARACTERS.search(value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)
