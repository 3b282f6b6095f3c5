"""Pages of the mail domain: the claim link, the tenant's outbox and the template editor.

Access: the outbox pages need ``award:view`` (issuers and tenant admins see what was sent to
earners); editing templates needs ``members:manage``, which only tenant admins hold.
"""

from __future__ import annotations

import contextlib
import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from hub.auth import permissions
from hub.auth.principal import Principal, authenticate
from hub.auth.tables import User
from hub.controllers import load_award
from hub.errors import PermissionDeniedError
from hub.mail import claim
from hub.mail.content import AwardGoneError, AwardNoticeWriter, sample_values
from hub.mail.sandbox import TemplateCheckError
from hub.mail.store import (
    MESSAGE_STATUSES,
    MailScope,
    load_template,
    mask_address,
    require_template_key,
    reset_template,
    save_template,
)
from hub.mail.templates import (
    MAIL_LANGUAGES,
    TEMPLATE_KINDS,
    VARIABLES,
    RenderedEmail,
    TemplateSource,
    check_template,
    render_html,
)
from hub.pages import render
from hub.settings import Settings
from tenants.services import get_tenant
from tenants.tables import Tenant

RECENT_MESSAGES = 100
FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


class ClaimController(Controller):
    """The link from the award e-mail: show the badge and attach it to the signed-in account."""

    path = "/claim/{award_id:uuid}"

    @get("/", opt={"access": permissions.PUBLIC})
    async def page(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        award_id: FromPath[uuid.UUID],
        token: FromQuery[str | None] = None,
        done: FromQuery[str | None] = None,
    ) -> Template:
        claim.check_claim_token(settings, award_id, token)
        award, tenant, _ = await load_award(award_id)
        viewer = await authenticate(request)
        path = claim.claim_path(settings, award_id)
        return await render(
            request,
            "claim.html",
            award=award,
            tenant=tenant,
            credential=award.credential,
            claim_path=path,
            login_url="/auth/login?" + urlencode({"next": path}),
            holder=await _holder(award.claimed_by, viewer),
            done=done if done in ("claimed", "already-yours") else None,
        )

    @post("/", opt={"access": permissions.SIGNED_IN}, status_code=303)
    async def claim(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        award_id: FromPath[uuid.UUID],
        token: FromQuery[str | None] = None,
    ) -> Redirect:
        # The token travels in the query string, so a sign-in that this POST triggers returns
        # to the complete claim link.
        claim.check_claim_token(settings, award_id, token)
        claimant = await _claimant(request)
        outcome = await claim.claim_award(award_id, claimant)
        return Redirect(f"{claim.claim_path(settings, award_id)}&done={outcome}", status_code=303)


async def _claimant(request: Request[Any, Any, Any]) -> claim.Claimant:
    viewer = await authenticate(request)
    assert viewer is not None  # the route's access level requires a signed-in person
    user = await _user_of(viewer)
    if user is None:
        raise PermissionDeniedError(
            f"{viewer.display_name} is not a person's account; sign in as yourself in a browser "
            "to add the badge to your account",
            code="claim-needs-person",
        )
    return claim.Claimant(subject=user.subject, actor=viewer.actor, email=user.email or "")


async def _user_of(viewer: Principal | None) -> User | None:
    if viewer is None or viewer.user_id is None:
        return None
    user: User | None = await User.objects().where(User.id == viewer.user_id).first()
    return user


async def _holder(claimed_by: str | None, viewer: Principal | None) -> str:
    """Return who has claimed the award: ``nobody``, ``viewer`` or ``someone-else``."""
    if claimed_by is None:
        return "nobody"
    user = await _user_of(viewer)
    return "viewer" if user is not None and user.subject == claimed_by else "someone-else"


class MailConsoleController(Controller):
    path = "/console/tenants/{slug:str}/emails"

    @get("/", opt={"access": "award:view"})
    async def outbox(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        status: FromQuery[str | None] = None,
    ) -> Template:
        tenant = await get_tenant(slug)
        scope = MailScope(tenant)
        chosen = status if status in MESSAGE_STATUSES else None
        messages = await scope.recent_messages(chosen, RECENT_MESSAGES)
        return await render(
            request,
            "console/emails.html",
            tenant=tenant,
            messages=[_message_row(message) for message in messages],
            counts=await scope.count_by_status(),
            statuses=MESSAGE_STATUSES,
            status=chosen,
            kinds=TEMPLATE_KINDS,
            languages=MAIL_LANGUAGES,
        )

    @get("/{email_id:uuid}", opt={"access": "award:view"})
    async def message(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        slug: FromPath[str],
        email_id: FromPath[uuid.UUID],
    ) -> Template:
        tenant = await get_tenant(slug)
        message = await MailScope(tenant).get_message(email_id)
        content = RenderedEmail(message.subject, message.body_text, message.body_html)
        is_preview = False
        if message.status == "queued" and message.award is not None:
            # Not rendered yet: show what the current template would produce now.
            with contextlib.suppress(AwardGoneError):
                writer = AwardNoticeWriter(settings)
                notice = await writer.write(tenant, message.award, message.language)
                content, is_preview = notice.rendered, True
        return await render(
            request,
            "console/emails_message.html",
            tenant=tenant,
            message=_message_row(message),
            content=content,
            is_preview=is_preview,
        )

    @get("/templates/{kind:str}/{language:str}", opt={"access": "members:manage"})
    async def template(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        slug: FromPath[str],
        kind: FromPath[str],
        language: FromPath[str],
        done: FromQuery[str | None] = None,
    ) -> Template:
        require_template_key(kind, language)
        tenant = await get_tenant(slug)
        source = await load_template(tenant.id, kind, language)
        return await self._editor(
            request, settings, tenant, source, done=done if done in ("saved", "reset") else None
        )

    @post("/templates/{kind:str}/{language:str}", opt={"access": "members:manage"})
    async def change_template(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        slug: FromPath[str],
        kind: FromPath[str],
        language: FromPath[str],
        data: FormData,
    ) -> Template | Redirect:
        """Preview (``action=preview``) or save the submitted subject and body."""
        require_template_key(kind, language)
        tenant = await get_tenant(slug)
        source = TemplateSource(
            kind,
            language,
            data.get("subject", ""),
            _normalise_newlines(data.get("body", "")),
            is_default=False,
        )
        sample = sample_values(settings, tenant, language)
        try:
            if data.get("action") == "save":
                viewer = await authenticate(request)
                assert viewer is not None  # members:manage requires a signed-in person
                await save_template(tenant, source, sample, viewer.actor)
                return Redirect(
                    f"{_template_path(slug, kind, language)}?done=saved", status_code=303
                )
            parts = check_template(kind, source.subject, source.body, sample)
        except TemplateCheckError as error:
            return await self._editor(request, settings, tenant, source, error=error)
        html = render_html(
            parts.text, subject=parts.subject, tenant_name=sample["issuer_name"], language=language
        )
        preview = RenderedEmail(parts.subject, parts.text, html)
        return await self._editor(request, settings, tenant, source, preview=preview)

    @post(
        "/templates/{kind:str}/{language:str}/reset",
        opt={"access": "members:manage"},
        status_code=303,
    )
    async def reset(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        kind: FromPath[str],
        language: FromPath[str],
    ) -> Redirect:
        require_template_key(kind, language)
        tenant = await get_tenant(slug)
        viewer = await authenticate(request)
        assert viewer is not None  # members:manage requires a signed-in person
        await reset_template(tenant, kind, language, viewer.actor)
        return Redirect(f"{_template_path(slug, kind, language)}?done=reset", status_code=303)

    @staticmethod
    async def _editor(
        request: Request[Any, Any, Any],
        settings: Settings,
        tenant: Tenant,
        source: TemplateSource,
        *,
        done: str | None = None,
        error: TemplateCheckError | None = None,
        preview: RenderedEmail | None = None,
    ) -> Template:
        stored = await load_template(tenant.id, source.kind, source.language)
        return await render(
            request,
            "console/emails_template.html",
            status_code=400 if error is not None else 200,
            tenant=tenant,
            source=source,
            stored=stored,
            variables=VARIABLES[source.kind],
            sample=sample_values(settings, tenant, source.language),
            languages=MAIL_LANGUAGES,
            done=done,
            error=error,
            preview=preview,
        )


def _template_path(slug: str, kind: str, language: str) -> str:
    return f"/console/tenants/{slug}/emails/templates/{kind}/{language}"


def _normalise_newlines(text: str) -> str:
    """Browsers send textarea lines ending in CRLF; templates store LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _message_row(message: Any) -> dict[str, Any]:
    return {
        "id": message.id,
        "kind": message.kind,
        "language": message.language,
        "status": message.status,
        "attempts": message.attempts,
        "recipient": mask_address(message.to_address),
        "subject": message.subject,
        "created_at": message.created_at,
        "next_attempt_at": message.next_attempt_at if message.status == "queued" else None,
        "sent_at": message.sent_at,
        "last_error": message.last_error,
        "award": message.award,
    }


ROUTES = [ClaimController, MailConsoleController]
