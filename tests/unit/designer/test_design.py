"""Validation of badge design parameters from forms and JSON."""

from __future__ import annotations

from typing import Any

import pytest

from hub.designer.design import (
    MAX_LINE_LENGTH,
    SHAPES,
    BadgeDesign,
    parse_design,
    shorten_line,
)
from hub.errors import InvalidInputError

FORM = {
    "shape": "shield",
    "primary": "#C1121F",
    "secondary": "#e9c46a",
    "text_color": "#ffffff",
    "line1": "  Premiers   secours ",
    "size1": "32",
    "line2": "UPHF",
    "size2": "18",
    "glyph": "first-aid",
    "logo": "on",
    "_csrf_token": "ignored",
    "source": "design",
}


def rejection(values: dict[str, Any]) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as caught:
        parse_design(values)
    assert caught.value.code == "invalid-design"
    return caught.value


def test_form_values_parsed() -> None:
    design = parse_design(FORM)

    assert design == BadgeDesign(
        shape="shield",
        primary="#c1121f",
        secondary="#e9c46a",
        text_color="#ffffff",
        line1="Premiers secours",
        size1=32,
        line2="UPHF",
        size2=18,
        glyph="first-aid",
        logo=True,
    )


def test_json_values_parsed() -> None:
    design = parse_design({"shape": "hexagon", "size1": 20, "logo": False, "glyph": "none"})

    assert design.shape == "hexagon"
    assert design.size1 == 20
    assert design.logo is False
    assert design.glyph == "none"


def test_missing_values_take_defaults() -> None:
    assert parse_design({}) == BadgeDesign()


def test_unchecked_logo_is_false() -> None:
    values = {key: value for key, value in FORM.items() if key != "logo"}

    assert parse_design(values).logo is False


@pytest.mark.parametrize("shape", SHAPES)
def test_every_shape_accepted(shape: str) -> None:
    assert parse_design({"shape": shape}).shape == shape


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("shape", "triangle", "shape 'triangle' is invalid"),
        ("shape", 3, "shape 3 is invalid"),
        ("primary", "red", "primary colour 'red' is invalid"),
        ("primary", "#fff", "#rrggbb"),
        ("secondary", "#12345g", "secondary colour"),
        ("text_color", "#1d3557; fill:url(x)", "text_color colour"),
        ("text_color", None, "text_color colour None"),
        ("line1", "x" * (MAX_LINE_LENGTH + 1), f"over the limit of {MAX_LINE_LENGTH}"),
        ("line2", ["a"], "line2 must be text"),
        ("size1", "11", "from 12 to 60"),
        ("size1", "61", "from 12 to 60"),
        ("size2", "1e2", "size2 font size '1e2'"),
        ("size2", True, "size2 font size True"),
        ("size2", 18.5, "size2 font size 18.5"),
        ("glyph", "skull", "glyph 'skull' is invalid"),
        ("logo", "maybe", "logo 'maybe' is invalid"),
    ],
)
def test_invalid_value_rejected(field: str, value: Any, expected: str) -> None:
    error = rejection({**FORM, field: value})

    assert expected in error.message


def test_line_length_counts_cleaned_text() -> None:
    line = "a " * MAX_LINE_LENGTH

    design = parse_design({"line1": "  " + "a" * MAX_LINE_LENGTH + "   "})

    assert design.line1 == "a" * MAX_LINE_LENGTH
    assert rejection({"line1": line}).code == "invalid-design"


def test_control_characters_dropped() -> None:
    assert parse_design({"line1": "A\x00B\x1bC"}).line1 == "ABC"


def test_shorten_line_cuts_at_space() -> None:
    name = "Engagement étudiant dans la vie associative du campus"

    shortened = shorten_line(name)

    assert len(shortened) <= MAX_LINE_LENGTH
    assert shortened == "Engagement étudiant dans la vie…"
    assert shorten_line("Cap Campus") == "Cap Campus"
