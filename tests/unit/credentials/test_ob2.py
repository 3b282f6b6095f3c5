"""Open Badges 2.0 verification on the 1EdTech validator's OB 2.0 samples.

Expected verdicts come from that folder's ``expected-results.json`` (valid, warning, invalid),
checked verbatim below; the checks named are ours.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from datetime import UTC, datetime

import pytest

from hub.credentials import ob2
from hub.credentials.report import CheckId, CheckStatus, CredentialFormat
from hub.outbound import FetchedDocument
from tests.ob2_hosting import OB20, SampleFetcher

NOW = datetime(2026, 6, 1, tzinfo=UTC)
EXPECTED = OB20.parent / "expected-results.json"

pytestmark = pytest.mark.skipif(not OB20.is_dir(), reason=f"the shared vectors are not at {OB20}")

HOSTED_CASES = [
    ("basic-assertion.json", "valid", {}),
    ("basic-assertion-no-public-key.json", "valid", {}),
    ("basic-assertion-with-allowed-origins.json", "valid", {}),
    ("basic-assertion-with-allowed-origins-valid-starts-with.json", "valid", {}),
    ("basic-assertion-with-allowed-origins-valid-multiple-starts-with.json", "valid", {}),
    ("basic-assertion-with-language.json", "valid", {}),
    ("assertion-with-endorsements.json", "valid", {}),
    ("warning-issuer-non-http.json", "warning", {"issuer-key": "warning"}),
    ("warning-with-redirection.json", "warning", {"schema": "warning"}),
    ("basic-assertion-expired.json", "invalid", {"validity-window": "failed"}),
    ("basic-assertion-expired-before-issued.json", "invalid", {"validity-window": "failed"}),
    ("basic-assertion-in-future.json", "invalid", {"validity-window": "failed"}),
    (
        "basic-assertion-invalid-context.json",
        "invalid: 1 fatal (ContextPropertyProbe)",
        {"context": "failed"},
    ),
    (
        "basic-assertion-invalid-type.json",
        "invalid: 1 fatal (TypePropertyProbe)",
        {"type": "failed"},
    ),
    (
        "basic-assertion-with-allowed-origins-invalid-starts-with.json",
        "invalid",
        {"issuer-key": "failed"},
    ),
    (
        "basic-assertion-with-allowed-origins-invalid-multiple-starts-with.json",
        "invalid",
        {"issuer-key": "failed"},
    ),
    ("assertion-with-data-image.json", "invalid", {"schema": "failed"}),
]


def upstream_verdict(name: str) -> str:
    return str(json.loads(EXPECTED.read_text("utf-8"))["results"][f"ob20/{name}"]["expected"])


def hosted_at_own_id(name: str) -> tuple[dict[str, object], SampleFetcher]:
    sample = json.loads((OB20 / name).read_text("utf-8"))
    return sample, SampleFetcher(hosted={sample["id"]: OB20 / name})


@pytest.mark.parametrize(("name", "upstream", "statuses"), HOSTED_CASES)
async def test_hosted_sample(name: str, upstream: str, statuses: dict[str, str]) -> None:
    assertion, fetcher = hosted_at_own_id(name)

    report, _ = await ob2.verify_hosted(assertion, None, fetcher, NOW)

    assert upstream_verdict(name) == upstream
    assert report.format is CredentialFormat.OB2_HOSTED
    assert report.valid is (not upstream.startswith("invalid")), report.to_dict()
    for check_id, status in statuses.items():
        check = report.check(CheckId(check_id))
        assert check is not None
        assert check.status == status, check
    if upstream == "valid":
        assert all(check.status == "passed" for check in report.checks), report.to_dict()


async def test_hosted_by_url() -> None:
    _, fetcher = hosted_at_own_id("basic-assertion.json")

    report, _ = await ob2.verify_hosted(
        None, "https://example.org/beths-robotics-badge.json", fetcher, NOW
    )

    assert report.valid
    assert report.summary.achievement_name == "Awesome Robotics Badge"
    assert report.summary.issuer_id == "https://example.org/organization.json"


async def test_hosted_gone_is_revoked() -> None:
    assertion, fetcher = hosted_at_own_id("basic-assertion.json")
    fetcher.gone.add(str(assertion["id"]))

    report, _ = await ob2.verify_hosted(assertion, None, fetcher, NOW)

    status = report.check(CheckId.STATUS)
    assert not report.valid
    assert status is not None
    assert status.status is CheckStatus.FAILED
    assert "410 Gone" in status.message


async def test_hosted_copy_differs() -> None:
    assertion, fetcher = hosted_at_own_id("basic-assertion.json")
    assertion["issuedOn"] = "2017-01-01T00:00:00Z"

    report, _ = await ob2.verify_hosted(assertion, None, fetcher, NOW)

    proof = report.check(CheckId.PROOF)
    assert proof is not None
    assert proof.status is CheckStatus.FAILED
    assert "differs" in proof.message


async def test_hosted_not_found() -> None:
    assertion = json.loads((OB20 / "basic-assertion.json").read_text("utf-8"))

    report, _ = await ob2.verify_hosted(assertion, None, SampleFetcher(), NOW)

    proof = report.check(CheckId.PROOF)
    assert not report.valid
    assert proof is not None
    assert "404" in proof.message


@pytest.mark.parametrize(
    ("name", "upstream", "status"),
    [
        ("simple.jwt", "valid", "passed"),
        ("simple-not-revoked.jwt", "valid", "passed"),
        ("simple-revoked.jwt", "invalid", "failed"),
    ],
)
async def test_signed_sample(name: str, upstream: str, status: str) -> None:
    token = (OB20 / name).read_text("utf-8").strip()

    report, _ = await ob2.verify_signed(token, SampleFetcher(), NOW)

    assert upstream_verdict(name) == upstream
    assert report.format is CredentialFormat.OB2_SIGNED
    assert report.valid is (upstream == "valid"), report.to_dict()
    assert report.check(CheckId.PROOF).status is CheckStatus.PASSED  # type: ignore[union-attr]
    assert report.check(CheckId.STATUS).status == status  # type: ignore[union-attr]


async def test_signed_tampered_payload() -> None:
    header, _, signature = (OB20 / "simple.jwt").read_text("utf-8").strip().split(".")
    other_payload = (OB20 / "simple-revoked.jwt").read_text("utf-8").strip().split(".")[1]

    report, _ = await ob2.verify_signed(
        f"{header}.{other_payload}.{signature}", SampleFetcher(), NOW
    )

    proof = report.check(CheckId.PROOF)
    assert proof is not None
    assert proof.status is CheckStatus.FAILED


class RedirectingFetcher(SampleFetcher):
    """Serve the basic assertion at an old URL that redirects to its id."""

    async def fetch(self, url: str, **options: object) -> FetchedDocument:
        if url != OLD_URL:
            return await super().fetch(url)
        document = await super().fetch(ASSERTION_ID)
        return dataclasses.replace(document, url=OLD_URL)


OLD_URL = "https://example.org/old/beths-robotics-badge.json"
ASSERTION_ID = "https://example.org/beths-robotics-badge.json"


async def test_hosted_redirect_warns() -> None:
    fetcher = RedirectingFetcher(hosted={ASSERTION_ID: OB20 / "basic-assertion.json"})

    report, _ = await ob2.verify_hosted(None, OLD_URL, fetcher, NOW)

    proof = report.check(CheckId.PROOF)
    assert report.valid
    assert proof is not None
    assert proof.status is CheckStatus.WARNING
    assert "redirects" in proof.message


class StallingFetcher(SampleFetcher):
    """Serve the assertion, then never respond for the BadgeClass."""

    async def fetch(self, url: str, **options: object) -> FetchedDocument:
        if url != ASSERTION_ID:
            await asyncio.sleep(3600)
        return await super().fetch(url)


async def test_hosted_slow_issuer_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ob2, "MAX_SECONDS", 0.2)
    assertion, _ = hosted_at_own_id("basic-assertion.json")
    fetcher = StallingFetcher(hosted={ASSERTION_ID: OB20 / "basic-assertion.json"})

    report, _ = await ob2.verify_hosted(assertion, None, fetcher, NOW)

    proof = report.check(CheckId.PROOF)
    assert not report.valid
    assert proof is not None
    assert proof.status is CheckStatus.FAILED
    assert "within 0.2 s" in proof.message
