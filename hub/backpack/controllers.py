"""The backpack pages of a signed-in earner: their badges, filters, and hiding a badge."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from hub.auth import permissions
from hub.auth.principal import authenticate
from hub.auth.tables import User
from hub.backpack import holdings
from hub.errors import PermissionDeniedError
from hub.pages import render

FILTER_FIELDS = ("university", "alliance", "from", "to")
FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


async def signed_in_user(request: Request[Any, Any, Any]) -> User:
    """Return the account of the person signed in, or raise for an API token."""
    viewer = await authenticate(request)
    assert viewer is not None  # the routes' access level requires a signed-in caller
    user: User | None = None
    if viewer.user_id is not None:
        user = await User.objects().where(User.id == viewer.user_id).first()
    if user is None:
        raise PermissionDeniedError(
            f"{viewer.display_name} is not a person's account; sign in as yourself in a browser "
            "to open your backpack",
            code="backpack-needs-person",
        )
    return user


class BackpackController(Controller):
    path = "/backpack"
    opt = {"access": permissions.SIGNED_IN}

    @get("/")
    async def page(self, request: Request[Any, Any, Any]) -> Template:
        user = await signed_in_user(request)
        query = {
            key: request.query_params.get(key, "")
            for key in ("university", "alliance", "from", "to")
        }
        chosen = holdings.parse_filter(query)
        badges = await holdings.held_badges(user)
        universities = sorted(
            {(badge.tenant_slug, badge.tenant_name, badge.tenant_name_en) for badge in badges}
        )
        return await render(
            request,
            "backpack/backpack.html",
            badges=[badge for badge in badges if chosen.accepts(badge)],
            total=len(badges),
            universities=universities,
            query=query,
        )

    @post("/badges/{award_id:uuid}/visibility", status_code=303)
    async def visibility(
        self, request: Request[Any, Any, Any], award_id: FromPath[uuid.UUID], data: FormData
    ) -> Redirect:
        """Hide a badge from its public page (``hidden=1``), or show it again (``hidden=0``)."""
        user = await signed_in_user(request)
        await holdings.set_hidden(user, award_id, data.get("hidden") == "1")
        return Redirect(f"/backpack#badge-{award_id}", status_code=303)


ROUTES = [BackpackController]
