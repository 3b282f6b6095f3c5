"""Tables of the federation app: alliance memberships, registry versions and peer hubs."""

from __future__ import annotations

from piccolo.columns import Date, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from tenants.tables import Achievement, Tenant


class Membership(Table):
    """A university's membership of an alliance (itself a tenant of kind ``alliance``)."""

    alliance = ForeignKey(references=Tenant, on_delete=OnDelete.cascade, index=True)
    member = ForeignKey(references=Tenant, on_delete=OnDelete.cascade, index=True)
    status = Varchar(length=16, default="active")
    member_since = Date()
    created_at = Timestamptz()


class RegistryVersion(Table):
    """One signed version of an alliance's trust registry, stored as the exact signed text.

    The membership services sign a new version in the transaction of each change, so the latest
    version lists the memberships as they are. The demo seed creates memberships directly and
    then signs one version for all of them.
    """

    alliance = ForeignKey(references=Tenant, on_delete=OnDelete.cascade, index=True)
    version = Integer()
    document_text = Text()
    created_at = Timestamptz()
    created_by = Varchar(length=255)


class PeerHub(Table):
    """Another hub whose trust registry this hub fetches, verifies and keeps.

    ``status`` is ``pending`` before the first sync, ``ok`` after a sync that fetched the registry
    and every member's DID document, ``degraded`` when some DID documents failed, and ``failed``
    when the last sync kept the previous copy (``last_error`` gives the reason).
    """

    registry_url = Varchar(length=2048, unique=True)
    label = Varchar(length=200)
    added_by = Varchar(length=255)
    created_at = Timestamptz()
    status = Varchar(length=16, default="pending")
    last_attempt_at = Timestamptz(null=True, default=None)
    last_success_at = Timestamptz(null=True, default=None)
    last_error = Text(null=True, default=None)
    consecutive_failures = Integer(default=0)
    # The DID that signed the first accepted registry. Later versions must come from it.
    alliance_did = Varchar(length=2048, null=True, default=None)


class PeerRegistryCopy(Table):
    """The last good registry of a peer: verified, and not older than any copy before it."""

    peer = ForeignKey(references=PeerHub, on_delete=OnDelete.cascade, unique=True)
    version = Integer()
    document_text = Text()
    fetched_at = Timestamptz()


class PeerIssuerDocument(Table):
    """The last good DID document of a member listed in a peer's registry, or of its alliance.

    Verification reads these keys without a fetch, so badges of a peer's members keep verifying
    while the peer or the member's web server is down.
    """

    peer = ForeignKey(references=PeerHub, on_delete=OnDelete.cascade, index=True)
    did = Varchar(length=2048, index=True)
    document_text = Text()
    fetched_at = Timestamptz()


class AwardRight(Table):
    """The right of one member university to award one alliance achievement as its issuer.

    The alliance stays the achievement's creator. A pair (achievement, member) is unique, so
    granting twice changes nothing.
    """

    achievement = ForeignKey(references=Achievement, on_delete=OnDelete.cascade, index=True)
    member = ForeignKey(references=Tenant, on_delete=OnDelete.cascade, index=True)
    granted_by = Varchar(length=255)
    granted_at = Timestamptz()
