"""Sign-in and sign-out routes: Keycloak login, its callback, logout, development sign-in."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from hub.auth import devlogin, login
from hub.auth.permissions import PUBLIC
from hub.auth.principal import SESSION_COOKIE
from hub.errors import InvalidInputError, NotFoundError
from hub.pages import render
from hub.settings import Settings


def _cookie(settings: Settings, key: str, value: str, max_age: int | None, path: str) -> Cookie:
    """Build an HttpOnly, SameSite=Lax cookie, Secure whenever the hub is served over https."""
    return Cookie(
        key=key,
        value=value,
        max_age=max_age,
        path=path,
        httponly=True,
        secure=settings.public_url.startswith("https://"),
        samesite="lax",
    )


def _session_cookie(settings: Settings, value: str, max_age: int | None) -> Cookie:
    return _cookie(settings, SESSION_COOKIE, value, max_age, "/")


def _login_cookie(settings: Settings, value: str, max_age: int) -> Cookie:
    return _cookie(settings, login.LOGIN_COOKIE, value, max_age, "/auth")


def _is_loopback_client(request: Request[Any, Any, Any]) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host in ("localhost", "testclient")


async def _signed_in(
    settings: Settings, user: Any, id_token: str | None, next_path: str
) -> Redirect:
    token = await login.open_session(settings, user, id_token)
    max_age = settings.session_max_hours * 3600
    return Redirect(
        login.safe_next_path(next_path),
        status_code=303,
        cookies=[
            _session_cookie(settings, token, max_age),
            _login_cookie(settings, "", 0),
        ],
    )


class AuthController(Controller):
    path = "/auth"
    opt = {"access": PUBLIC}

    @get("/login")
    async def start(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        next: FromQuery[str | None] = None,
    ) -> Redirect | Template:
        client: login.OidcClient | None = request.app.state.oidc_client
        if client is None:
            if settings.dev_login:
                query = urlencode({"next": login.safe_next_path(next)})
                return Redirect(f"/auth/dev-login?{query}")
            return await render(request, "login_unavailable.html", status_code=503)
        attempt = login.LoginAttempt.start(next or "/console")
        key = login.derive_key(settings, b"login-cookie")
        return Redirect(
            await client.authorization_url(attempt),
            cookies=[_login_cookie(settings, attempt.seal(key), login.LOGIN_COOKIE_SECONDS)],
        )

    @get("/callback")
    async def callback(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        # ``state`` is a reserved parameter name in Litestar, hence the alias.
        oidc_state: Annotated[str, QueryParameter(name="state")] = "",
        code: FromQuery[str] = "",
        error: FromQuery[str | None] = None,
    ) -> Redirect:
        client: login.OidcClient | None = request.app.state.oidc_client
        if client is None:
            raise NotFoundError("single sign-on is not configured", code="sso-not-configured")
        if error:
            raise InvalidInputError(
                f"Keycloak ended the sign-in with {error!r}; start it again",
                code="login-failed",
            )
        key = login.derive_key(settings, b"login-cookie")
        attempt = login.LoginAttempt.unseal(request.cookies.get(login.LOGIN_COOKIE), key)
        claims, id_token = await client.finish(attempt, oidc_state, code)
        from hub.audit import record_event
        from hub.auth.users import record_user

        user = await record_user(claims, sync_memberships=True)
        if settings.demo:
            await devlogin.apply_demo_roles(user)
        await record_event("user:signed-in", actor=f"user:{user.subject}")
        await login.close_session(request.cookies.get(SESSION_COOKIE))
        return await _signed_in(settings, user, id_token, attempt.next_path)

    @post("/logout", status_code=303)
    async def logout(
        self, request: Request[Any, Any, Any], settings: NamedDependency[Settings]
    ) -> Redirect:
        id_token = await login.close_session(request.cookies.get(SESSION_COOKIE))
        client: login.OidcClient | None = request.app.state.oidc_client
        target = await client.logout_url(id_token) if client is not None and id_token else "/"
        return Redirect(target, status_code=303, cookies=[_session_cookie(settings, "", 0)])

    @get("/dev-login")
    async def dev_login_page(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        next: FromQuery[str | None] = None,
    ) -> Template:
        self._require_dev_login(request, settings)
        return await render(
            request,
            "dev_login.html",
            people=devlogin.demo_people(),
            next_path=login.safe_next_path(next),
        )

    @post("/dev-login", status_code=303)
    async def dev_login(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Redirect:
        self._require_dev_login(request, settings)
        user = await devlogin.sign_in_demo_person(data.get("email", ""))
        await login.close_session(request.cookies.get(SESSION_COOKIE))
        return await _signed_in(settings, user, None, data.get("next", "/console"))

    @staticmethod
    def _require_dev_login(request: Request[Any, Any, Any], settings: Settings) -> None:
        if not settings.dev_login or not _is_loopback_client(request):
            raise NotFoundError(
                "development sign-in is off; it exists only with HUB_DEV_LOGIN=true in demo "
                "mode, from this computer",
                code="dev-login-disabled",
            )


ROUTES = [AuthController]
