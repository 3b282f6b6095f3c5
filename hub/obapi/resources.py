"""The resources of the Open Badges 3.0 API: an earner's credentials and profile.

An earner's credentials are the awards they hold on this hub, whichever university issued them,
and the Open Badges 3.0 credentials in their backpack (imported, or sent by another
application through this API). Open Badges 2.0 assertions in the backpack are not listed: the
API exchanges AchievementCredentials only.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlencode

import asyncpg
import structlog

from hub import verification
from hub.audit import record_event
from hub.auth.tables import User
from hub.backpack.holdings import held_award_ids
from hub.backpack.importing import MAX_SOURCE_CHARS, stored_values
from hub.backpack.tables import ImportedBadge
from hub.credentials.ob3 import OB_V3_CONTEXT
from hub.credentials.report import CheckStatus, CredentialFormat, VerificationReport
from hub.errors import InvalidInputError
from hub.obapi.imsx import ImsxError
from hub.obapi.tables import EarnerProfile
from hub.settings import Settings
from tenants.tables import Award

log = structlog.get_logger(__name__)

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
# The OpenAPI document of OB 3.0 gives limit and offset the format int32.
MAX_INTEGER = 2**31 - 1
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_FORMATS = (str(CredentialFormat.LDP_VC), str(CredentialFormat.JWT_VC))
# A namespace of this hub's earner profile ids, so the id does not reveal the Keycloak subject.
PROFILE_NAMESPACE = uuid.UUID("8f4e1c2a-5b7d-4e9a-9c61-2d3f4a5b6c7d")


# --- getCredentials ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ListedCredential:
    """One credential of the earner: a JSON credential or a compact JWS, with its issue time."""

    issued_at: datetime
    key: str
    credential: dict[str, Any] | None = None
    compact_jws: str | None = None


@dataclass(frozen=True)
class Page:
    items: list[ListedCredential]
    total: int
    limit: int
    offset: int

    def body(self) -> dict[str, list[Any]]:
        return {
            "credential": [item.credential for item in self.items if item.credential is not None],
            "compactJwsString": [item.compact_jws for item in self.items if item.compact_jws],
        }


@dataclass(frozen=True)
class PageQuery:
    limit: int
    offset: int
    since: datetime | None


def parse_page_query(limit: str | None, offset: str | None, since: str | None) -> PageQuery:
    """Read ``limit``, ``offset`` and ``since``; a bad value is a 400 invalid_query_parameter."""
    return PageQuery(
        limit=min(_integer(limit, "limit", minimum=1, default=DEFAULT_LIMIT), MAX_LIMIT),
        offset=_integer(offset, "offset", minimum=0, default=0),
        since=_moment(since),
    )


def _integer(value: str | None, name: str, *, minimum: int, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        number = minimum - 1
    if number < minimum or number > MAX_INTEGER:
        raise ImsxError(
            400,
            f"'{name}' must be a whole number from {minimum} to {MAX_INTEGER}; got {value!r}",
            code_minor="invalid_query_parameter",
        )
    return number


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        # A "+" left unencoded in the query string arrives as a space.
        hint = "; encode the + of a time zone offset as %2B" if " " in value else ""
        raise ImsxError(
            400,
            f"'since' must be an RFC 3339 date-time such as 2026-01-31T12:00:00Z; got "
            f"{value!r}{hint}",
            code_minor="invalid_query_parameter",
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class _Entry:
    """A credential's place in the listing, before its text is read."""

    issued_at: datetime
    kind: str
    row_id: str


async def _entries(user: User) -> list[_Entry]:
    """List the earner's credentials, newest first, in a stable order, without their texts."""
    entries: list[_Entry] = []
    ids = await held_award_ids(user)
    if ids:
        rows = await Award.select(Award.id, Award.issued_at).where(Award.id.is_in(ids))
        entries.extend(_Entry(row["issued_at"], "award", str(row["id"])) for row in rows)
    imported = await ImportedBadge.select(
        ImportedBadge.id, ImportedBadge.issued_at, ImportedBadge.imported_at
    ).where(
        (ImportedBadge.user == user.id)  # type: ignore[attr-defined]
        & ImportedBadge.credential_format.is_in(list(OB3_FORMATS))
    )
    entries.extend(
        _Entry(row["issued_at"] or row["imported_at"], "imported", str(row["id"]))
        for row in imported
    )
    entries.sort(key=lambda entry: (entry.issued_at, entry.kind, entry.row_id), reverse=True)
    return entries


async def _read(entries: list[_Entry]) -> list[ListedCredential]:
    """Read the texts of one page of entries, keeping their order."""
    award_ids = [uuid.UUID(entry.row_id) for entry in entries if entry.kind == "award"]
    imported_ids = [int(entry.row_id) for entry in entries if entry.kind == "imported"]
    texts: dict[tuple[str, str], tuple[str, str]] = {}
    if award_ids:
        for row in await Award.select(Award.id, Award.credential_text).where(
            Award.id.is_in(award_ids)
        ):
            texts[("award", str(row["id"]))] = (row["credential_text"], "ldp_vc")
    if imported_ids:
        for row in await ImportedBadge.select(
            ImportedBadge.id, ImportedBadge.credential_text, ImportedBadge.credential_format
        ).where(ImportedBadge.id.is_in(imported_ids)):
            texts[("imported", str(row["id"]))] = (
                row["credential_text"],
                row["credential_format"],
            )
    listed = []
    for entry in entries:
        text, credential_format = texts[(entry.kind, entry.row_id)]
        key = f"{entry.kind}:{entry.row_id}"
        if credential_format == str(CredentialFormat.JWT_VC):
            listed.append(ListedCredential(entry.issued_at, key, compact_jws=text))
        else:
            listed.append(ListedCredential(entry.issued_at, key, credential=json.loads(text)))
    return listed


async def credentials_page(user: User, query: PageQuery) -> Page:
    """Return one page of the earner's credentials; only that page's texts are read."""
    entries = await _entries(user)
    if query.since is not None:
        entries = [entry for entry in entries if entry.issued_at > query.since]
    window = entries[query.offset : query.offset + query.limit]
    return Page(await _read(window), len(entries), query.limit, query.offset)


def link_header(base: str, page: Page, since: str | None) -> str:
    """Return RFC 8288 links first and last, and next and prev where they exist (OB 3.0 §6.4)."""

    def link(offset: int, rel: str) -> str:
        query = {"limit": page.limit, "offset": offset} | ({"since": since} if since else {})
        return f'<{base}?{urlencode(query)}>; rel="{rel}"'

    last = (page.total - 1) // page.limit * page.limit if page.total else 0
    links = []
    if page.offset + page.limit < page.total:
        links.append(link(page.offset + page.limit, "next"))
    links.append(link(last, "last"))
    links.append(link(0, "first"))
    if page.offset > 0:
        # Past the end, the previous page is the last one that has credentials.
        links.append(link(max(0, min(page.offset - page.limit, last)), "prev"))
    return ", ".join(links)


# --- upsertCredential -------------------------------------------------------------------------


@dataclass(frozen=True)
class UpsertOutcome:
    created: bool


def read_upsert_body(body: bytes, media_type: str) -> tuple[str, dict[str, Any] | None]:
    """Return the credential's exact text and, for JSON, the parsed object."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ImsxError(400, "the request body is not UTF-8 text") from None
    if not text.strip():
        raise ImsxError(
            400,
            "the request body is empty; send an AchievementCredential as application/json or "
            "a VC-JWT compact JWS as text/plain",
        )
    if media_type == "text/plain":
        compact = text.strip()
        if compact.count(".") != 2 or any(char.isspace() for char in compact):
            raise ImsxError(
                400, "a text/plain body must be one compact JWS (header.payload.signature)"
            )
        return compact, None
    if media_type in ("application/json", "application/vc+ld+json", "application/ld+json"):
        try:
            parsed = json.loads(text)
        except ValueError as error:
            raise ImsxError(400, f"the request body is not valid JSON: {error}") from None
        except RecursionError:
            raise ImsxError(400, "the request body is JSON nested too deeply") from None
        if not isinstance(parsed, dict):
            raise ImsxError(
                400, "the request body must be one JSON object, an AchievementCredential"
            )
        return text, parsed
    raise ImsxError(
        415,
        f"content type {media_type or 'none'!r} is not accepted; send application/json for a "
        "credential with an embedded proof or text/plain for a VC-JWT",
    )


async def upsert_credential(
    settings: Settings, user: User, text: str, client_name: str
) -> UpsertOutcome:
    """Verify the credential for ``user`` and store it unchanged: 201 if new, 200 if replaced."""
    try:
        report = await verification.verify(settings, text, recipient=user.email or None)
    except InvalidInputError as error:
        raise ImsxError(400, f"the credential cannot be read: {error.message}") from None
    _require_valid_ob3(report)

    credential_id = comparable_id(report.summary.credential_id)[:MAX_SOURCE_CHARS] or None
    issuer_id = comparable_id(report.summary.issuer_id)
    if credential_id and await _is_held_award(user, credential_id, issuer_id):
        # This hub issued it to this earner: it is already listed, from the award itself.
        return UpsertOutcome(created=False)

    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    values = stored_values(report, text, digest, f"Open Badges API: {client_name}")
    values["credential_id"] = credential_id
    created = await _store(user, values, issuer_id)
    log.info("obapi_credential_upserted", user=user.id, created=created, format=str(report.format))
    await record_event(
        "credential:received",
        actor=f"user:{user.subject}",
        target=credential_id or digest,
        details={"client": client_name, "created": created},
    )
    return UpsertOutcome(created=created)


async def _store(user: User, values: dict[str, Any], issuer_id: str) -> bool:
    """Replace the backpack entry this credential matches, or add one; return True if added."""
    credential_id = values["credential_id"]
    digest = values["digest"]
    async with ImportedBadge._meta.db.transaction():
        existing = await _existing(user, credential_id, issuer_id, digest)
        if existing is not None:
            columns = {getattr(ImportedBadge, name): value for name, value in values.items()}
            await ImportedBadge.update(columns).where(ImportedBadge.id == existing)
            return False
        try:
            await ImportedBadge(user=user.id, **values).save()  # type: ignore[arg-type]
        except asyncpg.UniqueViolationError:
            raise ImsxError(
                409,
                "the same credential was sent twice at the same time; send it again",
                code_minor="invalid_data",
            ) from None
        return True


def _require_valid_ob3(report: VerificationReport) -> None:
    if str(report.format) not in OB3_FORMATS:
        raise ImsxError(
            400,
            "only Open Badges 3.0 AchievementCredentials are accepted here; import an Open "
            "Badges 2.0 assertion from the backpack page instead",
        )
    if report.valid:
        return
    failed = [check for check in report.checks if check.status is CheckStatus.FAILED]
    reasons = "; ".join(f"{check.check}: {check.message}" for check in failed) or "not valid"
    raise ImsxError(400, f"the credential did not pass verification ({reasons})")


def comparable_id(value: str | None) -> str:
    """Normalize an id as OB 3.0 §10 compares credentials: percent-decoded, then stripped."""
    return unquote(value or "").strip()


def _id_taken(credential_id: str) -> ImsxError:
    return ImsxError(
        409,
        f"the backpack already holds a credential with id {credential_id!r} from another issuer; "
        "a credential replaces another only when both its id and its issuer id are equal "
        "(Open Badges 3.0, credential equality), so give this one its own id",
        code_minor="invalid_data",
    )


async def _is_held_award(user: User, credential_id: str, issuer_id: str) -> bool:
    """Return whether ``user`` has this hub's award with this id and issuer.

    Raises a conflict when one of their awards has the id but another issuer, because the posted
    credential would otherwise be reported as stored while the award stays listed instead.
    """
    ids = await held_award_ids(user)
    if not ids:
        return False
    rows = await Award.raw(
        "SELECT credential->>'id' AS id, "
        "coalesce(credential->'issuer'->>'id', credential->>'issuer') AS issuer "
        "FROM award WHERE id = ANY({})",
        ids,
    )
    issuers = {
        comparable_id(row["issuer"]) for row in rows if comparable_id(row["id"]) == credential_id
    }
    if not issuers:
        return False
    if issuer_id not in issuers:
        raise _id_taken(credential_id)
    return True


async def _existing(
    user: User, credential_id: str | None, issuer_id: str, digest: str
) -> int | None:
    """Return the backpack entry this credential replaces: same id and issuer, else same text."""
    if credential_id:
        rows = await ImportedBadge.raw(
            "SELECT id, report->>'issuer_id' AS issuer FROM imported_badge "
            'WHERE "user" = {} AND credential_id = {} FOR UPDATE',
            user.id,
            credential_id,
        )
        if rows and comparable_id(rows[0]["issuer"]) != issuer_id:
            raise _id_taken(credential_id)
        if rows:
            return int(rows[0]["id"])
    rows = await ImportedBadge.raw(
        'SELECT id FROM imported_badge WHERE "user" = {} AND digest = {} FOR UPDATE',
        user.id,
        digest,
    )
    return int(rows[0]["id"]) if rows else None


# --- getProfile and putProfile ----------------------------------------------------------------

EDITABLE_FIELDS = (
    "name",
    "givenName",
    "familyName",
    "additionalName",
    "familyNamePrefix",
    "patronymicName",
    "honorificPrefix",
    "honorificSuffix",
    "description",
    "url",
)
# Fields the hub fills itself; a PUT may repeat them unchanged.
FIXED_FIELDS = ("@context", "id", "type", "email")
MAX_FIELD_CHARS = {"description": 2000, "url": 2048}
DEFAULT_FIELD_CHARS = 255


def profile_id(user: User) -> str:
    return f"urn:uuid:{uuid.uuid5(PROFILE_NAMESPACE, user.subject)}"


async def earner_profile(user: User) -> dict[str, Any]:
    row = (
        await EarnerProfile.select(EarnerProfile.fields)
        .where(
            EarnerProfile.user == user.id  # type: ignore[attr-defined]
        )
        .first()
        .output(load_json=True)
    )
    stored: dict[str, Any] = row["fields"] if row else {}
    profile: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_V3_CONTEXT],
        "id": profile_id(user),
        "type": ["Profile"],
    }
    if user.name:
        profile["name"] = user.name
    if user.email:
        profile["email"] = user.email
    profile.update(stored)
    return profile


async def update_profile(user: User, data: Any) -> dict[str, Any]:
    """Replace the earner's editable profile fields with those of ``data`` (a whole Profile)."""
    if not isinstance(data, dict):
        raise ImsxError(400, "send the whole Profile as one JSON object")
    types = data.get("type")
    if types != "Profile" and not (isinstance(types, list) and "Profile" in types):
        raise ImsxError(400, "'type' must be \"Profile\" or a list that contains it")
    if data.get("id") != profile_id(user):
        raise ImsxError(
            400,
            f"'id' must be {profile_id(user)}, the id GET /ims/ob/v3p0/profile returns; the "
            "profile of another person cannot be changed",
        )
    email = data.get("email")
    if email is not None and (
        not isinstance(email, str) or email.lower() != (user.email or "").lower()
    ):
        raise ImsxError(
            400,
            "'email' cannot be changed here: it is the verified address of your university "
            "account, and badges are issued to it",
        )
    fields = _editable_fields(data)

    now = datetime.now(UTC)
    await EarnerProfile.insert(
        EarnerProfile(user=user.id, fields=fields, updated_at=now)  # type: ignore[arg-type]
    ).on_conflict(
        target=EarnerProfile.user,
        action="DO UPDATE",
        values=[EarnerProfile.fields, EarnerProfile.updated_at],
    )
    log.info("obapi_profile_updated", user=user.id, fields=sorted(fields))
    return await earner_profile(user)


def _editable_fields(data: dict[str, Any]) -> dict[str, str]:
    """Validate the fields a PUT may change; reject every field the hub does not keep."""
    unknown = sorted(set(data) - set(EDITABLE_FIELDS) - set(FIXED_FIELDS))
    if unknown:
        raise ImsxError(
            400,
            f"this hub does not store {', '.join(repr(name) for name in unknown)}; send only "
            f"{', '.join(EDITABLE_FIELDS)} besides @context, id, type and email",
        )

    fields: dict[str, str] = {}
    for name in EDITABLE_FIELDS:
        value = data.get(name)
        if value is None or value == "":
            continue
        limit = MAX_FIELD_CHARS.get(name, DEFAULT_FIELD_CHARS)
        if not isinstance(value, str) or len(value) > limit or "\x00" in value:
            raise ImsxError(400, f"'{name}' must be text of at most {limit} characters")
        if name == "url" and not value.startswith(("https://", "http://")):
            raise ImsxError(400, "'url' must be an http or https URL")
        fields[name] = value
    return fields
