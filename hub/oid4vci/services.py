"""The pre-authorized code flow of OpenID4VCI 1.0: offers, token, nonce and credential.

Why no OAuth library for the token endpoint: authlib's server classes model clients, redirect
URIs and authorisation codes, none of which the pre-authorized grant has. The grant is one
atomic check of a stored offer, which a row lock in PostgreSQL expresses directly.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import struct
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import structlog
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hub.audit import record_event
from hub.auth.login import derive_key
from hub.credentials import dataintegrity, vcjwt
from hub.errors import ConflictError
from hub.oid4vci import metadata
from hub.oid4vci.errors import InvalidTokenError, Oid4vciError
from hub.oid4vci.proofs import check_key_proof
from hub.oid4vci.tables import Oid4vciIssuance, Oid4vciNonceUse, Oid4vciOffer
from hub.settings import Settings
from tenants import services as tenant_services
from tenants import status
from tenants.scope import TenantScope
from tenants.tables import Award, Tenant

log = structlog.get_logger(__name__)

OFFER_LIFETIME = timedelta(minutes=10)
TOKEN_LIFETIME = timedelta(minutes=5)
NONCE_LIFETIME_SECONDS = 300
# Wrong transaction codes an offer survives; the next one ends it. Six digits and five tries
# leave a guesser a chance of one in 200,000.
MAX_TX_CODE_FAILURES = 5
TX_CODE_DIGITS = 6
PRE_AUTHORIZED_GRANT = metadata.PRE_AUTHORIZED_GRANT
OFFER_SCHEME = "openid-credential-offer://"


def utcnow() -> datetime:
    return datetime.now(UTC)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _tx_code_digest(settings: Settings, offer_id: uuid.UUID, tx_code: str) -> str:
    key = derive_key(settings, b"oid4vci-tx-code")
    return hmac.new(key, offer_id.bytes + tx_code.encode("utf-8"), hashlib.sha256).hexdigest()


def offer_code(settings: Settings, offer_id: uuid.UUID) -> str:
    """Derive the offer's pre-authorized code from its id with a key only the hub has.

    The code can then be served again by reference (``credential_offer_uri``) while the
    database keeps only its digest.
    """
    key = derive_key(settings, b"oid4vci-offer-code")
    return _b64(hmac.new(key, offer_id.bytes, hashlib.sha256).digest())


@dataclass(frozen=True)
class CredentialOffer:
    """A new offer as shown to the earner, the only time its transaction code is shown."""

    offer_id: uuid.UUID
    document: dict[str, Any]
    tx_code: str | None
    expires_at: datetime
    offer_uri: str

    @property
    def deep_link(self) -> str:
        """The offer by reference (OpenID4VCI 1.0 §4.1.3): a short link and a small QR code."""
        return f"{OFFER_SCHEME}?credential_offer_uri={quote(self.offer_uri, safe='')}"

    @property
    def deep_link_by_value(self) -> str:
        """The offer by value, for wallets that do not fetch offers."""
        text = json.dumps(self.document, separators=(",", ":"))
        return f"{OFFER_SCHEME}?credential_offer={quote(text, safe='')}"


async def create_offer(
    settings: Settings, tenant: Tenant, award: Award, actor: str, *, with_tx_code: bool
) -> CredentialOffer:
    """Store a single-use offer of the award, valid for ``OFFER_LIFETIME``.

    Raises ``ConflictError`` when the award is revoked or suspended.
    """
    state = await award_state(tenant, award)
    if state != status.ACTIVE:
        raise ConflictError(
            f"this badge is {state}, so it cannot be sent to a wallet; contact the university "
            "that issued it",
            code="credential-not-active",
        )
    offer_id = uuid.uuid4()
    code = offer_code(settings, offer_id)
    tx_code = (
        f"{secrets.randbelow(10**TX_CODE_DIGITS):0{TX_CODE_DIGITS}d}" if with_tx_code else None
    )
    now = utcnow()
    offer = Oid4vciOffer(
        id=offer_id,
        tenant=tenant.id,
        award=award.id,
        code_hash=_digest(code),
        tx_code_hash=_tx_code_digest(settings, offer_id, tx_code) if tx_code else None,
        created_by=actor,
        created_at=now,
        expires_at=now + OFFER_LIFETIME,
    )
    async with Oid4vciOffer._meta.db.transaction():
        await offer.save()
        await record_event(
            "credential:offered", actor=actor, tenant=tenant.slug, target=str(award.id)
        )
    log.info("credential_offered", tenant=tenant.slug, award=str(award.id), offer=str(offer_id))
    document = metadata.offer_document(settings, tenant.slug, code, has_tx_code=bool(tx_code))
    uri = metadata.endpoint(settings, tenant.slug, f"offers/{offer_id}")
    return CredentialOffer(offer_id, document, tx_code, offer.expires_at, uri)


async def offer_by_reference(
    settings: Settings, tenant: Tenant, offer_id: uuid.UUID
) -> dict[str, Any]:
    """Return the offer document while the offer is unused and unexpired; raise otherwise."""
    offer = (
        await Oid4vciOffer.objects()
        .where((Oid4vciOffer.id == offer_id) & (Oid4vciOffer.tenant == tenant.id))
        .first()
    )
    if offer is None or offer.used_at is not None or offer.expires_at <= utcnow():
        raise Oid4vciError(
            "invalid_request",
            "this credential offer is unknown, used or expired; ask the earner for a new one",
            status_code=404,
        )
    return metadata.offer_document(
        settings,
        tenant.slug,
        offer_code(settings, offer_id),
        has_tx_code=offer.tx_code_hash is not None,
    )


@dataclass(frozen=True)
class TokenGrant:
    access_token: str
    expires_in: int


async def exchange_code(
    settings: Settings, tenant: Tenant, code: str, tx_code: str | None
) -> TokenGrant:
    """Trade a pre-authorized code for an access token, once; raise ``invalid_grant`` otherwise.

    A wrong transaction code is counted even though the request fails, so the count is stored
    before the error leaves.
    """
    access_token = secrets.token_urlsafe(32)
    now = utcnow()
    async with Oid4vciOffer._meta.db.transaction():
        rows = await Oid4vciOffer.raw(
            "SELECT id, expires_at, used_at, tx_code_hash, tx_code_failures FROM oid4vci_offer "
            "WHERE code_hash = {} AND tenant = {} FOR UPDATE",
            _digest(code),
            tenant.id,
        )
        failure = _grant_failure(settings, rows[0] if rows else None, tx_code, now)
        if failure == "wrong-tx-code":
            await Oid4vciOffer.update(
                {Oid4vciOffer.tx_code_failures: Oid4vciOffer.tx_code_failures + 1}
            ).where(Oid4vciOffer.id == rows[0]["id"])
        elif failure is None:
            await Oid4vciOffer.update(
                {
                    Oid4vciOffer.used_at: now,
                    Oid4vciOffer.access_token_hash: _digest(access_token),
                    Oid4vciOffer.token_expires_at: now + TOKEN_LIFETIME,
                }
            ).where(Oid4vciOffer.id == rows[0]["id"])
    if failure is not None:
        log.warning("oid4vci_grant_rejected", tenant=tenant.slug, reason=failure)
        raise Oid4vciError("invalid_grant", GRANT_FAILURES[failure])
    return TokenGrant(access_token, int(TOKEN_LIFETIME.total_seconds()))


GRANT_FAILURES = {
    "unknown": "this pre-authorized code is unknown to this Credential Issuer; scan again",
    "used": "this offer was already used; open a new offer on the badge's wallet page",
    "expired": "this offer has expired; open a new offer on the badge's wallet page",
    "locked": "too many wrong transaction codes ended this offer; open a new offer",
    "missing-tx-code": "this offer needs the transaction code shown beside its QR code",
    "wrong-tx-code": "the transaction code is wrong; type the code shown beside the QR code",
}


def _grant_failure(
    settings: Settings, row: dict[str, Any] | None, tx_code: str | None, now: datetime
) -> str | None:
    if row is None:
        return "unknown"
    if row["used_at"] is not None:
        return "used"
    if row["expires_at"] <= now:
        return "expired"
    if row["tx_code_failures"] >= MAX_TX_CODE_FAILURES:
        return "locked"
    if row["tx_code_hash"] is None:
        return None
    if not tx_code:
        return "missing-tx-code"
    expected = _tx_code_digest(settings, row["id"], tx_code)
    if not hmac.compare_digest(expected, row["tx_code_hash"]):
        return "wrong-tx-code"
    return None


def new_nonce(settings: Settings, now: float | None = None) -> str:
    """Return a ``c_nonce``: random bytes and an expiry, authenticated with an HMAC.

    Nothing is stored until a proof spends the nonce, so the unauthenticated nonce endpoint
    writes no rows.
    """
    expires = int((time.time() if now is None else now) + NONCE_LIFETIME_SECONDS)
    body = secrets.token_bytes(16) + struct.pack(">Q", expires)
    tag = hmac.new(derive_key(settings, b"oid4vci-nonce"), body, hashlib.sha256).digest()[:16]
    return _b64(body) + "." + _b64(tag)


async def spend_nonce(settings: Settings, nonce: str, now: float | None = None) -> None:
    """Accept a ``c_nonce`` of this hub once, before it expires; raise ``invalid_nonce`` else."""
    moment = time.time() if now is None else now
    expires = _nonce_expiry(settings, nonce)
    if expires is None or expires <= moment:
        raise Oid4vciError(
            "invalid_nonce", "the proof's nonce is unknown or expired; ask the nonce endpoint again"
        )
    # A spent nonce is kept until its expiry only: after that its HMAC check rejects it anyway.
    await Oid4vciNonceUse.delete().where(Oid4vciNonceUse.expires_at < utcnow())
    spent = await Oid4vciNonceUse.raw(
        "INSERT INTO oid4vci_nonce_use (nonce_hash, expires_at) VALUES ({}, {}) "
        "ON CONFLICT DO NOTHING RETURNING nonce_hash",
        _digest(nonce),
        datetime.fromtimestamp(expires, UTC),
    )
    if not spent:
        raise Oid4vciError(
            "invalid_nonce", "the proof's nonce was already used; ask the nonce endpoint again"
        )


def _nonce_expiry(settings: Settings, nonce: str) -> int | None:
    body_text, _, tag_text = nonce.partition(".")
    try:
        body, tag = _unb64(body_text), _unb64(tag_text)
    except ValueError:
        return None
    expected = hmac.new(derive_key(settings, b"oid4vci-nonce"), body, hashlib.sha256).digest()
    if len(body) != 24 or not hmac.compare_digest(expected[:16], tag):
        return None
    expires: int = struct.unpack(">Q", body[16:])[0]
    return expires


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, UnicodeError) as error:
        raise ValueError("not base64url") from error


async def offer_for_token(tenant: Tenant, access_token: str | None) -> Oid4vciOffer:
    """Return the offer an access token was issued for; raise ``invalid_token`` otherwise."""
    if not access_token:
        raise InvalidTokenError("send the access token as Authorization: Bearer <token>")
    offer = (
        await Oid4vciOffer.objects()
        .where(
            Oid4vciOffer.access_token_hash == _digest(access_token),
            Oid4vciOffer.tenant == tenant.id,
        )
        .first()
    )
    if offer is None or offer.token_expires_at is None or offer.token_expires_at <= utcnow():
        raise InvalidTokenError("the access token is unknown or expired; redeem a new offer")
    return offer


async def issue_credential(
    settings: Settings, tenant: Tenant, access_token: str | None, request: Any
) -> dict[str, Any]:
    """Issue the credential of one request (OpenID4VCI 1.0 §8) with ``{"credentials": [...]}``."""
    offer = await offer_for_token(tenant, access_token)
    configuration_id, proof_jwts = _read_request(request)
    holder_dids = await _holder_dids(settings, tenant, proof_jwts)
    award = await Award.objects().where(Award.id == offer.award).first()
    assert award is not None  # the foreign key guarantees it
    state = await award_state(tenant, award)
    if state != status.ACTIVE:
        raise Oid4vciError(
            "credential_request_denied", f"the badge was {state} after the offer was made"
        )

    credential_format = metadata.CONFIGURATIONS[configuration_id]
    issued: list[tuple[uuid.UUID, str | None, str | dict[str, Any]]] = []
    for holder_did in holder_dids:
        issuance_id = uuid.uuid4()
        credential = await _credential(
            settings, tenant, award, credential_format, holder_did, issuance_id
        )
        issued.append((issuance_id, holder_did, credential))
    async with Oid4vciIssuance._meta.db.transaction():
        for issuance_id, holder_did, credential in issued:
            text = (
                credential
                if isinstance(credential, str)
                else json.dumps(credential, ensure_ascii=False)
            )
            await Oid4vciIssuance(
                id=issuance_id,
                offer=offer.id,
                award=award.id,
                credential_format=credential_format,
                holder_did=holder_did,
                credential_text=text,
                issued_at=utcnow(),
            ).save()
        await record_event(
            "credential:delivered",
            actor="wallet",
            tenant=tenant.slug,
            target=str(award.id),
            details={
                "format": credential_format,
                "bound": holder_dids != [None],
                "copies": len(issued),
            },
        )
    log.info(
        "credential_delivered",
        tenant=tenant.slug,
        award=str(award.id),
        format=credential_format,
        copies=len(issued),
    )
    return {"credentials": [{"credential": credential} for _, _, credential in issued]}


async def _holder_dids(
    settings: Settings, tenant: Tenant, proof_jwts: list[str]
) -> list[str | None]:
    """Check every key proof and spend its nonce; return one holder DID per proof.

    Without proofs the list is ``[None]``: one copy, unbound. The proofs of a batch may share a
    ``c_nonce``, which is spent once. Two proofs of one key would make linkable copies, so a
    repeated key is rejected.
    """
    if not proof_jwts:
        return [None]
    audience = metadata.issuer_id(settings, tenant.slug)
    proofs = [check_key_proof(proof_jwt, audience) for proof_jwt in proof_jwts]
    holders = [proof.holder_did for proof in proofs]
    if len(set(holders)) != len(holders):
        raise Oid4vciError(
            "invalid_proof", "each proof of a batch must be signed by a different key"
        )
    for nonce in dict.fromkeys(proof.nonce for proof in proofs):
        await spend_nonce(settings, nonce)
    return list(holders)


async def award_state(tenant: Tenant, award: Award) -> str:
    """Return ``active``, ``suspended`` or ``revoked``, as the award's status entries stand."""
    view = await status.status_of(TenantScope(tenant), award.id)
    return view.state


def _read_request(request: Any) -> tuple[str, list[str]]:
    """Return the requested configuration id and its jwt proofs (none, or up to a batch)."""
    if not isinstance(request, dict):
        raise _bad_request("the credential request body must be a JSON object")
    if "credential_identifier" in request:
        raise _bad_request(
            "this issuer offers no credential_identifier; send credential_configuration_id"
        )
    configuration_id = request.get("credential_configuration_id")
    if not isinstance(configuration_id, str):
        raise _bad_request(
            "send credential_configuration_id, one of " + ", ".join(metadata.CONFIGURATIONS)
        )
    if configuration_id not in metadata.CONFIGURATIONS:
        raise Oid4vciError(
            "unknown_credential_configuration",
            f"{configuration_id!r} is not offered; use one of {', '.join(metadata.CONFIGURATIONS)}",
        )
    if "proof" in request:
        raise _bad_request('send key proofs as "proofs": {"jwt": [...]} (OpenID4VCI 1.0 §8.2)')
    proofs = request.get("proofs")
    if proofs is None:
        return configuration_id, []
    if not isinstance(proofs, dict) or set(proofs) != {"jwt"}:
        raise Oid4vciError("invalid_proof", 'proofs must be an object with the one key "jwt"')
    jwts = proofs["jwt"]
    if (
        not isinstance(jwts, list)
        or not 1 <= len(jwts) <= metadata.BATCH_SIZE
        or not all(isinstance(item, str) for item in jwts)
    ):
        raise Oid4vciError(
            "invalid_proof",
            f"send 1 to {metadata.BATCH_SIZE} jwt proofs as strings, one per copy wanted",
        )
    return configuration_id, list(jwts)


def _bad_request(description: str) -> Oid4vciError:
    return Oid4vciError("invalid_credential_request", description)


async def _credential(
    settings: Settings,
    tenant: Tenant,
    award: Award,
    credential_format: str,
    holder_did: str | None,
    issuance_id: uuid.UUID,
) -> str | dict[str, Any]:
    """Return the stored credential, or a copy bound to ``holder_did`` and signed now."""
    if holder_did is None:
        if credential_format == metadata.JWT_VC_JSON:
            return await tenant_services.credential_jwt(settings, tenant, award)
        stored: dict[str, Any] = json.loads(award.credential_text)
        return stored
    unsigned = bound_copy(award.credential_text, holder_did, issuance_id)
    keyring = await tenant_services.load_keyring(settings, tenant)
    if credential_format == metadata.JWT_VC_JSON:
        return vcjwt.encode_vc_jwt(
            unsigned, keyring.rsa.private_key, keyring.rsa.verification_method
        )
    key = keyring.ed25519.private_key
    assert isinstance(key, Ed25519PrivateKey)  # load_keyring files it under Ed25519
    return dataintegrity.sign_eddsa_rdfc_2022(
        unsigned, key, keyring.ed25519.verification_method, created=utcnow()
    )


def bound_copy(credential_text: str, holder_did: str, issuance_id: uuid.UUID) -> dict[str, Any]:
    """Return the award's credential, unsigned, with the wallet's DID as subject id.

    The copy keeps the award's ``credentialStatus``, so revoking the award revokes it too. Its
    own ``id`` keeps the credential page URL for the award's stored form only.
    """
    credential: dict[str, Any] = json.loads(credential_text)
    credential.pop("proof", None)
    credential["id"] = f"urn:uuid:{issuance_id}"
    credential["credentialSubject"] = {"id": holder_did, **credential["credentialSubject"]}
    return credential
