"""The hub's exception tree. Services raise these; ``hub.problems`` maps them to HTTP once."""

from __future__ import annotations

from typing import Any


class HubError(Exception):
    """Base of every domain error.

    ``code`` is a stable kebab-case identifier clients can switch on; the message may change.
    """

    code = "hub-error"

    def __init__(self, message: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.extra = extra


class InvalidInputError(HubError):
    code = "invalid-input"


class NotFoundError(HubError):
    code = "not-found"


class ConflictError(HubError):
    code = "conflict"


class AuthenticationError(HubError):
    code = "authentication-required"


class LoginRequiredError(AuthenticationError):
    """No session on a console page: browsers are sent to the sign-in page."""

    code = "login-required"


class PermissionDeniedError(HubError):
    code = "permission-denied"


class UnreadableCredentialError(InvalidInputError):
    code = "unreadable-credential"


class ServiceUnavailableError(HubError):
    code = "service-unavailable"
