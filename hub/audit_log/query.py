"""Filters, cursors and keyset pages over ``audit_event``.

Events are ordered newest first by ``(created_at, id)``: ``id`` orders events stored in the same
microsecond. Each page is one range scan of an index in that order (created by migration
``2026-12-04T18:30:00:000000``), so a page costs the same at any depth of a large log.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hub.audit import ACTIONS
from hub.errors import InvalidInputError
from hub.tables import AuditEvent

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
# The length of the actor, target and tenant_slug columns.
MAX_TEXT_FILTER = 255
MAX_TENANT_FILTER = 63

_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
_FILTER_CODE = "invalid-audit-filter"


def action_prefixes() -> list[str]:
    """Return every prefix of a known action that ends at a colon, such as ``tenant:key:``."""
    prefixes = set()
    for action in ACTIONS:
        parts = action.split(":")
        for length in range(1, len(parts)):
            prefixes.add(":".join(parts[:length]) + ":")
    return sorted(prefixes)


@dataclass(frozen=True)
class FilterInput:
    """Filters as typed into the console form or the API query string. Empty means unset."""

    action: str = ""
    actor: str = ""
    target: str = ""
    date_from: str = ""
    date_to: str = ""
    tenant: str = ""

    def query(self) -> dict[str, str]:
        """Return the set filters under their query-string names, for links to other pages."""
        names = {
            "action": self.action,
            "actor": self.actor,
            "target": self.target,
            "from": self.date_from,
            "to": self.date_to,
            "tenant": self.tenant,
        }
        return {name: value for name, value in names.items() if value}


@dataclass(frozen=True)
class AuditFilter:
    """Selection of the events that a page or an export contains. ``None`` filters nothing.

    ``tenant`` None means every tenant, including hub-wide events that have no tenant.
    ``since`` is inclusive and ``before`` exclusive.
    """

    tenant: str | None = None
    action: str | None = None
    action_prefix: str | None = None
    actor: str | None = None
    target: str | None = None
    since: datetime | None = None
    before: datetime | None = None

    def describe(self) -> dict[str, str]:
        """Return the set fields as text, for the details of the ``audit:exported`` event."""
        fields = {
            "tenant": self.tenant,
            "action": self.action or self.action_prefix,
            "actor": self.actor,
            "target": self.target,
            "since": _format_time(self.since),
            "before": _format_time(self.before),
        }
        return {name: value for name, value in fields.items() if value}


def _format_time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_filter(raw: FilterInput, *, tenant: str | None) -> AuditFilter:
    """Validate the typed filters for ``tenant``, or for ``raw.tenant`` when ``tenant`` is None."""
    action, prefix = _parse_action(raw.action.strip())
    since = _parse_bound("from", raw.date_from.strip(), is_end=False)
    before = _parse_bound("to", raw.date_to.strip(), is_end=True)
    if since is not None and before is not None and since >= before:
        raise InvalidInputError(
            f"from {raw.date_from!r} is after to {raw.date_to!r}; put the earlier date in from",
            code=_FILTER_CODE,
        )
    if tenant is None:
        tenant = _parse_text("tenant", raw.tenant, MAX_TENANT_FILTER)
    return AuditFilter(
        tenant=tenant,
        action=action,
        action_prefix=prefix,
        actor=_parse_text("actor", raw.actor, MAX_TEXT_FILTER),
        target=_parse_text("target", raw.target, MAX_TEXT_FILTER),
        since=since,
        before=before,
    )


def _parse_action(value: str) -> tuple[str | None, str | None]:
    """Return ``(action, None)`` for a known action, ``(None, prefix)`` for a known prefix."""
    if not value:
        return None, None
    if value in ACTIONS:
        return value, None
    prefixes = action_prefixes()
    if value in prefixes:
        return None, value
    raise InvalidInputError(
        f"action {value!r} is not an audit action nor a prefix of one; use an action such as "
        f"'credential:issued' or one of the prefixes {', '.join(prefixes)}",
        code=_FILTER_CODE,
    )


def _parse_bound(name: str, value: str, *, is_end: bool) -> datetime | None:
    """Parse a date (a whole UTC day) or an ISO 8601 date-time (UTC when it has no offset).

    Both bounds are inclusive as typed; the end is returned as the exclusive instant after it.
    """
    if not value:
        return None
    try:
        if _DATE_ONLY.fullmatch(value):
            day = date.fromisoformat(value)
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return start + timedelta(days=1) if is_end else start
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment + timedelta(microseconds=1) if is_end else moment
    except (ValueError, OverflowError) as error:
        raise InvalidInputError(
            f"{name} {value!r} is not a valid date; write YYYY-MM-DD (a whole day in UTC) or an "
            "ISO 8601 date-time such as 2026-12-04T16:30:00Z",
            code=_FILTER_CODE,
        ) from error


def _parse_text(name: str, value: str, max_length: int) -> str | None:
    value = value.strip()
    if not value:
        return None
    if len(value) > max_length:
        raise InvalidInputError(
            f"{name} is {len(value)} characters long; the audit log stores at most {max_length}, "
            "so shorten it",
            code=_FILTER_CODE,
        )
    if _CONTROL_CHARACTERS.search(value):
        raise InvalidInputError(
            f"{name} {value!r} contains a control character; remove it", code=_FILTER_CODE
        )
    return value


def check_page_size(limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidInputError(
            f"limit {limit} is out of range; ask for 1 to {MAX_PAGE_SIZE} events per page and "
            "follow next_cursor for more",
            code="invalid-limit",
        )


@dataclass(frozen=True)
class Position:
    """The sort key of one event: where a page starts or ends."""

    created_at: datetime
    id: int


@dataclass(frozen=True)
class Cursor:
    """A page boundary: older events after ``position``, or with ``is_backwards`` newer ones."""

    position: Position
    is_backwards: bool = False


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_CURSOR = re.compile(r"([nb])(\d{1,18})\.(\d{1,18})\.([A-Za-z0-9_-]{22})")


class CursorCodec:
    """Encodes cursors as ``<direction><microseconds>.<id>.<MAC>``.

    The HMAC-SHA256 tag (truncated to 128 bits) lets the hub tell an altered cursor from a real
    one and reject it with a clear error, instead of returning a page from an arbitrary position.
    """

    def __init__(self, key: bytes) -> None:
        self._key = key

    def encode(self, cursor: Cursor) -> str:
        micros = (cursor.position.created_at - _EPOCH) // _MICROSECOND
        payload = f"{'b' if cursor.is_backwards else 'n'}{micros}.{cursor.position.id}"
        return f"{payload}.{self._tag(payload)}"

    def decode(self, text: str) -> Cursor:
        match = _CURSOR.fullmatch(text)
        payload = text.rpartition(".")[0]
        if match is None or not hmac.compare_digest(self._tag(payload), match[4]):
            raise InvalidInputError(
                f"cursor {text[:80]!r} was not issued by this hub or has been altered; pass "
                "next_cursor or previous_cursor from a page unchanged, or leave cursor out to "
                "start at the newest event",
                code="invalid-cursor",
            )
        created_at = _EPOCH + int(match[2]) * _MICROSECOND
        return Cursor(Position(created_at, int(match[3])), is_backwards=match[1] == "b")

    def _tag(self, payload: str) -> str:
        digest = hmac.new(self._key, payload.encode("ascii"), hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class AuditRow:
    """One stored event; ``details_json`` is the JSONB value as PostgreSQL prints it."""

    id: int
    tenant: str | None
    created_at: datetime
    actor: str
    action: str
    target: str
    details_json: str

    @property
    def details(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.details_json)
        return loaded

    @property
    def position(self) -> Position:
        return Position(self.created_at, self.id)


@dataclass(frozen=True)
class AuditPage:
    """Events newest first, with the cursors of the older (``next``) and newer pages."""

    events: list[AuditRow]
    next: Cursor | None
    previous: Cursor | None


async def list_events(
    audit_filter: AuditFilter, *, limit: int = DEFAULT_PAGE_SIZE, cursor: Cursor | None = None
) -> AuditPage:
    """Return one page of events, newest first, starting at ``cursor``."""
    check_page_size(limit)
    if cursor is not None and cursor.is_backwards:
        return await _newer_page(audit_filter, limit, cursor.position)
    rows = await _fetch(audit_filter, limit + 1, cursor.position if cursor else None)
    page = rows[:limit]
    following = Cursor(page[-1].position) if len(rows) > limit else None
    previous = None
    if cursor is not None:
        start = page[0].position if page else cursor.position
        previous = Cursor(start, is_backwards=True)
    return AuditPage(page, following, previous)


async def _newer_page(audit_filter: AuditFilter, limit: int, position: Position) -> AuditPage:
    rows = await _fetch(audit_filter, limit + 1, position, is_newer=True)
    if len(rows) <= limit:
        # Going back reached the newest events: serve the first page, so that it stays full.
        return await list_events(audit_filter, limit=limit)
    page = rows[:limit][::-1]
    return AuditPage(page, Cursor(page[-1].position), Cursor(page[0].position, is_backwards=True))


async def iter_event_batches(
    audit_filter: AuditFilter, batch_size: int
) -> AsyncIterator[list[AuditRow]]:
    """Yield every matching event, newest first, one query of ``batch_size`` rows at a time.

    Each batch is its own short query, so no connection or snapshot stays open between batches.
    The result is therefore not one snapshot: an event committed during the iteration is included
    only if it sorts after the batches already yielded, which an event stamped "now" does not.
    """
    position: Position | None = None
    while True:
        rows = await _fetch(audit_filter, batch_size, position)
        if rows:
            yield rows
        if len(rows) < batch_size:
            return
        position = rows[-1].position


_COLUMNS = "id, tenant_slug, created_at, actor, action, target, details::text AS details"


async def _fetch(
    audit_filter: AuditFilter, limit: int, position: Position | None, *, is_newer: bool = False
) -> list[AuditRow]:
    clauses, arguments = _conditions(audit_filter)
    if position is not None:
        # A row comparison is one index condition on (created_at, id); see the module docstring.
        clauses.append("(created_at, id) > ({}, {})" if is_newer else "(created_at, id) < ({}, {})")
        arguments += [position.created_at, position.id]
    order = "ASC" if is_newer else "DESC"
    where = " AND ".join(clauses) or "TRUE"
    # Only fixed fragments are joined into the statement; every value is a bound parameter.
    sql = (
        f"SELECT {_COLUMNS} FROM audit_event WHERE {where} "  # noqa: S608
        f"ORDER BY created_at {order}, id {order} LIMIT {{}}"
    )
    rows = await AuditEvent.raw(sql, *arguments, limit)
    return [_row(row) for row in rows]


def _conditions(audit_filter: AuditFilter) -> tuple[list[str], list[Any]]:
    # NOTE: only the tenant and the time bounds narrow the index range. Action, actor and target
    # are checked row by row along it, so a filter that matches a handful of events in a tenant
    # of millions reads most of that tenant's index. If such searches become common, add an index
    # on (tenant_slug, actor, created_at DESC, id DESC) or the like for the filter concerned.
    clauses: list[str] = []
    arguments: list[Any] = []
    equalities = (
        ("tenant_slug", audit_filter.tenant),
        ("action", audit_filter.action),
        ("actor", audit_filter.actor),
        ("target", audit_filter.target),
    )
    for column, value in equalities:
        if value is not None:
            clauses.append(f"{column} = {{}}")
            arguments.append(value)
    if audit_filter.action_prefix is not None:
        clauses.append("action LIKE {}")
        arguments.append(_escape_like(audit_filter.action_prefix) + "%")
    if audit_filter.since is not None:
        clauses.append("created_at >= {}")
        arguments.append(audit_filter.since)
    if audit_filter.before is not None:
        clauses.append("created_at < {}")
        arguments.append(audit_filter.before)
    return clauses, arguments


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _row(row: dict[str, Any]) -> AuditRow:
    return AuditRow(
        id=row["id"],
        tenant=row["tenant_slug"],
        created_at=row["created_at"],
        actor=row["actor"],
        action=row["action"],
        target=row["target"],
        details_json=row["details"],
    )
