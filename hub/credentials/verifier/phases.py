"""The two phases of a verification: the checks that need only keys, then the status check.

:func:`verify_without_status` does the JSON-LD and signature work, which a worker process can do
with keys resolved beforehand (see ``pool``). :func:`add_status_check` needs the status list
resolver, which may need the database, so the web process runs it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from hub.credentials import vcjwt
from hub.credentials.keys import KeyResolver
from hub.credentials.report import CheckId, VerificationReport
from hub.credentials.statuslist import StatusListResolver
from hub.credentials.verifier.content import check_status
from hub.credentials.verifier.jwt_vc import _verify_jwt
from hub.credentials.verifier.ldp_vc import _verify_embedded


async def verify_without_status(
    parsed: dict[str, Any] | vcjwt.VcJwt, resolver: KeyResolver, now: datetime
) -> VerificationReport:
    """Run every check except the status check, which is left out of the report.

    Reports of a format that is not supported already contain a skipped status check.
    """
    if isinstance(parsed, vcjwt.VcJwt):
        return await _verify_jwt(parsed, resolver, now)
    return await _verify_embedded(parsed, resolver, now)


async def add_status_check(
    report: VerificationReport,
    parsed: Mapping[str, Any] | vcjwt.VcJwt,
    resolver: KeyResolver,
    status_resolver: StatusListResolver | None,
    now: datetime,
) -> VerificationReport:
    """Append the status check, the last of the report, unless the report already has one."""
    if report.check(CheckId.STATUS) is not None:
        return report
    credential = parsed.credential if isinstance(parsed, vcjwt.VcJwt) else parsed
    status = await check_status(credential or {}, resolver, status_resolver, now)
    return dataclasses.replace(report, checks=(*report.checks, status))
