"""Checks of one data row of a bulk upload, and the idempotency key of the award it requests."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hub.bulk.csvfile import Header, Record
from hub.bulk.errors import RowProblem
from tenants.validation import CONTROL_CHARACTERS, EMAIL_PATTERN, is_http_url

# Maximum lengths in characters, as the columns of ``bulk_award_row`` and ``award`` allow.
MAX_LENGTHS = {
    "email": 320,
    "name": 255,
    "level": 80,
    "evidence_url": 2048,
    "narrative": 10_000,
    "issue_date": 32,
}
# The earliest issue date taken for real; an earlier one is almost always a mistyped year.
EARLIEST_ISSUE_DATE = date(1900, 1, 1)
# The time zone furthest ahead of UTC (Kiribati, UTC+14): a date is in the future only when no
# place on Earth has reached it yet, so "today" in Europe is never refused late in the evening.
LATEST_UTC_OFFSET = timedelta(hours=14)

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAY_FIRST_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_LINE_BREAK = re.compile(r"[\r\n]")


@dataclass(frozen=True)
class Level:
    """A level of mastery an achievement defines: its id and its names by language."""

    id: str
    names: Mapping[str, str]


def achievement_levels(published: Mapping[str, Any] | None) -> list[Level]:
    """Read the levels of an achievement's published content (``[{"id", "name": {...}}]``)."""
    levels = (published or {}).get("levels") or []
    if isinstance(levels, str):
        # A snapshot read without ``load_json`` contains the column's JSON text ("[]").
        levels = json.loads(levels)
    return [Level(id=str(level["id"]), names=dict(level.get("name") or {})) for level in levels]


@dataclass(frozen=True)
class BulkRow:
    """A data row ready to store: normalised values when valid, the values as written otherwise."""

    row_number: int
    email: str
    name: str
    level: str
    evidence_url: str
    narrative: str
    issue_date: date | None
    problem: RowProblem | None

    @property
    def is_valid(self) -> bool:
        return self.problem is None


class RowValidator:
    """Checks the rows of one upload against the achievement's levels and today's date."""

    def __init__(self, header: Header, levels: Sequence[Level], now: datetime) -> None:
        self._labels = header.labels
        self._width = len(header.fields)
        self._levels = list(levels)
        self._latest_date = (now.astimezone(UTC) + LATEST_UTC_OFFSET).date()
        self._level_ids = {level.id.casefold(): level.id for level in levels}
        self._level_names = {
            name.strip().casefold(): level.id for level in levels for name in level.names.values()
        }

    def check(self, record: Record) -> BulkRow:
        values = {field: value.strip() for field, value in record.values.items()}
        values["name"] = " ".join(filter(None, (values.get("given_name"), values.get("name"))))
        values["narrative"] = values.get("narrative", "").replace("\r\n", "\n")
        problem = self._first_problem(record, values)
        if problem is not None:
            return _invalid_row(record.row_number, values, problem)
        return BulkRow(
            row_number=record.row_number,
            email=values["email"].lower(),
            name=values["name"],
            level=self._canonical_level(values.get("level", "")),
            evidence_url=values.get("evidence_url", ""),
            narrative=values["narrative"],
            issue_date=parse_issue_date(values.get("issue_date", "")),
            problem=None,
        )

    def _first_problem(self, record: Record, values: Mapping[str, str]) -> RowProblem | None:
        checks: tuple[Callable[[], RowProblem | None], ...] = (
            lambda: self._field_count_problem(record),
            lambda: self._length_problem(values),
            lambda: self._text_problem(values),
            lambda: self._email_problem(values["email"]),
            lambda: None if values["name"] else RowProblem("missing-name"),
            lambda: self._level_problem(values.get("level", "")),
            lambda: self._url_problem(values.get("evidence_url", "")),
            lambda: self._date_problem(values.get("issue_date", "")),
        )
        return next((problem for check in checks if (problem := check()) is not None), None)

    def _label(self, field: str) -> str:
        """Name a field as the header wrote it; a split name shows both of its columns."""
        if field == "name" and "given_name" in self._labels:
            return f"{self._labels['given_name']} + {self._labels['name']}"
        return self._labels.get(field, field)

    def _field_count_problem(self, record: Record) -> RowProblem | None:
        if record.field_count == self._width:
            return None
        counts = {"count": record.field_count, "expected": self._width}
        return RowProblem("wrong-field-count", counts)

    def _length_problem(self, values: Mapping[str, str]) -> RowProblem | None:
        for field, maximum in MAX_LENGTHS.items():
            length = len(values.get(field, ""))
            if length > maximum:
                column = self._label(field)
                return RowProblem(
                    "field-too-long", {"column": column, "length": length, "maximum": maximum}
                )
        return None

    def _text_problem(self, values: Mapping[str, str]) -> RowProblem | None:
        for field in ("email", "name", "level", "evidence_url", "narrative", "issue_date"):
            text = values.get(field, "")
            if CONTROL_CHARACTERS.search(text):
                return RowProblem("invalid-text", {"column": self._label(field)})
            if field != "narrative" and _LINE_BREAK.search(text):
                return RowProblem("line-break", {"column": self._label(field)})
        return None

    def _email_problem(self, email: str) -> RowProblem | None:
        if not email:
            return RowProblem("missing-email")
        if not EMAIL_PATTERN.match(email):
            return RowProblem("invalid-email", {"value": email})
        return None

    def _level_problem(self, level: str) -> RowProblem | None:
        if not self._levels:
            return RowProblem("no-levels", {"value": level}) if level else None
        listed = ", ".join(item.id for item in self._levels)
        if not level:
            return RowProblem("level-required", {"levels": listed})
        if self._canonical_level(level) == "":
            return RowProblem("unknown-level", {"value": level, "levels": listed})
        return None

    def _canonical_level(self, level: str) -> str:
        key = level.casefold()
        return self._level_ids.get(key) or self._level_names.get(key) or ""

    def _url_problem(self, url: str) -> RowProblem | None:
        if not url:
            return None
        if not is_http_url(url):
            return RowProblem("invalid-evidence-url", {"value": url})
        return None

    def _date_problem(self, text: str) -> RowProblem | None:
        if not text:
            return None
        parsed = parse_issue_date(text)
        if parsed is None:
            return RowProblem("invalid-date", {"value": text})
        if parsed > self._latest_date:
            return RowProblem("future-date", {"value": parsed.isoformat()})
        if parsed < EARLIEST_ISSUE_DATE:
            return RowProblem("early-date", {"value": parsed.isoformat()})
        return None


def parse_issue_date(text: str) -> date | None:
    """Read an ISO 8601 date (2025-06-30) or a day-first one (30/06/2025); None otherwise."""
    if not text:
        return None
    iso = _ISO_DATE.match(text)
    day_first = _DAY_FIRST_DATE.match(text)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if day_first:
            return date(int(day_first[3]), int(day_first[2]), int(day_first[1]))
    except ValueError:
        return None
    return None


def _invalid_row(row_number: int, values: Mapping[str, str], problem: RowProblem) -> BulkRow:
    """Keep the row's values, cut to the column sizes, so the uploader can find and fix it."""

    def kept(field: str) -> str:
        text = values.get(field, "").replace("\x00", "\ufffd")
        return text[: MAX_LENGTHS[field]]

    return BulkRow(
        row_number=row_number,
        email=kept("email"),
        name=kept("name"),
        level=kept("level"),
        evidence_url=kept("evidence_url"),
        narrative=kept("narrative"),
        issue_date=None,
        problem=problem,
    )


def idempotency_key(achievement_id: uuid.UUID, email: str, level: str, issued: date | None) -> str:
    """Name the award a row requests: the same achievement, earner, level and date give one key.

    Stored as ``award.idempotency_key``, whose unique index per tenant is what makes uploading a
    file again award nothing twice.
    """
    payload = json.dumps([str(achievement_id), email, level, issued.isoformat() if issued else ""])
    return "bulk:" + hashlib.sha256(payload.encode("utf-8")).hexdigest()
