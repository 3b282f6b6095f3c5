"""uvicorn's access log lines lose their query string, which can carry OAuth codes."""

from __future__ import annotations

import logging

from hub.logs import AccessLogQueryFilter, configure_logging


def access_record(path: str) -> logging.LogRecord:
    # The format and arguments of uvicorn's access log record (uvicorn.protocols.http).
    return logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", path, "1.1", 302),
        None,
    )


def test_query_string_is_redacted() -> None:
    record = access_record("/auth/callback?state=abc&code=secret-code")

    AccessLogQueryFilter().filter(record)

    assert record.getMessage() == '127.0.0.1:5000 - "GET /auth/callback?[redacted] HTTP/1.1" 302'


def test_path_without_query_is_kept() -> None:
    record = access_record("/backpack")

    AccessLogQueryFilter().filter(record)

    assert record.getMessage() == '127.0.0.1:5000 - "GET /backpack HTTP/1.1" 302'


def test_configure_logging_installs_the_filter_once() -> None:
    configure_logging("console", "info")
    configure_logging("console", "info")

    filters = logging.getLogger("uvicorn.access").filters

    assert sum(isinstance(item, AccessLogQueryFilter) for item in filters) == 1
