"""Rendering console and public pages with the request's language and signed-in person."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request
from litestar.datastructures import Cookie
from litestar.response import Template

from hub.auth.principal import authenticate
from hub.i18n import LANGUAGE_COOKIE, request_language

LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600


def language_of(request: Request[Any, Any, Any]) -> str:
    return request_language(
        request.query_params.get("lang"),
        request.cookies.get(LANGUAGE_COOKIE),
        request.headers.get("accept-language"),
    )


async def render(
    request: Request[Any, Any, Any], template: str, status_code: int = 200, **context: Any
) -> Template:
    """Render a page with ``lang``, ``viewer`` (the signed-in person or None) and ``t``."""
    language = language_of(request)
    cookies = []
    if request.query_params.get("lang") == language:
        cookies.append(
            Cookie(
                key=LANGUAGE_COOKIE,
                value=language,
                max_age=LANGUAGE_COOKIE_SECONDS,
                httponly=True,
                samesite="lax",
            )
        )
    viewer = await authenticate(request)
    return Template(
        template,
        context={"lang": language, "viewer": viewer, **context},
        media_type=MediaType.HTML,
        status_code=status_code,
        cookies=cookies,
    )
