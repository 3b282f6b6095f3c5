"""Offers made to wallets, used key-proof nonces, and the credentials delivered over OID4VCI."""

from __future__ import annotations

from piccolo.columns import UUID, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from tenants.tables import Award, Tenant


class Oid4vciOffer(Table):
    """One credential offer for one award: short-lived, and its code works once.

    Codes and tokens are stored as SHA-256 digests (the transaction code as an HMAC, because a
    six-digit code has too few values for a plain digest to hide it).
    """

    id = UUID(primary_key=True)
    tenant = ForeignKey(Tenant, null=False)
    award = ForeignKey(Award, null=False)
    code_hash = Varchar(length=64, unique=True)
    tx_code_hash = Varchar(length=64, null=True, default=None)
    tx_code_failures = Integer(default=0)
    created_by = Varchar(length=255)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    access_token_hash = Varchar(length=64, null=True, default=None, unique=True)
    token_expires_at = Timestamptz(null=True, default=None)


class Oid4vciNonceUse(Table):
    """A ``c_nonce`` already spent in a key proof; rows past ``expires_at`` may be deleted."""

    nonce_hash = Varchar(length=64, primary_key=True)
    expires_at = Timestamptz()


class Oid4vciIssuance(Table):
    """One credential delivered to a wallet, bound to the wallet's DID or the stored one."""

    id = UUID(primary_key=True)
    offer = ForeignKey(Oid4vciOffer, null=False)
    award = ForeignKey(Award, null=False)
    credential_format = Varchar(length=32)
    holder_did = Text(null=True, default=None)
    credential_text = Text()
    issued_at = Timestamptz()
