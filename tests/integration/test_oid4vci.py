"""A student hands a badge to a scripted wallet over OpenID4VCI 1.0, and the requests it rejects."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from joserfc.jwk import ECKey, OKPKey

from hub import verification
from hub.app import create_app
from hub.credentials import vcjwt
from hub.oid4vci import services
from hub.oid4vci.errors import Oid4vciError
from hub.oid4vci.proofs import did_jwk_for
from hub.oid4vci.tables import Oid4vciIssuance, Oid4vciOffer
from hub.settings import Settings
from hub.tables import AuditEvent
from tenants import status
from tenants.scope import TenantScope
from tenants.services import get_tenant
from tenants.tables import Award
from tests.factories import make_achievement, make_award
from tests.integration.mail_support import make_user, sign_in, uphf
from tests.integration.oid4vci_wallet import Offer, Wallet, read_offer, read_offer_uri

pytestmark = pytest.mark.integration

EARNER = "ines.marchand"
JWT_CONFIGURATION = "OpenBadgeCredential_jwt_vc_json"
LDP_CONFIGURATION = "OpenBadgeCredential_ldp_vc"


@dataclass
class Scene:
    settings: Settings
    award: Award
    browser: httpx.AsyncClient
    wallet: Wallet

    async def offer(self, tx_code: bool = True) -> Offer:
        """Open the wallet page as the signed-in earner and create an offer there."""
        csrf = self.browser.cookies.get("badgehub_csrf") or ""
        form = {"_csrf_token": csrf} | ({"tx_code": "on"} if tx_code else {})
        response = await self.browser.post(f"/credentials/{self.award.id}/wallet", data=form)
        assert response.status_code == 200, response.text
        return read_offer(response.text)

    async def access_token(self, offer: Offer) -> str:
        response = await self.wallet.token(offer, offer.tx_code)
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])


@pytest.fixture
async def scene(db: str, settings: Settings) -> AsyncIterator[Scene]:
    tenant = await uphf(settings)
    achievement = await make_achievement(tenant)
    award = (await make_award(settings, tenant, achievement, email=f"{EARNER}@example.org")).award
    earner = await make_user(tenant, EARNER, role=None)
    app = create_app(settings, db)
    async with (
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url=settings.public_url,
            headers={"accept": "text/html"},
        ) as browser,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=settings.public_url
        ) as wallet_http,
    ):
        await sign_in(browser, settings, earner)
        yield Scene(settings, award, browser, Wallet(wallet_http))


async def receive(scene: Scene, configuration: str) -> Any:
    """Run the whole flow from the wallet page to the credential response."""
    offer = await scene.offer()
    metadata = await scene.wallet.metadata(offer.issuer)
    token = await scene.access_token(offer)
    nonce = await scene.wallet.nonce(metadata)
    proof = scene.wallet.proof(offer.issuer, nonce)
    body = {"credential_configuration_id": configuration, "proofs": {"jwt": [proof]}}
    response = await scene.wallet.credential(metadata, token, body)
    assert response.status_code == 200, response.text
    return response.json()["credentials"][0]["credential"]


async def test_student_hands_ldp_badge_to_wallet(scene: Scene) -> None:
    credential = await receive(scene, LDP_CONFIGURATION)

    report = await verification.verify(scene.settings, credential)
    stored = await Oid4vciIssuance.objects().where(Oid4vciIssuance.award == scene.award.id)

    assert report.valid, report.to_dict()
    assert credential["credentialSubject"]["id"] == scene.wallet.did
    stored_credential = json.loads(scene.award.credential_text)
    assert credential["credentialStatus"] == stored_credential["credentialStatus"]
    assert credential["id"] != stored_credential["id"]
    assert [(row.credential_format, row.holder_did) for row in stored] == [
        ("ldp_vc", scene.wallet.did)
    ]


async def test_student_hands_jwt_badge_to_wallet(scene: Scene) -> None:
    token = await receive(scene, JWT_CONFIGURATION)

    report = await verification.verify(scene.settings, token)
    parsed = vcjwt.parse_vc_jwt(token)

    assert report.valid, report.to_dict()
    assert parsed.claims["sub"] == scene.wallet.did
    assert parsed.credential is not None
    assert parsed.credential["credentialSubject"]["id"] == scene.wallet.did


async def test_p256_wallet_gets_did_jwk_subject(scene: Scene) -> None:
    scene.wallet.key = ECKey.generate_key("P-256")

    credential = await receive(scene, LDP_CONFIGURATION)

    expected = did_jwk_for(scene.wallet.key.as_dict(private=False))
    assert credential["credentialSubject"]["id"] == expected
    assert (await verification.verify(scene.settings, credential)).valid


async def test_without_proof_stored_credential_is_delivered(scene: Scene) -> None:
    offer = await scene.offer(tx_code=False)
    metadata = await scene.wallet.metadata(offer.issuer)
    token = await scene.access_token(offer)

    response = await scene.wallet.credential(
        metadata, token, {"credential_configuration_id": LDP_CONFIGURATION}
    )

    assert offer.tx_code is None
    assert "tx_code" not in offer.document["grants"][services.PRE_AUTHORIZED_GRANT]
    assert response.json()["credentials"][0]["credential"] == json.loads(
        scene.award.credential_text
    )


async def test_metadata_names_endpoints_and_formats(scene: Scene) -> None:
    offer = await scene.offer()

    metadata = await scene.wallet.metadata(offer.issuer)

    base = "http://127.0.0.1:8000/tenants/uphf"
    assert offer.issuer == base
    assert metadata["credential_issuer"] == base
    assert metadata["credential_endpoint"] == f"{base}/oid4vci/credential"
    assert metadata["nonce_endpoint"] == f"{base}/oid4vci/nonce"
    configurations = metadata["credential_configurations_supported"]
    assert {c["format"] for c in configurations.values()} == {"jwt_vc_json", "ldp_vc"}
    assert set(offer.document["credential_configuration_ids"]) == set(configurations)
    for configuration in configurations.values():
        assert configuration["proof_types_supported"]["jwt"]["proof_signing_alg_values_supported"]


async def test_reused_code_is_invalid_grant(scene: Scene) -> None:
    offer = await scene.offer()
    await scene.access_token(offer)

    again = await scene.wallet.token(offer, offer.tx_code)

    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


async def test_expired_offer_is_invalid_grant(scene: Scene) -> None:
    offer = await scene.offer()
    await Oid4vciOffer.update(
        {Oid4vciOffer.expires_at: services.utcnow() - timedelta(seconds=1)}, force=True
    )

    response = await scene.wallet.token(offer, offer.tx_code)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert "expired" in response.json()["error_description"]


async def test_wrong_tx_codes_end_the_offer(scene: Scene) -> None:
    offer = await scene.offer()
    assert offer.tx_code is not None
    wrong = f"{(int(offer.tx_code) + 1) % 10**6:06d}"

    missing = await scene.wallet.token(offer)
    failures = [
        await scene.wallet.token(offer, wrong) for _ in range(services.MAX_TX_CODE_FAILURES)
    ]
    right_too_late = await scene.wallet.token(offer, offer.tx_code)

    assert missing.json()["error"] == "invalid_grant"
    assert [response.json()["error"] for response in failures] == ["invalid_grant"] * 5
    assert right_too_late.status_code == 400
    assert "too many" in right_too_late.json()["error_description"]


async def test_proof_faults_are_rejected(scene: Scene) -> None:
    offer = await scene.offer()
    metadata = await scene.wallet.metadata(offer.issuer)
    token = await scene.access_token(offer)
    stranger = Wallet(scene.wallet.http, OKPKey.generate_key("Ed25519"))

    async def send(proof: str) -> dict[str, Any]:
        body = {"credential_configuration_id": LDP_CONFIGURATION, "proofs": {"jwt": [proof]}}
        response = await scene.wallet.credential(metadata, token, body)
        assert response.status_code == 400, response.text
        error: dict[str, Any] = response.json()
        return error

    good = scene.wallet.proof(offer.issuer, await scene.wallet.nonce(metadata))
    head, claims, _ = good.split(".")
    forged = f"{head}.{claims}.{stranger.proof(offer.issuer, 'x').split('.')[2]}"
    wrong_aud = scene.wallet.proof("https://evil.example", await scene.wallet.nonce(metadata))
    stale_iat = scene.wallet.proof(offer.issuer, await scene.wallet.nonce(metadata), iat=1)
    unknown_nonce = scene.wallet.proof(offer.issuer, "not-a-nonce-of-this-hub")
    no_nonce = scene.wallet.proof(offer.issuer, None)

    assert (await send(forged))["error"] == "invalid_proof"
    assert (await send(wrong_aud))["error"] == "invalid_proof"
    assert (await send(stale_iat))["error"] == "invalid_proof"
    assert (await send(unknown_nonce))["error"] == "invalid_nonce"
    assert (await send(no_nonce))["error"] == "invalid_nonce"


async def test_spent_nonce_is_rejected(scene: Scene) -> None:
    offer = await scene.offer()
    metadata = await scene.wallet.metadata(offer.issuer)
    token = await scene.access_token(offer)
    proof = scene.wallet.proof(offer.issuer, await scene.wallet.nonce(metadata))
    body = {"credential_configuration_id": LDP_CONFIGURATION, "proofs": {"jwt": [proof]}}
    first = await scene.wallet.credential(metadata, token, body)

    second = await scene.wallet.credential(metadata, token, body)

    assert first.status_code == 200
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_nonce"


async def test_expired_nonce_is_rejected(scene: Scene) -> None:
    nonce = services.new_nonce(scene.settings, now=1_000_000)

    with pytest.raises(Oid4vciError) as raised:
        await services.spend_nonce(scene.settings, nonce)

    assert raised.value.error == "invalid_nonce"


async def test_credential_needs_valid_access_token(scene: Scene) -> None:
    offer = await scene.offer()
    metadata = await scene.wallet.metadata(offer.issuer)
    body = {"credential_configuration_id": LDP_CONFIGURATION}

    response = await scene.wallet.credential(metadata, "made-up", body)

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')


async def test_unknown_configuration_is_rejected(scene: Scene) -> None:
    offer = await scene.offer()
    metadata = await scene.wallet.metadata(offer.issuer)
    token = await scene.access_token(offer)

    response = await scene.wallet.credential(
        metadata, token, {"credential_configuration_id": "mso_mdoc"}
    )

    assert response.status_code == 400
    assert response.json()["error"] == "unknown_credential_configuration"


async def test_only_the_earner_can_offer(scene: Scene, settings: Settings) -> None:
    other = await make_user(await get_tenant("uphf"), "someone.else", role=None)
    await sign_in(scene.browser, settings, other)

    response = await scene.browser.get(f"/credentials/{scene.award.id}/wallet")
    offers = await Oid4vciOffer.count()

    assert response.status_code == 403
    assert offers == 0


async def test_wallet_page_in_french(scene: Scene) -> None:
    csrf = scene.browser.cookies.get("badgehub_csrf") or ""

    page = await scene.browser.get(f"/credentials/{scene.award.id}/wallet?lang=fr")
    offered = await scene.browser.post(
        f"/credentials/{scene.award.id}/wallet", data={"_csrf_token": csrf, "tx_code": "on"}
    )

    assert page.status_code == 200
    assert "Envoyer ce badge vers un portefeuille" in page.text
    assert "Code à saisir dans le portefeuille" in offered.text
    assert "<svg" in offered.text
    assert offered.headers["cache-control"] == "no-store"


async def test_revoked_badge_is_not_delivered(scene: Scene) -> None:
    offer = await scene.offer()
    metadata = await scene.wallet.metadata(offer.issuer)
    token = await scene.access_token(offer)
    tenant = await get_tenant("uphf")
    await status.revoke(TenantScope(tenant), scene.award.id, "test", "test")

    response = await scene.wallet.credential(
        metadata, token, {"credential_configuration_id": LDP_CONFIGURATION}
    )
    new_offer = await scene.browser.post(
        f"/credentials/{scene.award.id}/wallet",
        data={"_csrf_token": scene.browser.cookies.get("badgehub_csrf") or ""},
    )

    assert response.status_code == 400
    assert response.json()["error"] == "credential_request_denied"
    assert new_offer.status_code == 409
    assert await Oid4vciIssuance.count() == 0


async def test_expired_access_token_is_invalid(scene: Scene) -> None:
    offer = await scene.offer()
    metadata = await scene.wallet.metadata(offer.issuer)
    token = await scene.access_token(offer)
    await Oid4vciOffer.update(
        {Oid4vciOffer.token_expires_at: services.utcnow() - timedelta(seconds=1)}, force=True
    )

    response = await scene.wallet.credential(
        metadata, token, {"credential_configuration_id": LDP_CONFIGURATION}
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"


async def test_offer_and_delivery_are_audited(scene: Scene) -> None:
    await receive(scene, JWT_CONFIGURATION)

    events = await AuditEvent.select(AuditEvent.action, AuditEvent.actor).where(
        AuditEvent.target == str(scene.award.id)
    )

    assert {"action": "credential:offered", "actor": f"user:test:{EARNER}"} in events
    assert {"action": "credential:delivered", "actor": "wallet"} in events


async def test_offer_by_reference_matches_offer_by_value(scene: Scene) -> None:
    csrf = scene.browser.cookies.get("badgehub_csrf") or ""
    page = await scene.browser.post(
        f"/credentials/{scene.award.id}/wallet", data={"_csrf_token": csrf, "tx_code": "on"}
    )
    by_value = read_offer(page.text)
    uri = read_offer_uri(page.text)

    fetched = await scene.wallet.http.get(uri)
    token = await scene.wallet.token(Offer(fetched.json(), by_value.tx_code), by_value.tx_code)
    after_use = await scene.wallet.http.get(uri)

    assert uri.startswith(f"{scene.settings.public_url}/tenants/uphf/oid4vci/offers/")
    assert fetched.status_code == 200
    assert fetched.headers["cache-control"] == "no-store"
    assert fetched.json() == by_value.document
    assert token.status_code == 200, token.text
    assert after_use.status_code == 404
    assert after_use.json()["error"] == "invalid_request"


async def test_offer_by_reference_unknown_or_expired(scene: Scene) -> None:
    csrf = scene.browser.cookies.get("badgehub_csrf") or ""
    page = await scene.browser.post(
        f"/credentials/{scene.award.id}/wallet", data={"_csrf_token": csrf}
    )
    uri = read_offer_uri(page.text)
    await Oid4vciOffer.update(
        {Oid4vciOffer.expires_at: datetime.now(UTC) - timedelta(seconds=1)}, force=True
    )

    expired = await scene.wallet.http.get(uri)
    unknown = await scene.wallet.http.get(uri.rsplit("/", 1)[0] + f"/{uuid.uuid4()}")
    other_tenant = await scene.wallet.http.get(uri.replace("/tenants/uphf/", "/tenants/btu/"))

    assert expired.status_code == 404
    assert unknown.status_code == 404
    assert other_tenant.status_code == 404


async def test_batch_binds_each_copy_to_its_key(scene: Scene) -> None:
    offer = await scene.offer()
    metadata = await scene.wallet.metadata(offer.issuer)
    token = await scene.access_token(offer)
    nonce = await scene.wallet.nonce(metadata)
    wallets = [scene.wallet, Wallet(scene.wallet.http), Wallet(scene.wallet.http)]
    proofs = [wallet.proof(offer.issuer, nonce) for wallet in wallets]
    body = {"credential_configuration_id": LDP_CONFIGURATION, "proofs": {"jwt": proofs}}

    response = await scene.wallet.credential(metadata, token, body)
    credentials = [item["credential"] for item in response.json()["credentials"]]
    reports = [await verification.verify(scene.settings, item) for item in credentials]
    stored = await Oid4vciIssuance.count().where(Oid4vciIssuance.award == scene.award.id)

    assert metadata["batch_credential_issuance"]["batch_size"] == 5
    assert response.status_code == 200, response.text
    assert [item["credentialSubject"]["id"] for item in credentials] == [
        wallet.did for wallet in wallets
    ]
    assert len({item["id"] for item in credentials}) == 3
    assert all(report.valid for report in reports)
    assert stored == 3


async def test_batch_rejects_repeated_key_and_oversize(scene: Scene) -> None:
    offer = await scene.offer()
    metadata = await scene.wallet.metadata(offer.issuer)
    token = await scene.access_token(offer)
    nonce = await scene.wallet.nonce(metadata)
    same_key = [scene.wallet.proof(offer.issuer, nonce)] * 2
    too_many = [Wallet(scene.wallet.http).proof(offer.issuer, nonce) for _ in range(6)]

    responses = [
        await scene.wallet.credential(
            metadata,
            token,
            {"credential_configuration_id": LDP_CONFIGURATION, "proofs": {"jwt": proofs}},
        )
        for proofs in (same_key, too_many)
    ]
    # Neither request spent the nonce, so a correct request still works with it.
    single = await scene.wallet.credential(
        metadata,
        token,
        {"credential_configuration_id": LDP_CONFIGURATION, "proofs": {"jwt": same_key[:1]}},
    )

    assert [response.status_code for response in responses] == [400, 400]
    assert [response.json()["error"] for response in responses] == ["invalid_proof"] * 2
    assert "different key" in responses[0].json()["error_description"]
    assert "1 to 5" in responses[1].json()["error_description"]
    assert single.status_code == 200, single.text
    assert await Oid4vciIssuance.count() == 1
