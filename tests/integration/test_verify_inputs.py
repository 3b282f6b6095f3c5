"""The verify API and page on every input type, with the real outbound fetcher on loopback.

A small HTTP server on 127.0.0.1, configured as a loopback peer, hosts an Open Badges 2.0
assertion (the 1EdTech ``basic-assertion.json`` sample and its BadgeClass and issuer, with their
URLs moved to the server), an assertion that returns 410 Gone, and a baked PNG of this hub's
own credential.
"""

from __future__ import annotations

import json
import struct
import threading
import uuid
import zlib
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub import verification
from hub.credentials import baking
from hub.credentials.report import CheckId, CheckStatus
from hub.outbound import fetcher_for
from hub.settings import Settings
from tenants.services import credential_jwt
from tests.factories import make_achievement, make_award, make_tenant
from tests.ob2_hosting import OB20, SampleFetcher

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not OB20.is_dir(), reason=f"the shared vectors are not at {OB20}"),
]

BAKERY_PNG = OB20.parents[1] / "mozilla__openbadges-bakery" / "test" / "unbaked.png"
BAKERY_SVG = BAKERY_PNG.with_name("unbaked.svg")
# A fixed clock, as in the unit tests of the OB 2.0 samples.
NOW = datetime(2026, 6, 1, tzinfo=UTC)


class _Site:
    """Documents served by path, plus paths that return 410 Gone."""

    def __init__(self) -> None:
        self.documents: dict[str, tuple[str, bytes]] = {}
        self.gone: set[str] = set()


def _handler(site: _Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path in site.gone:
                self.send_response(410)
                self.end_headers()
                return
            found = site.documents.get(self.path)
            if found is None:
                self.send_response(404)
                self.end_headers()
                return
            media_type, body = found
            self.send_response(200)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def site() -> Iterator[tuple[_Site, str]]:
    hosted = _Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(hosted))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield hosted, f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def peer_settings(settings: Settings, site: tuple[_Site, str]) -> Settings:
    _, peer = site
    return Settings(
        demo=False,
        data_dir=settings.data_dir,
        public_url=settings.public_url,
        key_encryption_key=settings.key_encryption_key,
        outbound_loopback_peers=(peer,),
    )


@pytest.fixture
async def api(db: str, peer_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    from hub.app import create_app

    app = create_app(peer_settings, db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=peer_settings.public_url) as http:
        yield http
    fetcher_for(peer_settings).clear_cache()


def host_ob2_sample(site: _Site, peer: str) -> str:
    """Serve the basic hosted assertion, its BadgeClass and issuer; return the assertion URL."""
    base = f"http://{peer}"
    assertion = json.loads((OB20 / "basic-assertion.json").read_text("utf-8"))
    badge = json.loads((OB20 / "assets" / "robotics-badge.json").read_text("utf-8"))
    issuer = json.loads((OB20 / "assets" / "organization.json").read_text("utf-8"))
    assertion["id"] = f"{base}/beths-robotics-badge.json"
    assertion["badge"] = badge["id"] = f"{base}/robotics-badge.json"
    badge["issuer"] = issuer["id"] = f"{base}/organization.json"
    for document in (assertion, badge, issuer):
        path = "/" + str(document["id"]).rsplit("/", 1)[1]
        site.documents[path] = ("application/json", json.dumps(document).encode())
    return str(assertion["id"])


async def issued_credential(settings: Settings) -> tuple[str, str]:
    """Issue a credential on this hub; return its JSON text and its VC-JWT."""
    tenant = await make_tenant(settings)
    achievement = await make_achievement(tenant)
    award = (await make_award(settings, tenant, achievement)).award
    return award.credential_text, await credential_jwt(settings, tenant, award)


def check_status(report: dict[str, Any], check_id: str) -> str:
    return next(check["status"] for check in report["checks"] if check["check"] == check_id)


async def test_hosted_ob2_by_url(api: httpx.AsyncClient, site: tuple[_Site, str]) -> None:
    url = host_ob2_sample(*site)

    response = await api.post("/api/v1/verify", json={"url": url})

    assert response.status_code == 200, response.text
    report = response.json()
    assert report["valid"] is True, report
    assert report["format"] == "ob2_hosted"
    assert report["input"] == f"URL {url}, JSON"
    assert report["achievement_name"] == "Awesome Robotics Badge"
    assert check_status(report, "trust") == "warning"


async def test_hosted_ob2_gone(api: httpx.AsyncClient, site: tuple[_Site, str]) -> None:
    hosted, peer = site
    url = host_ob2_sample(hosted, peer)
    hosted.gone.add("/beths-robotics-badge.json")

    response = await api.post("/api/v1/verify", json={"url": url})

    assert response.status_code == 200, response.text
    report = response.json()
    assert report["valid"] is False
    status = next(check for check in report["checks"] if check["check"] == "status")
    assert status["status"] == "failed"
    assert "410 Gone" in status["message"]


async def test_hosted_ob2_pasted_json_gone(api: httpx.AsyncClient, site: tuple[_Site, str]) -> None:
    hosted, peer = site
    url = host_ob2_sample(hosted, peer)
    assertion = hosted.documents["/beths-robotics-badge.json"][1]
    hosted.gone.add("/beths-robotics-badge.json")

    response = await api.post("/api/v1/verify", content=assertion)

    assert response.status_code == 200, response.text
    assert response.json()["valid"] is False
    assert check_status(response.json(), "status") == "failed"
    assert url in response.json()["checks"][-1]["message"]


async def test_baked_png_upload(api: httpx.AsyncClient, peer_settings: Settings) -> None:
    credential, _ = await issued_credential(peer_settings)
    png = baking.bake_png(BAKERY_PNG.read_bytes(), credential)

    response = await api.post("/api/v1/verify", files={"file": ("badge.png", png, "image/png")})

    assert response.status_code == 200, response.text
    report = response.json()
    assert report["valid"] is True, report
    assert report["input"] == "baked PNG (Open Badges 3.0), JSON"
    assert report["format"] == "ldp_vc"


async def test_baked_svg_jwt_body(api: httpx.AsyncClient, peer_settings: Settings) -> None:
    _, token = await issued_credential(peer_settings)
    svg = baking.bake_svg(BAKERY_SVG.read_text("utf-8"), token)

    response = await api.post(
        "/api/v1/verify", content=svg.encode(), headers={"Content-Type": "image/svg+xml"}
    )

    assert response.status_code == 200, response.text
    report = response.json()
    assert report["valid"] is True, report
    assert report["format"] == "jwt_vc"
    assert report["input"] == "baked SVG (Open Badges 3.0), compact JWS"


async def test_baked_png_by_url(
    api: httpx.AsyncClient, peer_settings: Settings, site: tuple[_Site, str]
) -> None:
    hosted, peer = site
    credential, _ = await issued_credential(peer_settings)
    hosted.documents["/badge.png"] = (
        "image/png",
        baking.bake_png(BAKERY_PNG.read_bytes(), credential),
    )
    url = f"http://{peer}/badge.png"

    response = await api.post("/api/v1/verify", files={"url": (None, url)})

    assert response.status_code == 200, response.text
    assert response.json()["valid"] is True
    assert response.json()["input"] == f"URL {url}, baked PNG (Open Badges 3.0), JSON"


async def test_unknown_context(api: httpx.AsyncClient, peer_settings: Settings) -> None:
    credential, _ = await issued_credential(peer_settings)
    changed = json.loads(credential)
    changed["@context"][1] = "https://example.org/unknown-context.json"

    response = await api.post("/api/v1/verify", json=changed)

    assert response.status_code == 200, response.text
    assert response.json()["valid"] is False
    assert check_status(response.json(), "context") == "failed"


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_before_iend(extra: bytes) -> bytes:
    png = BAKERY_PNG.read_bytes()
    iend = png.rindex(b"IEND") - 4
    return png[:iend] + extra + png[iend:]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            _chunk(b"iTXt", b"openbadgecredential\0\x01\0\0\0" + zlib.compress(b"{}")),
            "compressed iTXt is not allowed by the baking spec",
        ),
        (
            struct.pack(">I", 8 * 1024 * 1024) + b"iTXt" + b"openbadgecredential\0",
            "over the limit of 1,048,576 bytes",
        ),
    ],
    ids=["compressed", "oversized"],
)
async def test_hostile_png(api: httpx.AsyncClient, extra: bytes, message: str) -> None:
    response = await api.post(
        "/api/v1/verify", files={"file": ("badge.png", _png_before_iend(extra), "image/png")}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "unreadable-image"
    assert message in response.json()["detail"]


async def test_form_encoded_credential_body(
    api: httpx.AsyncClient, peer_settings: Settings
) -> None:
    # `curl --data-binary @credential.json` sends this content type by default.
    credential, token = await issued_credential(peer_settings)
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}

    as_json = await api.post("/api/v1/verify", content=credential, headers=form_type)
    as_jws = await api.post("/api/v1/verify", content=token, headers=form_type)
    as_form = await api.post("/api/v1/verify", data={"text": token})

    assert as_json.status_code == 200, as_json.text
    assert as_json.json()["valid"] is True
    assert as_jws.status_code == 200, as_jws.text
    assert as_jws.json()["format"] == "jwt_vc"
    assert as_form.status_code == 200, as_form.text
    assert as_form.json()["valid"] is True


async def test_empty_form(api: httpx.AsyncClient) -> None:
    response = await api.post("/api/v1/verify", files={"text": (None, "")})

    assert response.status_code == 400
    assert "nothing to verify" in response.json()["detail"]
    assert "baked PNG or SVG image" in response.json()["detail"]


async def test_unreachable_url(api: httpx.AsyncClient) -> None:
    response = await api.post("/api/v1/verify", json={"url": "http://10.0.0.1/badge.json"})

    assert response.status_code == 400
    assert response.json()["code"] == "unreadable-url"


async def test_page_renders_report(api: httpx.AsyncClient, peer_settings: Settings) -> None:
    _, token = await issued_credential(peer_settings)
    form = await api.get("/verify?lang=fr")
    csrf = api.cookies.get("badgehub_csrf")

    response = await api.post(
        "/verify",
        files={"text": (None, token), "recipient": (None, "")},
        headers={"x-csrf-token": csrf or ""},
    )

    assert form.status_code == 200
    assert "Vérifier un badge" in form.text
    assert response.status_code == 200, response.text
    assert "Valide : chaque contrôle" in response.text
    assert "compact JWS" in response.text


async def test_page_unreadable_input(api: httpx.AsyncClient) -> None:
    await api.get("/verify?lang=en")
    csrf = api.cookies.get("badgehub_csrf")

    response = await api.post(
        "/verify", files={"text": (None, "not a credential")}, headers={"x-csrf-token": csrf or ""}
    )

    assert response.status_code == 400
    assert "This could not be verified" in response.text
    assert "compact JWS" in response.text


@pytest.mark.parametrize(
    ("name", "expected_format", "is_valid"),
    [
        ("simple.jwt", "ob2_signed", True),
        ("simple-not-revoked.jwt", "ob2_signed", True),
        ("simple-revoked.jwt", "ob2_signed", False),
    ],
)
async def test_service_ob2_signed_samples(
    db: str, settings: Settings, name: str, expected_format: str, is_valid: bool
) -> None:
    token = (OB20 / name).read_text("utf-8")

    report = await verification.verify(settings, token, NOW, fetcher=SampleFetcher())

    assert report.format == expected_format
    assert report.valid is is_valid, report.to_dict()
    assert report.input_description == "JWS"
    assert report.check(CheckId.TRUST) is not None


async def test_service_ob2_baked_png(db: str, settings: Settings, tmp_path: Path) -> None:
    png = (OB20 / "simple-badge.png").read_bytes()
    hosted = tmp_path / "assertion.json"
    hosted.write_text(baking.unbake(png).text, "utf-8")
    fetcher = SampleFetcher(hosted={"https://example.org/beths-robotics-badge.json": hosted})

    report = await verification.verify(settings, png, NOW, fetcher=fetcher)

    assert report.format == "ob2_hosted"
    assert report.valid, report.to_dict()
    assert report.input_description == "baked PNG (Open Badges 2.0), JSON"
    trust = report.check(CheckId.TRUST)
    assert trust is not None
    assert trust.status is CheckStatus.WARNING
    assert trust.message.startswith("issuer not in any trusted registry")


async def test_recipient_field_baked_png(api: httpx.AsyncClient, peer_settings: Settings) -> None:
    credential, _ = await issued_credential(peer_settings)
    png = baking.bake_png(BAKERY_PNG.read_bytes(), credential)
    upload = {"file": ("badge.png", png, "image/png")}

    matching = await api.post("/api/v1/verify", files=upload, data={"recipient": "ada@example.org"})
    other = await api.post("/api/v1/verify", files=upload, data={"recipient": "eve@example.org"})

    assert matching.status_code == 200, matching.text
    assert check_status(matching.json(), "recipient") == "passed"
    assert check_status(other.json(), "recipient") == "failed"
    assert other.json()["valid"] is False


async def test_service_ob2_recipient_mismatch(db: str, settings: Settings) -> None:
    token = (OB20 / "simple.jwt").read_text("utf-8")

    report = await verification.verify(
        settings, token, NOW, recipient="eve@example.org", fetcher=SampleFetcher()
    )

    recipient = report.check(CheckId.RECIPIENT)
    assert recipient is not None
    assert recipient.status is CheckStatus.FAILED
    assert not report.valid


async def test_upload_over_body_limit(api: httpx.AsyncClient) -> None:
    png = _png_before_iend(b"") + b"\0" * (3 * 1024 * 1024)

    response = await api.post("/api/v1/verify", files={"file": ("badge.png", png, "image/png")})

    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_own_credential_url_read_locally(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    # The plain `client` hub has no loopback peers, so only the database can resolve this URL.
    tenant = await make_tenant(settings)
    award = (await make_award(settings, tenant, await make_achievement(tenant))).award
    page_url = f"{settings.base_url}/credentials/{award.id}"

    page = await client.post("/api/v1/verify", json={"url": page_url})
    document = await client.post("/api/v1/verify", json={"url": f"{page_url}/credential.json"})
    unknown = await client.post(
        "/api/v1/verify", json={"url": f"{settings.base_url}/credentials/{uuid.uuid4()}"}
    )

    assert page.status_code == 200, page.text
    assert page.json()["valid"] is True
    assert page.json()["input"].startswith(f"URL {page_url}")
    assert document.status_code == 200, document.text
    assert document.json()["valid"] is True
    assert unknown.status_code == 400
    assert unknown.json()["code"] == "unreadable-url"


@pytest.mark.parametrize(
    ("url", "scheme"),
    [("ftp://files.example/badge.json", "ftp"), ("file:///etc/passwd", "file")],
)
async def test_other_url_scheme_named(client: httpx.AsyncClient, url: str, scheme: str) -> None:
    response = await client.post("/api/v1/verify", json={"url": url})

    assert response.status_code == 400
    assert f"the scheme {scheme!r} are not accepted" in response.json()["detail"]


async def test_two_inputs_rejected(api: httpx.AsyncClient, peer_settings: Settings) -> None:
    credential, token = await issued_credential(peer_settings)

    response = await api.post(
        "/api/v1/verify",
        files={
            "file": ("badge.json", credential.encode(), "application/json"),
            "text": (None, token),
        },
    )

    assert response.status_code == 400
    assert response.json()["code"] == "ambiguous-input"
    assert "both file and text were given" in response.json()["detail"]
