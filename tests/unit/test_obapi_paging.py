"""Paging of getCredentials: query parameters and the RFC 8288 Link header (OB 3.0 §6.4)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from hub.obapi.imsx import ImsxError
from hub.obapi.resources import MAX_LIMIT, Page, PageQuery, link_header, parse_page_query

BASE = "https://hub.example/ims/ob/v3p0/credentials"


def links(total: int, limit: int, offset: int, since: str | None = None) -> dict[str, str]:
    header = link_header(BASE, Page([], total, limit, offset), since)
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', header)}


def test_first_page_links_next_last_first() -> None:
    assert links(total=5, limit=2, offset=0) == {
        "next": f"{BASE}?limit=2&offset=2",
        "last": f"{BASE}?limit=2&offset=4",
        "first": f"{BASE}?limit=2&offset=0",
    }


def test_middle_page_links_all_four() -> None:
    assert set(links(total=5, limit=2, offset=2)) == {"next", "last", "first", "prev"}
    assert links(total=5, limit=2, offset=2)["prev"] == f"{BASE}?limit=2&offset=0"


def test_last_page_has_no_next() -> None:
    assert set(links(total=4, limit=2, offset=2)) == {"last", "first", "prev"}
    assert links(total=4, limit=2, offset=2)["last"] == f"{BASE}?limit=2&offset=2"


def test_empty_listing_points_to_offset_zero() -> None:
    assert links(total=0, limit=50, offset=0) == {
        "last": f"{BASE}?limit=50&offset=0",
        "first": f"{BASE}?limit=50&offset=0",
    }


def test_offset_past_end_goes_back_to_last() -> None:
    assert links(total=3, limit=2, offset=10)["prev"] == f"{BASE}?limit=2&offset=2"


def test_since_with_offset_is_encoded() -> None:
    since = "2026-03-01T12:00:00+02:00"

    first = links(total=1, limit=1, offset=0, since=since)["first"]

    assert first == f"{BASE}?limit=1&offset=0&since=2026-03-01T12%3A00%3A00%2B02%3A00"


def test_query_defaults_and_cap() -> None:
    assert parse_page_query(None, None, None) == PageQuery(limit=50, offset=0, since=None)
    assert parse_page_query("100000", "0", None).limit == MAX_LIMIT


def test_since_keeps_its_timezone() -> None:
    moment = parse_page_query(None, None, "2026-03-01T12:00:00+02:00").since

    assert moment == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert moment.utcoffset() == timedelta(hours=2)
    assert parse_page_query(None, None, "2026-03-01T12:00:00").since == datetime(
        2026, 3, 1, 12, 0, tzinfo=UTC
    )
    assert parse_page_query(None, None, "2026-03-01T12:00:00Z").since == datetime(
        2026, 3, 1, 12, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("limit", "offset", "since"),
    [("0", None, None), ("-3", None, None), ("1.5", None, None), (None, "-1", None),
     (None, "x", None), (None, None, "yesterday"), ("99999999999", None, None)],
)  # fmt: skip
def test_bad_values_are_invalid_query_parameters(
    limit: str | None, offset: str | None, since: str | None
) -> None:
    with pytest.raises(ImsxError) as raised:
        parse_page_query(limit, offset, since)

    assert raised.value.status == 400
    assert raised.value.code_minor == "invalid_query_parameter"
