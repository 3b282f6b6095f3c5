"""The error of a send that failed, with what the earner's page shows about it."""

from __future__ import annotations

from hub.errors import HubError

# The HTTP status of each error code's page. Failures of the other host are 502 Bad Gateway:
# the earner's request was fine, the host it named was not.
STATUS_BY_CODE = {
    "host-url-invalid": 400,
    "host-not-allowed": 400,
    "send-expired": 400,
    "send-state-mismatch": 400,
    "badge-not-sendable": 400,
    "host-unreachable": 502,
    "host-discovery-invalid": 502,
    "host-cannot-receive": 502,
    "registration-rejected": 502,
    "authorization-denied": 502,
    "token-rejected": 502,
    "upsert-rejected": 502,
}

# Codes whose ``detail`` is the other host's own response, rather than this hub's finding.
HOST_ANSWER_CODES = frozenset(
    {"registration-rejected", "authorization-denied", "token-rejected", "upsert-rejected"}
)


class SendError(HubError):
    """A send that failed; ``code`` selects the translated text shown to the earner.

    ``host`` names the other host as the earner typed or chose it. ``detail`` is the host's
    own explanation (an OAuth ``error_description`` or an ``imsx_description``) when it sent one.
    """

    def __init__(self, code: str, message: str, *, host: str = "", detail: str = "") -> None:
        super().__init__(message, code=code)
        self.host = host
        self.detail = detail

    @property
    def status(self) -> int:
        return STATUS_BY_CODE.get(self.code, 502)

    @property
    def is_host_answer(self) -> bool:
        return self.code in HOST_ANSWER_CODES
