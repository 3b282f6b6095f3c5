"""structlog configuration: JSON lines in production, readable console output in development.

Request-scoped fields (``request_id``, ``tenant``) are bound through ``structlog.contextvars``.
A processor removes values under keys that may carry secrets or personal data, so a careless
``log.info(..., email=...)`` does not leak an earner's address.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

# Keys whose values never reach a log line. E-mail addresses are personal data of earners;
# the others are credentials.
REDACTED_KEYS = frozenset(
    {
        "email",
        "recipient_email",
        "password",
        "token",
        "authorization",
        "private_key",
        "secret",
        "key_encryption_key",
    }
)


def redact_sensitive(
    _logger: Any, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key in REDACTED_KEYS.intersection(event):
        event[key] = "[redacted]"
    return event


class AccessLogQueryFilter(logging.Filter):
    """Drop query strings from uvicorn's access log lines.

    Query strings carry OAuth authorization codes and states (``/auth/callback?code=…``), which
    are credentials while they last. The path stays, so the line still shows what was requested.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        # uvicorn's access records have the arguments client, method, path, version and status.
        if isinstance(record.args, tuple) and len(record.args) == 5:
            path = record.args[2]
            if isinstance(path, str) and "?" in path:
                arguments = list(record.args)
                arguments[2] = path.split("?", 1)[0] + "?[redacted]"
                record.args = tuple(arguments)
        return True


def configure_logging(log_format: str = "console", level: str = "info") -> None:
    renderer: Any
    if log_format == "json":
        renderer = structlog.processors.JSONRenderer()
    else:
        # Plain tracebacks: the rich formatter prints local variables, which can hold tokens.
        renderer = structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), exception_formatter=structlog.dev.plain_traceback
        )
    numeric_level = logging.getLevelNamesMapping()[level.upper()]
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact_sensitive,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(level=numeric_level, stream=sys.stderr, format="%(name)s: %(message)s")
    access_log = logging.getLogger("uvicorn.access")
    if not any(isinstance(item, AccessLogQueryFilter) for item in access_log.filters):
        access_log.addFilter(AccessLogQueryFilter())
