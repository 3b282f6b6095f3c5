"""Routes that send a badge of the backpack to another Open Badges 3.0 host.

The earner picks a badge, types or picks the host, and is sent there to consent when needed.
The host sends the browser back to ``/backpack/send/callback``, which finishes the send.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import structlog
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from hub.auth import permissions
from hub.backpack.controllers import signed_in_user
from hub.ob_consumer.badges import AWARD, AWARD_FORMATS, IMPORTED, sendable_badge
from hub.ob_consumer.errors import SendError
from hub.ob_consumer.sealing import SEND_COOKIE, SEND_COOKIE_PATH, SEND_COOKIE_SECONDS, SendAttempt
from hub.ob_consumer.services import AuthorizationRedirect, CredentialSender, SendRequest
from hub.pages import language_of, render
from hub.settings import Settings

log = structlog.get_logger(__name__)

FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


def send_error_page(request: Request[Any, Any, Any], error: SendError) -> Response[Any]:
    """Show a failed send on the result page, with the other host's own explanation if any."""
    log.warning("ob_send_failed", code=error.code, host=error.host)
    return Template(
        "backpack/send_result.html",
        context={
            "lang": language_of(request),
            "viewer": request.scope.get("state", {}).get("principal"),
            "result": None,
            "error": error,
            # A failed form submission links back to its form; the callback has none.
            "again": request.url.path if request.method == "POST" else None,
        },
        status_code=error.status,
        media_type=MediaType.HTML,
    )


class SendController(Controller):
    path = "/backpack"
    opt = {"access": permissions.SIGNED_IN}
    exception_handlers = {SendError: send_error_page}

    @get("/badges/{award_id:uuid}/send")
    async def award_form(
        self,
        request: Request[Any, Any, Any],
        award_id: FromPath[uuid.UUID],
        settings: NamedDependency[Settings],
    ) -> Template:
        return await _form_page(request, settings, AWARD, str(award_id))

    @post("/badges/{award_id:uuid}/send", status_code=303)
    async def send_award(
        self,
        request: Request[Any, Any, Any],
        award_id: FromPath[uuid.UUID],
        settings: NamedDependency[Settings],
        data: FormData,
    ) -> Redirect | Template:
        """Send an issued badge, as JSON (``format=json``) or as a VC-JWT (``format=jwt``)."""
        chosen = data.get("format", "json")
        credential_format = chosen if chosen in AWARD_FORMATS else "json"
        return await _send(request, settings, AWARD, str(award_id), credential_format, data)

    @get("/imported/{badge_id:int}/send")
    async def imported_form(
        self,
        request: Request[Any, Any, Any],
        badge_id: FromPath[int],
        settings: NamedDependency[Settings],
    ) -> Template:
        return await _form_page(request, settings, IMPORTED, str(badge_id))

    @post("/imported/{badge_id:int}/send", status_code=303)
    async def send_imported(
        self,
        request: Request[Any, Any, Any],
        badge_id: FromPath[int],
        settings: NamedDependency[Settings],
        data: FormData,
    ) -> Redirect | Template:
        """Send an imported badge as it was imported: JSON, or a VC-JWT as text."""
        return await _send(request, settings, IMPORTED, str(badge_id), "json", data)

    @get("/send/callback")
    async def callback(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        # ``state`` is a reserved parameter name in Litestar, hence the alias.
        oauth_state: Annotated[str, QueryParameter(name="state")] = "",
        code: FromQuery[str] = "",
        error: FromQuery[str | None] = None,
        error_description: FromQuery[str | None] = None,
    ) -> Template:
        """Finish a send with the host's response to the authorization request (RFC 6749 §4.1.2)."""
        user = await signed_in_user(request)
        attempt = SendAttempt.unseal(settings, request.cookies.get(SEND_COOKIE))
        result = await CredentialSender(settings).finish(
            user, attempt, oauth_state, code, error, error_description
        )
        page = await render(request, "backpack/send_result.html", result=result, error=None)
        page.cookies.append(_send_cookie(settings, "", 0))
        return page

    @post("/send/hosts/{grant_id:int}/forget", status_code=303)
    async def forget(
        self,
        request: Request[Any, Any, Any],
        grant_id: FromPath[int],
        settings: NamedDependency[Settings],
        data: FormData,
    ) -> Redirect:
        """Disconnect a host: revoke the earner's refresh token there and delete it here."""
        user = await signed_in_user(request)
        await CredentialSender(settings).forget(user, grant_id)
        back = data.get("next", "")
        is_own_page = back.startswith("/backpack/") and "//" not in back and "\\" not in back
        target = back if is_own_page else "/backpack"
        return Redirect(f"{target}?disconnected=1", status_code=303)


async def _form_page(
    request: Request[Any, Any, Any], settings: Settings, kind: str, badge_id: str
) -> Template:
    user = await signed_in_user(request)
    credential = await sendable_badge(settings, user, kind, badge_id)
    return await render(
        request,
        "backpack/send.html",
        badge_name=credential.name,
        action=request.url.path,
        formats=AWARD_FORMATS if kind == AWARD else (),
        known_hosts=await CredentialSender(settings).known_hosts(user),
        disconnected=request.query_params.get("disconnected") == "1",
    )


async def _send(
    request: Request[Any, Any, Any],
    settings: Settings,
    kind: str,
    badge_id: str,
    credential_format: str,
    data: dict[str, str],
) -> Redirect | Template:
    user = await signed_in_user(request)
    host = data.get("chosen_host") or data.get("host", "")
    send = SendRequest(kind, badge_id, credential_format, host)
    outcome = await CredentialSender(settings).start(user, send)
    if isinstance(outcome, AuthorizationRedirect):
        cookie = _send_cookie(settings, outcome.sealed_attempt, SEND_COOKIE_SECONDS)
        return Redirect(outcome.url, status_code=303, cookies=[cookie])
    return await render(request, "backpack/send_result.html", result=outcome, error=None)


def _send_cookie(settings: Settings, value: str, max_age: int) -> Cookie:
    """Build the HttpOnly, SameSite=Lax cookie of a send, sent back only to the callback.

    Lax lets the cookie travel with the host's top-level redirect back to the callback.
    """
    return Cookie(
        key=SEND_COOKIE,
        value=value,
        max_age=max_age,
        path=SEND_COOKIE_PATH,
        httponly=True,
        secure=settings.public_url.startswith("https://"),
        samesite="lax",
    )


ROUTES = [SendController]
