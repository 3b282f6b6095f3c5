"""A student sends a badge to a wallet from a real browser; the wallet calls the real server."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub import verification
from hub.settings import Settings
from tenants.seed import seed_alliance
from tenants.tables import Award
from tests.browser.conftest import demo_hub_server, dev_sign_in
from tests.integration.oid4vci_wallet import Wallet, read_offer

pytestmark = [pytest.mark.integration, pytest.mark.browser]

STUDENT = "ines.marchand@example.org"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(settings: Settings) -> Settings:
    return dataclasses.replace(settings, public_url=f"http://127.0.0.1:{free_port()}")


@pytest.fixture
async def hub(db: str, served: Settings, tmp_path: Path) -> Iterator[str]:
    await seed_alliance(dataclasses.replace(served, demo=True))
    server = demo_hub_server(served, db, tmp_path / "hub.log")
    url = next(server)
    yield url
    server.close()


async def test_student_sends_badge_to_wallet(chromium: Any, hub: str, served: Settings) -> None:
    award = await Award.objects().where(Award.recipient_email == STUDENT).first()
    student = await dev_sign_in(chromium, hub, STUDENT)
    await student.goto(f"{hub}/credentials/{award.id}/wallet?lang=en")
    await student.click("form.stacked button[type=submit]")
    await student.wait_for_selector("#offer-link")
    offer = read_offer(await student.content())

    async with httpx.AsyncClient(base_url=hub, trust_env=False) as http:
        wallet = Wallet(http)
        metadata = await wallet.metadata(offer.issuer)
        token = (await wallet.token(offer, offer.tx_code)).json()["access_token"]
        proof = wallet.proof(offer.issuer, await wallet.nonce(metadata))
        body = {
            "credential_configuration_id": "OpenBadgeCredential_ldp_vc",
            "proofs": {"jwt": [proof]},
        }
        response = await wallet.credential(metadata, token, body)
    credential = response.json()["credentials"][0]["credential"]
    report = await verification.verify(served, credential)

    assert offer.tx_code is not None
    assert offer.issuer == f"{hub}/tenants/uphf"
    assert await student.locator(".qr svg").count() == 1
    assert response.status_code == 200
    assert credential["credentialSubject"]["id"] == wallet.did
    assert report.valid, report.to_dict()
