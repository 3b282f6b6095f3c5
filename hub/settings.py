"""The hub's one typed settings object, read from ``HUB_*`` environment variables."""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

SMTP_TLS_MODES = ("starttls", "tls", "none")
MAX_SMTP_TIMEOUT_SECONDS = 300.0


class SettingsError(ValueError):
    """A setting is missing or invalid; the message names the variable and the fix."""


def _describe(description: str, **metadata: Any) -> dict[str, Any]:
    return {"description": description, **metadata}


@dataclass(frozen=True)
class Settings:
    """Every field maps to one ``HUB_<FIELD>`` environment variable (see ``README.md``)."""

    demo: bool = field(
        default=False,
        metadata=_describe(
            "Demo mode: generate and keep a key-encryption key in the data folder, seed data."
        ),
    )
    data_dir: Path = field(
        default=Path("var"),
        metadata=_describe("Folder for the embedded PostgreSQL, the demo key and other state."),
    )
    database_url: str | None = field(
        default=None,
        metadata=_describe(
            "PostgreSQL URL (postgresql://user:pass@host/db); unset starts an embedded server."
        ),
    )
    public_url: str = field(
        default="http://127.0.0.1:8000",
        metadata=_describe("Public base URL of the hub; its host names every tenant's did:web."),
    )
    host: str = field(default="127.0.0.1", metadata=_describe("Address the server listens on."))
    port: int = field(default=8000, metadata=_describe("TCP port the server listens on."))
    key_encryption_key: bytes | None = field(
        default=None,
        repr=False,
        metadata=_describe(
            "Base64 of 32 random bytes that encrypt issuer private keys (AES-256-GCM). "
            "Required outside demo mode; create one with `badgehub kek generate`."
        ),
    )
    keycloak_url: str | None = field(
        default=None,
        metadata=_describe(
            "Base URL of the alliance Keycloak (e.g. https://sso.example.eu); unset disables SSO."
        ),
    )
    keycloak_realm: str = field(default="eunice", metadata=_describe("Keycloak realm name."))
    oidc_client_id: str = field(
        default="badgehub-web", metadata=_describe("Client id of the hub's web login.")
    )
    oidc_client_secret: str | None = field(
        default=None,
        repr=False,
        metadata=_describe("Client secret of the web login client (from Keycloak)."),
    )
    api_audience: str = field(
        default="badgehub-api",
        metadata=_describe("Audience that bearer access tokens must carry in `aud`."),
    )
    api_allowed_clients: tuple[str, ...] = field(
        default=("badgehub-web",),
        metadata=_describe("Comma-separated client ids accepted as `azp` of bearer tokens."),
    )
    provisioning_client_id: str = field(
        default="badgehub-provisioning",
        metadata=_describe("Service-account client that creates Keycloak organizations."),
    )
    provisioning_client_secret: str | None = field(
        default=None,
        repr=False,
        metadata=_describe("Secret of the provisioning client; unset skips provisioning."),
    )
    dev_login: bool = field(
        default=False,
        metadata=_describe(
            "Development sign-in as a seeded demo user; only in demo mode on a loopback host."
        ),
    )
    session_idle_minutes: int = field(
        default=30, metadata=_describe("A console session ends after this many idle minutes.")
    )
    session_max_hours: int = field(
        default=8, metadata=_describe("A console session ends this many hours after sign-in.")
    )
    log_format: str = field(
        default="console",
        metadata=_describe("`json` for production log shipping, `console` for people."),
    )
    log_level: str = field(default="info", metadata=_describe("debug, info, warning or error."))
    mail_transport: str | None = field(
        default=None,
        metadata=_describe(
            "`smtp` sends e-mail through the SMTP server; `outbox` only keeps the messages for "
            "the console. Unset means `outbox` in demo mode and `smtp` otherwise."
        ),
    )
    mail_from: str | None = field(
        default=None,
        metadata=_describe(
            "Sender address of e-mails (e.g. badges@univ.example); required to send over SMTP."
        ),
    )
    mail_reply_to: str | None = field(
        default=None, metadata=_describe("Reply-To address of e-mails; unset sends none.")
    )
    smtp_host: str = field(default="localhost", metadata=_describe("SMTP server (relay) host."))
    smtp_port: int | None = field(
        default=None,
        metadata=_describe("SMTP port; unset means 25, 587 with STARTTLS or 465 with TLS."),
    )
    smtp_username: str | None = field(
        default=None, metadata=_describe("SMTP user name; unset sends without authentication.")
    )
    smtp_password: str | None = field(
        default=None, repr=False, metadata=_describe("SMTP password of HUB_SMTP_USERNAME.")
    )
    smtp_tls: str = field(
        default="starttls",
        metadata=_describe(
            "`starttls` (upgrade a plain connection, required), `tls` (TLS from the start, "
            "port 465) or `none` (plain text, for a relay on the same host)."
        ),
    )
    smtp_timeout_seconds: float = field(
        default=30.0, metadata=_describe("Seconds to wait for the SMTP server at each step.")
    )
    bulk_max_rows: int = field(
        default=50_000,
        metadata=_describe("Maximum data rows in one CSV file of bulk awards; split larger files."),
    )
    bulk_max_file_mb: int = field(
        default=20,
        metadata=_describe("Maximum size in MiB of one CSV file of bulk awards (larger gets 413)."),
    )
    bulk_signing_processes: int = field(
        default=1,
        metadata=_describe(
            "Processes a worker uses to sign bulk awards in parallel; 0 signs in the worker itself."
        ),
    )

    metrics_token: str | None = field(
        default=None,
        repr=False,
        metadata=_describe(
            "Bearer token that /metrics requires; unset leaves /metrics open, so set it "
            "whenever the ingress or other tenants' pods can reach the web port."
        ),
    )

    tracing: bool = field(
        default=False,
        metadata=_describe(
            "Export OpenTelemetry traces over OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT "
            "(the standard OTEL_* variables configure the exporter)."
        ),
    )

    outbound_loopback_peers: tuple[str, ...] = field(
        default=(),
        metadata=_describe(
            "Comma-separated host:port pairs on loopback that verification may fetch from, also "
            "over plain HTTP (two hubs on one machine); empty in production."
        ),
    )
    outbound_timeout_seconds: float = field(
        default=5.0,
        metadata=_describe(
            "Seconds one outbound fetch (did:web document, status list, peer registry) may take."
        ),
    )
    outbound_max_kb: int = field(
        default=1024,
        metadata=_describe("Maximum size in KiB of one document fetched from another server."),
    )
    outbound_ca_file: Path | None = field(
        default=None,
        metadata=_describe("Extra CA certificates (PEM) trusted for outbound HTTPS fetches."),
    )
    outbound_cache_seconds: float = field(
        default=300.0,
        metadata=_describe("Seconds a fetched document stays cached; 0 turns the cache off."),
    )
    privacy_policy_url: str | None = field(
        default=None,
        metadata=_describe(
            "URL of the privacy policy shown to Open Badges API clients; unset uses /privacy."
        ),
    )
    terms_of_service_url: str | None = field(
        default=None,
        metadata=_describe(
            "URL of the terms of service shown to Open Badges API clients; unset uses /privacy."
        ),
    )
    peer_sync_minutes: int = field(
        default=15,
        metadata=_describe(
            "Minutes between two background syncs of a peer hub's registry and DID documents."
        ),
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read settings from ``HUB_*`` variables, rejecting invalid values with the fix."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for spec in fields(cls):
            name = f"HUB_{spec.name.upper()}"
            raw = environ.get(name)
            if raw is None or raw == "":
                continue
            values[spec.name] = _parse(name, spec.name, raw)
        settings = cls(**values)
        settings.validate()
        return settings

    def validate(self) -> None:
        parts = urlsplit(self.public_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SettingsError(
                f"HUB_PUBLIC_URL={self.public_url!r} is not an http(s) URL; "
                "set it to the address people use, e.g. https://badges.example.eu"
            )
        if parts.path not in ("", "/"):
            raise SettingsError(
                f"HUB_PUBLIC_URL={self.public_url!r} has a path; did:web identifiers need the hub "
                "at the root of its host, so serve it at https://HOST/"
            )
        if self.dev_login and not (self.demo and is_loopback(self.host)):
            raise SettingsError(
                "HUB_DEV_LOGIN=true lets anyone sign in as any demo user, so it works only with "
                f"HUB_DEMO=true and a loopback HUB_HOST (got demo={self.demo}, "
                f"host={self.host!r}); turn it off and configure HUB_KEYCLOAK_URL instead"
            )
        if self.keycloak_url is not None and not self.keycloak_url.startswith(
            ("http://", "https://")
        ):
            raise SettingsError(
                f"HUB_KEYCLOAK_URL={self.keycloak_url!r} is not an http(s) URL, e.g. "
                "https://sso.example.eu"
            )
        if self.log_format not in ("json", "console"):
            raise SettingsError(f"HUB_LOG_FORMAT={self.log_format!r}: use `json` or `console`")
        if self.log_level not in ("debug", "info", "warning", "error"):
            raise SettingsError(
                f"HUB_LOG_LEVEL={self.log_level!r}: use debug, info, warning or error"
            )
        self._validate_mail()

    def _validate_mail(self) -> None:
        if self.mail_transport not in (None, "smtp", "outbox"):
            raise SettingsError(
                f"HUB_MAIL_TRANSPORT={self.mail_transport!r}: use `smtp` or `outbox`"
            )
        if self.smtp_tls not in SMTP_TLS_MODES:
            raise SettingsError(f"HUB_SMTP_TLS={self.smtp_tls!r}: use starttls, tls or none")
        for variable, address in (
            ("HUB_MAIL_FROM", self.mail_from),
            ("HUB_MAIL_REPLY_TO", self.mail_reply_to),
        ):
            if address is not None and not is_mail_address(address):
                raise SettingsError(
                    f"{variable}={address!r} is not an e-mail address; give a bare address such "
                    "as badges@univ.example (the sender name is the university's)"
                )
        if (self.smtp_username is None) != (self.smtp_password is None):
            raise SettingsError(
                "set both HUB_SMTP_USERNAME and HUB_SMTP_PASSWORD, or neither for a relay "
                "without authentication"
            )
        plain_text = self.smtp_tls == "none" and not is_loopback(self.smtp_host)
        if self.smtp_password is not None and plain_text:
            raise SettingsError(
                f"HUB_SMTP_TLS=none would send the SMTP password in clear text to "
                f"{self.smtp_host!r}; use HUB_SMTP_TLS=starttls or tls"
            )
        if not 0 < self.smtp_timeout_seconds <= MAX_SMTP_TIMEOUT_SECONDS:
            raise SettingsError(
                f"HUB_SMTP_TIMEOUT_SECONDS={self.smtp_timeout_seconds}: give a number of seconds "
                f"above 0 and at most {MAX_SMTP_TIMEOUT_SECONDS:g}"
            )

    def require_key_encryption_key(self) -> bytes:
        if self.key_encryption_key is None:
            raise SettingsError(
                "HUB_KEY_ENCRYPTION_KEY is not set; issuer private keys cannot be decrypted. "
                "Create one with `badgehub kek generate`, keep it in your secret store, and set "
                "HUB_KEY_ENCRYPTION_KEY (or run with HUB_DEMO=true for a throwaway demo key)."
            )
        return self.key_encryption_key

    @property
    def effective_mail_transport(self) -> str:
        """The transport in use: the configured one, or the default of the mode."""
        if self.mail_transport is not None:
            return self.mail_transport
        return "outbox" if self.demo else "smtp"

    @property
    def effective_smtp_port(self) -> int:
        if self.smtp_port is not None:
            return self.smtp_port
        return {"tls": 465, "starttls": 587}.get(self.smtp_tls, 25)

    def require_mail_from(self) -> str:
        if self.mail_from is None:
            raise SettingsError(
                "HUB_MAIL_FROM is not set, so e-mails cannot be sent over SMTP; set it to the "
                "sender address your relay accepts, e.g. badges@univ.example (queued e-mails "
                "wait until it is set)"
            )
        return self.mail_from

    @property
    def keycloak_issuer(self) -> str | None:
        """The realm's OpenID Connect issuer, as Keycloak writes it into tokens."""
        if self.keycloak_url is None:
            return None
        return f"{self.keycloak_url.rstrip('/')}/realms/{self.keycloak_realm}"

    @property
    def bulk_max_file_bytes(self) -> int:
        return self.bulk_max_file_mb * 1024 * 1024

    @property
    def base_url(self) -> str:
        return self.public_url.rstrip("/")

    @property
    def did_web_host(self) -> str:
        """The host part of did:web identifiers, with the port's colon percent-encoded."""
        netloc = urlsplit(self.public_url).netloc
        return quote(netloc, safe="")


def _parse(variable: str, name: str, raw: str) -> Any:
    if name in ("demo", "dev_login", "tracing"):
        return _parse_bool(variable, raw)
    if name == "api_allowed_clients":
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    if name == "outbound_loopback_peers":
        return parse_loopback_peers(variable, raw)
    if name in ("outbound_timeout_seconds", "outbound_cache_seconds"):
        return _parse_seconds(variable, raw, allow_zero=name == "outbound_cache_seconds")
    if name == "outbound_ca_file":
        return Path(raw)
    if name == "smtp_timeout_seconds":
        try:
            return float(raw)
        except ValueError:
            raise SettingsError(f"{variable}={raw!r} is not a number of seconds") from None
    if name in (
        "session_idle_minutes",
        "session_max_hours",
        "bulk_max_rows",
        "bulk_max_file_mb",
        "outbound_max_kb",
        "peer_sync_minutes",
    ):
        if not raw.isdigit() or int(raw) < 1:
            raise SettingsError(f"{variable}={raw!r} must be a whole number of at least 1")
        return int(raw)
    if name == "bulk_signing_processes":
        if not raw.isdigit() or int(raw) > 64:
            raise SettingsError(f"{variable}={raw!r} must be a whole number from 0 to 64")
        return int(raw)
    if name in ("port", "smtp_port"):
        if not raw.isdigit() or not 0 < int(raw) < 65536:
            raise SettingsError(f"{variable}={raw!r} is not a TCP port; use a number 1-65535")
        return int(raw)
    if name == "data_dir":
        return Path(raw)
    if name == "key_encryption_key":
        return parse_key_encryption_key(raw, variable)
    return raw


def parse_loopback_peers(variable: str, raw: str) -> tuple[str, ...]:
    """Parse ``host:port`` pairs separated by commas; every host must be a loopback address."""
    peers: list[str] = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        host, colon, port = item.rpartition(":")
        host = host.strip("[]").lower()
        if not colon or not port.isdigit() or not 0 < int(port) < 65536:
            raise SettingsError(
                f"{variable}: {item!r} is not host:port; list loopback peers such as "
                "127.0.0.1:8101,localhost:8102"
            )
        if not is_loopback(host):
            raise SettingsError(
                f"{variable}: {host!r} is not a loopback host; only loopback hosts (127.0.0.1, "
                "::1, localhost) may be listed"
            )
        peers.append(f"{host}:{int(port)}")
    return tuple(peers)


def _parse_seconds(variable: str, raw: str, *, allow_zero: bool) -> float:
    try:
        seconds = float(raw)
    except ValueError:
        raise SettingsError(f"{variable}={raw!r} is not a number of seconds") from None
    minimum_ok = seconds >= 0 if allow_zero else seconds > 0
    if not minimum_ok or seconds > 3600:
        bound = "0" if allow_zero else "more than 0"
        raise SettingsError(f"{variable}={raw!r} must be from {bound} to 3600 seconds")
    return seconds


def is_mail_address(value: str) -> bool:
    """Check the shape local@domain of a bare address, without a display name or spaces."""
    local, at, domain = value.rpartition("@")
    if not at or not local or "." not in domain.strip("."):
        return False
    return not any(character.isspace() or character in '<>",;' for character in value)


def is_loopback(host: str) -> bool:
    """True for loopback listen addresses; an empty value means the default, 127.0.0.1."""
    if not host:
        return True
    return host in ("127.0.0.1", "::1", "localhost") or host.startswith("127.")


def _parse_bool(variable: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{variable}={raw!r} is not a boolean; use true or false")


def parse_key_encryption_key(raw: str, variable: str = "HUB_KEY_ENCRYPTION_KEY") -> bytes:
    try:
        key = base64.b64decode(raw.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise SettingsError(
            f"{variable} is not valid base64; create one with `badgehub kek generate`"
        ) from None
    if len(key) != 32:
        raise SettingsError(
            f"{variable} decodes to {len(key)} bytes, AES-256 needs 32; "
            "create one with `badgehub kek generate`"
        )
    return key
