"""A malicious or broken Open Badges 3.0 host, and a malicious earner, against "send to backpack".

Each test changes one response of the fake host of ``test_ob_consumer`` and checks that the earner
gets the error page of a failed send (never a 500) and that nothing is stored or leaked.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import structlog

from hub.ob_consumer.tables import ObHostGrant, ObHostRegistration
from tests.document_server import Request, Route
from tests.integration.test_ob_consumer import (
    Earner,
    FakeObProvider,
    fake,  # noqa: F401 - a fixture
    fake_earner,  # noqa: F401 - a fixture
    fake_host,
    send_with_consent,
    status_info,
)

pytestmark = pytest.mark.integration

# 100,000 nested arrays: 200 KB, under the size cap, and deeper than Python's recursion limit.
DEEPLY_NESTED = b"[" * 100_000 + b"]" * 100_000


def error_code(response: Any) -> str:
    marker = 'data-code="'
    start = response.text.find(marker)
    assert start >= 0, response.text[:2000]
    return str(response.text[start + len(marker) :].split('"', 1)[0])


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/ims/ob/v3p0/discovery", 200, "host-discovery-invalid"),
        ("/oauth/register", 201, "registration-rejected"),
        ("/oauth/token", 200, "token-rejected"),
        ("/ims/ob/v3p0/credentials", 400, "upsert-rejected"),
    ],
)
async def test_deeply_nested_json_answer(
    fake: FakeObProvider,  # noqa: F811
    fake_earner: Earner,  # noqa: F811
    path: str,
    status: int,
    code: str,
) -> None:
    fake.server.routes[path] = lambda request: Route(DEEPLY_NESTED, status=status)

    if path in ("/oauth/token", "/ims/ob/v3p0/credentials"):
        response = await send_with_consent(fake_earner, fake_host(fake, fake_earner))
    else:
        response = await fake_earner.send(fake.base_url)

    assert response.status_code == 502, response.text[:2000]
    assert error_code(response) == code


@pytest.mark.parametrize(
    "answer",
    [
        b'{"access_token": "a", "token_type": "mac"}',
        b'{"access_token": "a", "token_type": 7}',
        b'{"access_token": "a", "token_type": "Bearer", "expires_in": 1e400}',
        b'{"access_token": "a", "token_type": "Bearer", "expires_in": [1]}',
        b'{"access_token": "a", "token_type": "Bearer", "expires_at": {"a": 1}}',
        b'{"access_token": "a", "token_type": "Bearer", "expires_in": -5}',
        b"[]",
    ],
    ids=["mac", "number-type", "infinite", "list-expiry", "object-expiry", "expired", "list"],
)
async def test_unusable_token_answer(
    fake: FakeObProvider,  # noqa: F811
    fake_earner: Earner,  # noqa: F811
    answer: bytes,
) -> None:
    fake.server.routes["/oauth/token"] = lambda request: Route(answer)

    response = await send_with_consent(fake_earner, fake_host(fake, fake_earner))

    assert response.status_code == 502, response.text[:2000]
    assert error_code(response) == "token-rejected"
    assert fake.uploads == []


async def test_short_lived_access_token_used(
    fake: FakeObProvider,  # noqa: F811
    fake_earner: Earner,  # noqa: F811
) -> None:
    issue = fake._issue_tokens

    def thirty_seconds(client_id: str) -> dict[str, Any]:
        return {**issue(client_id), "expires_in": 30}

    fake._issue_tokens = thirty_seconds  # type: ignore[method-assign]

    response = await send_with_consent(fake_earner, fake_host(fake, fake_earner))

    assert response.status_code == 200, response.text[:2000]
    assert len(fake.uploads) == 1


@pytest.mark.parametrize("expires_at", [10**20, -(10**20)])
async def test_secret_expiry_out_of_range(
    fake: FakeObProvider,  # noqa: F811
    fake_earner: Earner,  # noqa: F811
    expires_at: int,
) -> None:
    register = fake.register

    def far_expiry(request: Request) -> Route:
        answer = json.loads(register(request).body)
        return Route(json.dumps({**answer, "client_secret_expires_at": expires_at}).encode(), 201)

    fake.server.routes["/oauth/register"] = far_expiry

    response = await fake_earner.send(fake.base_url)

    assert response.status_code in (303, 502), response.text[:2000]
    if response.status_code == 502:
        assert error_code(response) == "registration-rejected"


async def test_overlong_revocation_endpoint_ignored(
    fake: FakeObProvider,  # noqa: F811
    fake_earner: Earner,  # noqa: F811
) -> None:
    long_url = fake.server.url("/oauth/revoke?" + "a" * 3000)
    fake.server.routes["/.well-known/oauth-authorization-server"] = lambda request: Route(
        json.dumps({"revocation_endpoint": long_url}).encode()
    )

    response = await fake_earner.send(fake.base_url)
    row = await ObHostRegistration.objects().first()

    assert response.status_code == 303, response.text[:2000]
    assert row is not None
    assert row.revocation_url is None


async def test_overlong_host_address_rejected(
    fake: FakeObProvider,  # noqa: F811
    fake_earner: Earner,  # noqa: F811
) -> None:
    long_path = "/" + "a" * 2100
    fake.server.routes[f"{long_path}/ims/ob/v3p0/discovery"] = fake.discovery

    response = await fake_earner.send(fake.base_url + long_path)

    assert response.status_code == 400, response.text[:2000]
    assert error_code(response) == "host-url-invalid"
    assert fake.server.requests == []


async def test_huge_host_input_not_echoed(fake_earner: Earner) -> None:  # noqa: F811
    typed = "x " * 50_000
    with structlog.testing.capture_logs() as logs:
        response = await fake_earner.send(typed)

    assert response.status_code == 400
    assert error_code(response) == "host-url-invalid"
    assert typed not in response.text
    assert all(typed not in str(event) for event in logs)


@pytest.mark.parametrize(
    "authorization_url",
    ["javascript:alert(1)//", "data:text/html,<script>alert(1)</script>", "ftp://127.0.0.1/a"],
)
async def test_browser_url_must_be_web(
    fake: FakeObProvider,  # noqa: F811
    fake_earner: Earner,  # noqa: F811
    authorization_url: str,
) -> None:
    discovery = fake.discovery

    def hostile(request: Request) -> Route:
        document = json.loads(discovery(request).body)
        flow = document["components"]["securitySchemes"]["OAuth2ACG"]["flows"]
        flow["authorizationCode"]["authorizationUrl"] = authorization_url
        return Route(json.dumps(document).encode())

    fake.server.routes["/ims/ob/v3p0/discovery"] = hostile

    response = await fake_earner.send(fake.base_url)

    assert response.status_code == 502, response.headers.get("location")
    assert error_code(response) == "host-discovery-invalid"
    assert await ObHostRegistration.count() == 0


async def test_status_info_html_escaped(
    fake: FakeObProvider,  # noqa: F811
    fake_earner: Earner,  # noqa: F811
) -> None:
    fake.upsert_refusal = status_info("<script>alert(1)</script>", "<b>minor</b>")

    response = await send_with_consent(fake_earner, fake_host(fake, fake_earner))

    assert response.status_code == 502
    assert "<script>alert(1)" not in response.text
    assert "<b>minor" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


async def test_send_and_forget_need_csrf_token(
    fake: FakeObProvider,  # noqa: F811
    fake_earner: Earner,  # noqa: F811
) -> None:
    await send_with_consent(fake_earner, fake_host(fake, fake_earner))
    grant = await ObHostGrant.objects().first()
    assert grant is not None
    requests_before = len(fake.server.requests)

    send = await fake_earner.browser.post(
        f"/backpack/badges/{fake_earner.award.id}/send", data={"host": fake.base_url}
    )
    forget = await fake_earner.browser.post(f"/backpack/send/hosts/{grant.id}/forget", data={})

    assert send.status_code == 403
    assert forget.status_code == 403
    assert await ObHostGrant.count() == 1
    assert len(fake.server.requests) == requests_before


async def test_callback_replay_sends_nothing_twice(
    fake: FakeObProvider,  # noqa: F811
    fake_earner: Earner,  # noqa: F811
) -> None:
    started = await fake_earner.send(fake.base_url)
    cookie = fake_earner.browser.cookies.get("badgehub_ob_send")
    callback = await fake.approve(started.headers["location"])
    done = await fake_earner.browser.get(callback)
    fake_earner.browser.cookies.set("badgehub_ob_send", cookie or "", path="/backpack/send")

    replay = await fake_earner.browser.get(callback)

    assert done.status_code == 200, done.text[:2000]
    assert replay.status_code == 502
    assert error_code(replay) == "token-rejected"
    assert len(fake.uploads) == 1


async def test_nothing_secret_logged(
    fake: FakeObProvider,  # noqa: F811
    fake_earner: Earner,  # noqa: F811
) -> None:
    with structlog.testing.capture_logs() as logs:
        started = await fake_earner.send(fake.base_url)
        callback = await fake.approve(started.headers["location"])
        await fake_earner.browser.get(callback)
        await fake_earner.send(fake.base_url)
        fake.upsert_refusal = status_info("no")
        await fake_earner.send(fake.base_url)
    code = callback.split("code=", 1)[1].split("&", 1)[0]
    secrets = [
        code,
        *fake.access_tokens,
        *fake.refresh_tokens,
        *(client["secret"] for client in fake.clients.values()),
        str(fake_earner.user.email),
    ]
    logged = json.dumps(logs, default=str)

    assert logs
    assert [secret for secret in secrets if secret in logged] == []
