"""A tenant's certificate design: colours, signatory, wording and layout, with their checks.

The design is stored in ``Tenant.settings["certificate"]`` and the logo in ``Tenant.logo_svg``.
Stored values are checked again when read, so a value edited in the database by hand falls
back to its default instead of reaching the PDF template.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any
from xml.etree import ElementTree as ET

from hub.errors import InvalidInputError
from hub.images import prepare_uploaded_image
from hub.images.raster import PNG_SIGNATURE
from tenants.tables import Tenant, tenant_settings
from tenants.validation import CONTROL_CHARACTERS

LANGUAGES = ("fr", "en")
LAYOUTS = ("classic", "modern")
DEFAULT_PRIMARY_COLOR = "#1d3557"
DEFAULT_ACCENT_COLOR = "#b8860b"
MAX_WORDING_LENGTH = 500
# Eight lines of wording still leave room for the rest of the page in both layouts.
MAX_WORDING_LINES = 8
MAX_SIGNATORY_LENGTH = 120

_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
_ACTIVE_ELEMENTS = frozenset({"script", "foreignObject", "iframe", "embed", "object", "handler"})


@dataclass(frozen=True)
class CertificateDesign:
    """The look of a tenant's certificates, with texts by language code (``fr``, ``en``)."""

    primary_color: str = DEFAULT_PRIMARY_COLOR
    accent_color: str = DEFAULT_ACCENT_COLOR
    signatory_name: str = ""
    signatory_title: dict[str, str] = field(default_factory=dict)
    wording: dict[str, str] = field(default_factory=dict)
    layout: str = "classic"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def design_of(tenant: Tenant) -> CertificateDesign:
    """Return the tenant's stored design, with the default for each missing or invalid value."""
    stored = tenant_settings(tenant).get("certificate")
    if not isinstance(stored, Mapping):
        return CertificateDesign()
    default = CertificateDesign()
    values: dict[str, Any] = {}
    for name, check in _STORED_CHECKS.items():
        try:
            values[name] = check(stored.get(name, getattr(default, name)), name)
        except (InvalidInputError, TypeError):
            values[name] = getattr(default, name)
    return CertificateDesign(**values)


def parse_design(form: Mapping[str, str]) -> CertificateDesign:
    """Check the fields of the design form and return the design they describe.

    Raises ``InvalidInputError`` naming the first invalid field and how to fix it.
    """
    return CertificateDesign(
        primary_color=require_color(form.get("primary_color", ""), "primary_color"),
        accent_color=require_color(form.get("accent_color", ""), "accent_color"),
        signatory_name=require_line(form.get("signatory_name", ""), "signatory_name"),
        signatory_title={
            language: require_line(
                form.get(f"signatory_title_{language}", ""), f"signatory_title_{language}"
            )
            for language in LANGUAGES
        },
        wording={
            language: require_wording(form.get(f"wording_{language}", ""), f"wording_{language}")
            for language in LANGUAGES
        },
        layout=require_layout(form.get("layout", "classic"), "layout"),
    )


def require_color(value: str, field_name: str) -> str:
    if not isinstance(value, str) or not _COLOR.fullmatch(value.strip()):
        raise _invalid(f"{field_name} {value!r} is invalid; give #rrggbb, for example #1d3557")
    return value.strip().lower()


def require_layout(value: str, field_name: str) -> str:
    if value not in LAYOUTS:
        raise _invalid(f"{field_name} {value!r} is invalid; choose one of {', '.join(LAYOUTS)}")
    return value


def require_line(value: str, field_name: str) -> str:
    """Check a one-line text such as the signatory's name; an empty text is allowed."""
    text = _require_plain_text(value, field_name, MAX_SIGNATORY_LENGTH)
    if "\n" in text:
        raise _invalid(f"{field_name} has a line break; write it on one line")
    return text


def require_wording(value: str, field_name: str) -> str:
    text = _require_plain_text(value, field_name, MAX_WORDING_LENGTH)
    lines = text.count("\n") + 1
    if lines > MAX_WORDING_LINES:
        raise _invalid(
            f"{field_name} has {lines} lines; the maximum is {MAX_WORDING_LINES}, so join some "
            "of them"
        )
    return text


def _require_plain_text(value: str, field_name: str, max_length: int) -> str:
    if not isinstance(value, str):
        raise _invalid(f"{field_name} must be text")
    text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > max_length:
        raise _invalid(
            f"{field_name} has {len(text)} characters; the maximum is {max_length}, so shorten it"
        )
    if CONTROL_CHARACTERS.search(text):
        raise _invalid(f"{field_name} contains a control character (such as NUL); remove it")
    return text


def _require_localized(value: Any, field_name: str, check: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise _invalid(f"{field_name} must map language codes to texts")
    return {language: check(value.get(language, ""), field_name) for language in LANGUAGES}


_STORED_CHECKS: dict[str, Any] = {
    "primary_color": require_color,
    "accent_color": require_color,
    "signatory_name": require_line,
    "signatory_title": lambda value, name: _require_localized(value, name, require_line),
    "wording": lambda value, name: _require_localized(value, name, require_wording),
    "layout": require_layout,
}


def prepare_logo(upload: bytes) -> str:
    """Check an uploaded SVG or PNG logo and return the sanitised SVG document to store.

    A logo with a script, an event handler or other active content is rejected instead of
    silently cleaned, so that the error shows the administrator that the file was unsafe.
    """
    if upload.startswith(PNG_SIGNATURE):
        svg = prepare_uploaded_image(None, upload)
    else:
        try:
            text = upload.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InvalidInputError(
                "the logo is neither a PNG image nor an SVG document in UTF-8; upload an SVG or "
                "PNG file",
                code="invalid-image",
            ) from error
        svg = prepare_uploaded_image(text, None)
        _reject_active_content(text)
    assert svg is not None  # prepare_uploaded_image returns None only without an upload
    return svg


def _reject_active_content(text: str) -> None:
    # sanitize_svg has already parsed this text, rejected DOCTYPE and ENTITY declarations and
    # capped its size and nesting depth, so the standard parser expands nothing here.
    root = ET.fromstring(text.lstrip("\ufeff \t\r\n"))  # noqa: S314
    for element in root.iter():
        name = element.tag.rpartition("}")[2]
        if name in _ACTIVE_ELEMENTS:
            raise _active_content(f"a <{name}> element")
        for attribute, value in element.attrib.items():
            attribute_name = attribute.rpartition("}")[2]
            if attribute_name.lower().startswith("on"):
                raise _active_content(f"an event handler attribute {attribute_name}")
            if re.match(r"\s*javascript:", value, re.IGNORECASE):
                raise _active_content(f"a javascript: URL in {attribute_name}")


def _active_content(found: str) -> InvalidInputError:
    return InvalidInputError(
        f"the logo contains {found}, which is rejected because logos must be inert; remove "
        "scripts and event handlers (in Inkscape, save as Plain SVG) and upload it again",
        code="invalid-image",
    )


def _invalid(message: str) -> InvalidInputError:
    return InvalidInputError(message, code="invalid-certificate-design")
