"""OpenID for Verifiable Credential Issuance 1.0 (final), pre-authorized code flow only.

Each tenant is a Credential Issuer whose identifier is ``{base_url}/tenants/{slug}``; the hub is
also its own authorisation server for the pre-authorized code grant. An earner opens an offer
for one award; a wallet exchanges the offer's code (and the transaction code when the offer has
one) for an access token, fetches a ``c_nonce``, and asks for the credential in ``jwt_vc_json``
(VC-JWT of OB 3.0 §8.2) or ``ldp_vc`` (Data Integrity, eddsa-rdfc-2022).

Holder binding: when the credential request carries a ``jwt`` key proof, the hub signs a new
credential for the same award whose ``credentialSubject.id`` is the wallet's DID (did:key or
did:jwk) and whose ``id`` is ``urn:uuid:<issuance id>``. It keeps the award's
``credentialStatus`` entries, so revoking or suspending the award covers every copy delivered to
wallets. Each delivery is recorded in ``Oid4vciIssuance``. Without a proof the stored credential
is delivered unchanged.
"""
