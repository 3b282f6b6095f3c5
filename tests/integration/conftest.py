"""Fixtures of the integration tests: a cookie-keeping client that asks for HTML, like a browser."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from hub.app import create_app
from hub.settings import Settings


@pytest.fixture
async def browser(db: str, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(settings, db))
    async with httpx.AsyncClient(
        transport=transport, base_url=settings.public_url, headers={"accept": "text/html"}
    ) as client:
        yield client
