"""The backpack pages of a signed-in earner: their badges, filters, and hiding a badge."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from hub.auth import permissions
from hub.auth.principal import authenticate
from hub.auth.tables import User
from hub.backpack import holdings, importing
from hub.backpack.tables import ImportedBadge
from hub.errors import NotFoundError, PermissionDeniedError
from hub.pages import render
from hub.settings import Settings
from hub.verify_page import read_submission

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
        imported = await imported_badges(user)
        return await render(
            request,
            "backpack/backpack.html",
            badges=[badge for badge in badges if chosen.accepts(badge)],
            total=len(badges),
            universities=universities,
            query=query,
            imported=[badge for badge in imported if chosen.accepts_imported(badge.issued_at)],
            imported_total=len(imported),
            just_imported=request.query_params.get("imported") == "1",
        )

    @post("/badges/{award_id:uuid}/visibility", status_code=303)
    async def visibility(
        self, request: Request[Any, Any, Any], award_id: FromPath[uuid.UUID], data: FormData
    ) -> Redirect:
        """Hide a badge from its public page (``hidden=1``), or show it again (``hidden=0``)."""
        user = await signed_in_user(request)
        await holdings.set_hidden(user, award_id, data.get("hidden") == "1")
        return Redirect(f"/backpack#badge-{award_id}", status_code=303)

    @get("/import")
    async def import_form(self, request: Request[Any, Any, Any]) -> Template:
        await signed_in_user(request)
        return await render(request, "backpack/import.html", report=None)

    @post("/import", status_code=303)
    async def import_badge(
        self, request: Request[Any, Any, Any], settings: NamedDependency[Settings]
    ) -> Redirect | Template:
        """Verify the uploaded file, pasted text or URL and add it to the backpack if valid."""
        user = await signed_in_user(request)
        submission = await read_submission(request)
        form = await request.form()
        upload = form.get("file")
        source = getattr(upload, "filename", "") or str(form.get("url") or "") or "text"
        outcome = await importing.import_badge(settings, user, submission.data, source)
        if outcome.badge is None:
            return await render(
                request,
                "backpack/import.html",
                status_code=422,
                report=outcome.report,
                recipient_failed=outcome.recipient_failed,
            )
        return Redirect("/backpack?imported=1", status_code=303)

    @get("/imported/{badge_id:int}/credential")
    async def imported_credential(
        self, request: Request[Any, Any, Any], badge_id: FromPath[int]
    ) -> Response[str]:
        """Return the stored credential text of an imported badge, as it was verified."""
        badge = await own_imported_badge(await signed_in_user(request), badge_id)
        is_jws = not badge.credential_text.startswith("{")
        suffix, media_type = ("jwt", "application/jwt") if is_jws else ("json", "application/json")
        return Response(
            badge.credential_text,
            media_type=media_type,
            headers={"Content-Disposition": f'attachment; filename="imported-{badge_id}.{suffix}"'},
        )

    @post("/imported/{badge_id:int}/delete", status_code=303)
    async def delete_imported(
        self, request: Request[Any, Any, Any], badge_id: FromPath[int]
    ) -> Redirect:
        """Remove an imported badge from the backpack."""
        badge = await own_imported_badge(await signed_in_user(request), badge_id)
        await ImportedBadge.delete().where(ImportedBadge.id == badge.id)  # type: ignore[attr-defined]
        return Redirect("/backpack", status_code=303)


async def imported_badges(user: User) -> list[ImportedBadge]:
    """Return the badges ``user`` imported, newest import first."""
    rows: list[ImportedBadge] = (
        await ImportedBadge.objects()
        .where(ImportedBadge.user == user.id)  # type: ignore[attr-defined]
        .order_by(ImportedBadge.imported_at, ascending=False)
    )
    return rows


async def own_imported_badge(user: User, badge_id: int) -> ImportedBadge:
    badge: ImportedBadge | None = (
        await ImportedBadge.objects()
        .where((ImportedBadge.id == badge_id) & (ImportedBadge.user == user.id))  # type: ignore[attr-defined]
        .first()
    )
    if badge is None:
        raise NotFoundError(
            f"no imported badge {badge_id} is in your backpack", code="imported-badge-not-found"
        )
    return badge


ROUTES = [BackpackController]
