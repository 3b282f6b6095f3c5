"""Deeply nested JSON is a 400 problem on the API and exit status 2 on the command line."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import httpx
import pytest

from hub.credentials import jsonld
from hub.settings import Settings
from tests.factories import make_achievement, make_tenant, make_token
from tests.integration.test_cli import run_cli

pytestmark = pytest.mark.integration

# The reported request: deep enough for json.loads and msgspec to raise RecursionError.
DEEP_ARRAY = "[" * 100_000 + "]" * 100_000
LIMIT = jsonld.MAX_NESTING_DEPTH


def deep_object(depth: int) -> str:
    return '{"a":' * (depth - 1) + "{}" + "}" * (depth - 1)


def compact_jws(payload: str) -> str:
    def segment(text: str) -> str:
        return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()

    return f"{segment(json.dumps({'alg': 'RS256'}))}.{segment(payload)}.c2ln"


@pytest.mark.parametrize(
    "body",
    [DEEP_ARRAY, deep_object(LIMIT + 1), compact_jws(DEEP_ARRAY)],
    ids=["array 100,000 deep", "object one level too deep", "VC-JWT payload"],
)
async def test_verify_rejects_deep_nesting(client: httpx.AsyncClient, body: str) -> None:
    response = await client.post("/api/v1/verify", content=body)

    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "unreadable-credential"
    assert f"more than {LIMIT} levels deep" in problem["detail"]


@pytest.mark.parametrize(
    "body",
    [DEEP_ARRAY, '{"recipient_email": ' + DEEP_ARRAY + "}"],
    ids=["top level", "in a field"],
)
async def test_award_rejects_deep_nesting(
    client: httpx.AsyncClient, settings: Settings, body: str
) -> None:
    tenant = await make_tenant(settings)
    token = await make_token(tenant)

    response = await client.post(
        f"/api/v1/tenants/{tenant.slug}/awards",
        content=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "invalid-request"
    assert f"more than {LIMIT} levels deep" in problem["detail"]


async def test_award_with_shallow_body_still_issues(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    tenant = await make_tenant(settings)
    achievement = await make_achievement(tenant)
    token = await make_token(tenant)
    award = {
        "achievement_id": str(achievement.id),
        "recipient_email": "ada@example.org",
        "recipient_name": "Ada [Lovelace] {1815}",
    }

    response = await client.post(
        f"/api/v1/tenants/{tenant.slug}/awards",
        json=award,
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 201, response.text


@pytest.mark.parametrize("options", [["--no-database"], []], ids=["offline", "database"])
def test_cli_verify_deep_file_exits_two(
    database_url: str, tmp_path: Path, options: list[str]
) -> None:
    path = tmp_path / "deep.json"
    path.write_text(DEEP_ARRAY)

    result = run_cli("verify", str(path), *options, database_url=database_url)

    assert result.returncode == 2, result.stderr
    assert f"more than {LIMIT} levels deep" in result.stderr
    assert "Traceback" not in result.stderr
