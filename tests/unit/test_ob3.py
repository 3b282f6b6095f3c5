"""OpenBadgeCredential building: identity hashing and dates."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

from hub.credentials.ob3 import format_datetime, hash_email
from tenants.services import add_months


def test_hash_email_is_sha256_of_address_and_salt() -> None:
    expected = hashlib.sha256(b"ada@example.org" + b"pepper").hexdigest()

    assert hash_email("ada@example.org", "pepper") == f"sha256${expected}"


def test_hash_email_ignores_case_and_spaces() -> None:
    assert hash_email(" Ada@Example.ORG ", "s") == hash_email("ada@example.org", "s")


def test_format_datetime_is_utc_seconds() -> None:
    moment = datetime(2026, 12, 4, 17, 30, 15, 123456, tzinfo=timezone(timedelta(hours=1)))

    assert format_datetime(moment) == "2026-12-04T16:30:15Z"


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(datetime(2026, 1, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2026, 11, 15, tzinfo=UTC), 24) == datetime(2028, 11, 15, tzinfo=UTC)
