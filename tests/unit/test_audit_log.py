"""Audit log filters, cursors, CSV cells and console formatting, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from hub.audit_log.display import action_choices, action_label, format_time, summarise
from hub.audit_log.export import export_filename, neutralise_cell
from hub.audit_log.query import (
    Cursor,
    CursorCodec,
    FilterInput,
    Position,
    action_prefixes,
    check_page_size,
    parse_filter,
)
from hub.errors import InvalidInputError

KEY = bytes(range(32))
MOMENT = datetime(2026, 12, 4, 16, 33, 5, 123456, tzinfo=UTC)


# Filters


def test_date_bounds_cover_whole_days() -> None:
    parsed = parse_filter(FilterInput(date_from="2026-11-02", date_to="2026-11-03"), tenant="uphf")

    assert parsed.since == datetime(2026, 11, 2, tzinfo=UTC)
    assert parsed.before == datetime(2026, 11, 4, tzinfo=UTC)


def test_date_time_bounds_are_inclusive() -> None:
    parsed = parse_filter(
        FilterInput(date_from="2026-11-02T10:00:00+01:00", date_to="2026-11-02T12:00:00Z"),
        tenant="uphf",
    )

    assert parsed.since == datetime(2026, 11, 2, 9, tzinfo=UTC)
    assert parsed.before == datetime(2026, 11, 2, 12, 0, 0, 1, tzinfo=UTC)


def test_date_time_without_offset_is_utc() -> None:
    parsed = parse_filter(FilterInput(date_from="2026-11-02T10:00"), tenant="uphf")

    assert parsed.since == datetime(2026, 11, 2, 10, tzinfo=UTC)


def test_action_prefix_and_exact_action() -> None:
    prefix = parse_filter(FilterInput(action="credential:"), tenant="uphf")
    exact = parse_filter(FilterInput(action="credential:issued"), tenant="uphf")

    assert prefix.action_prefix == "credential:"
    assert prefix.action is None
    assert exact.action == "credential:issued"
    assert exact.action_prefix is None


def test_path_tenant_overrides_query_tenant() -> None:
    parsed = parse_filter(FilterInput(tenant="btu"), tenant="uphf")

    assert parsed.tenant == "uphf"


def test_all_tenants_filter_reads_tenant() -> None:
    chosen = parse_filter(FilterInput(tenant="btu"), tenant=None)
    unset = parse_filter(FilterInput(), tenant=None)

    assert chosen.tenant == "btu"
    assert unset.tenant is None


def test_blank_filters_are_unset() -> None:
    parsed = parse_filter(FilterInput(actor="  ", target="", action=" "), tenant="uphf")

    assert parsed.actor is None
    assert parsed.target is None
    assert parsed.action is None
    assert parsed.action_prefix is None


INVALID_FILTERS = [
    (FilterInput(date_from="2026-02-30"), "from '2026-02-30' is not a valid date"),
    (FilterInput(date_to="04/12/2026"), "to '04/12/2026' is not a valid date"),
    (FilterInput(date_to="9999-12-31"), "to '9999-12-31' is not a valid date"),
    (FilterInput(date_from="2026-11-03", date_to="2026-11-02"), "is after to"),
    (FilterInput(action="credential"), "is not an audit action"),
    (FilterInput(action="credential:%"), "is not an audit action"),
    (FilterInput(actor="x" * 256), "is 256 characters long"),
    (FilterInput(target="a\x00b"), "control character"),
]


@pytest.mark.parametrize(("filters", "message"), INVALID_FILTERS)
def test_invalid_filter_names_value(filters: FilterInput, message: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_filter(filters, tenant="uphf")

    assert message in caught.value.message
    assert caught.value.code == "invalid-audit-filter"


def test_prefixes_follow_actions() -> None:
    prefixes = action_prefixes()

    assert "credential:" in prefixes
    assert "tenant:" in prefixes
    assert "tenant:key:" in prefixes
    assert all(prefix.endswith(":") for prefix in prefixes)


@pytest.mark.parametrize("limit", [0, -1, 501, 10_000])
def test_page_size_out_of_range(limit: int) -> None:
    with pytest.raises(InvalidInputError) as caught:
        check_page_size(limit)

    assert caught.value.code == "invalid-limit"
    assert f"limit {limit} is out of range" in caught.value.message


# Cursors


@pytest.mark.parametrize("is_backwards", [False, True])
def test_cursor_round_trip(is_backwards: bool) -> None:
    codec = CursorCodec(KEY)
    cursor = Cursor(Position(MOMENT, 123_456_789), is_backwards=is_backwards)

    assert codec.decode(codec.encode(cursor)) == cursor


def test_cursor_from_other_key_rejected() -> None:
    text = CursorCodec(bytes(32)).encode(Cursor(Position(MOMENT, 1)))

    with pytest.raises(InvalidInputError) as caught:
        CursorCodec(KEY).decode(text)

    assert caught.value.code == "invalid-cursor"


def test_every_single_character_change_is_rejected() -> None:
    codec = CursorCodec(KEY)
    text = codec.encode(Cursor(Position(MOMENT, 42)))
    altered = []
    for index, character in enumerate(text):
        replacement = "1" if character != "1" else "2"
        altered.append(text[:index] + replacement + text[index + 1 :])

    rejected = 0
    for candidate in altered:
        try:
            codec.decode(candidate)
        except InvalidInputError:
            rejected += 1

    assert rejected == len(text)


@pytest.mark.parametrize("text", ["", "n", "n1.2", "n1.2.", "x1.2." + "A" * 22, "é" * 30])
def test_malformed_cursor_rejected(text: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        CursorCodec(KEY).decode(text)

    assert caught.value.code == "invalid-cursor"


# CSV cells


CELLS = [
    ("=1+1", "'=1+1"),
    ("+33 6 12", "'+33 6 12"),
    ("-2", "'-2"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"),
    ("\rcmd", "'\rcmd"),
    ("user:5", "user:5"),
    ('{"reason": "=1"}', '{"reason": "=1"}'),
    ("", ""),
    (" =1", " =1"),
]


@pytest.mark.parametrize(("value", "expected"), CELLS)
def test_neutralise_cell(value: str, expected: str) -> None:
    assert neutralise_cell(value) == expected


def test_export_filename_names_tenant_and_time() -> None:
    assert export_filename("uphf", MOMENT) == "audit-uphf-20261204T163305Z.csv"
    assert export_filename(None, MOMENT) == "audit-all-tenants-20261204T163305Z.csv"


# Console formatting


def test_time_in_each_language() -> None:
    paris = MOMENT.astimezone(timezone(timedelta(hours=1)))

    assert format_time(paris, "fr") == "4 déc. 2026 à 16:33:05 UTC"
    assert format_time(paris, "en") == "4 Dec 2026, 16:33:05 UTC"


def test_action_labels_fall_back_to_name() -> None:
    assert action_label("credential:issued", "fr") == "Attestation délivrée"
    assert action_label("credential:issued", "en") == "Credential issued"
    assert action_label("future:action", "fr") == "future:action"


def test_action_choices_group_by_prefix() -> None:
    values = [value for value, _ in action_choices("en")]

    assert values[0] == ""
    assert values.index("credential:") < values.index("credential:issued")
    assert values.index("tenant:") < values.index("tenant:created")
    assert values.index("tenant:key:") < values.index("tenant:key:created")
    assert len(values) == len(set(values))


def test_summary_lists_details() -> None:
    summary = summarise({"reason": "Plagiat", "purpose": "revocation", "count": 2, "tags": ["a"]})

    assert summary == 'reason: Plagiat; purpose: revocation; count: 2; tags: ["a"]'
