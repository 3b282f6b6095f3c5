"""Badges an earner imported into their backpack from elsewhere."""

from __future__ import annotations

from piccolo.columns import JSONB, ForeignKey, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from hub.auth.tables import User


class ImportedBadge(Table):
    """A credential an earner imported, stored as the exact text that passed verification.

    ``credential_format`` is the verification report's format (``ob3-json``, ``vc-jwt`` or
    ``ob2``) and ``digest`` the SHA-256 of ``credential_text``, unique per user so a badge is
    imported once. ``report`` is the verification report at import time.
    """

    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    credential_text = Text()
    credential_format = Varchar(length=16)
    digest = Varchar(length=64)
    name = Varchar(length=255)
    issuer_name = Varchar(length=255)
    issued_at = Timestamptz(null=True, default=None)
    image_url = Varchar(length=2048, default="")
    source = Varchar(length=2048)
    report = JSONB()
    imported_at = Timestamptz()
    # The credential's ``id`` (``jti`` of a VC-JWT) when it came through the Open Badges 3.0 API,
    # where sending the same credential again replaces it.
    credential_id = Varchar(length=2048, null=True, default=None)
