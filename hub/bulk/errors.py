"""Errors of a bulk upload: problems with the whole file, and problems with one row.

Both carry a stable code and the values of their message, so the console can show them in French
or English. The API and the command line use the English text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from hub.errors import InvalidInputError
from hub.i18n import translate


class BulkFileError(InvalidInputError):
    """The uploaded file cannot be used at all, so nothing of it is stored."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(translate("en", f"bulk.file.{code}", **params), code=code)
        self.params = params

    def message_in(self, language: str) -> str:
        return translate(language, f"bulk.file.{self.code}", **self.params)


class UploadTooLargeError(BulkFileError):
    """The file is over the size limit; the API returns 413."""

    def __init__(self, maximum_bytes: int) -> None:
        maximum_mib = f"{maximum_bytes / (1024 * 1024):.3g}"
        super().__init__("upload-too-large", maximum_mib=maximum_mib, maximum_bytes=maximum_bytes)


@dataclass(frozen=True)
class RowProblem:
    """The reason one data row cannot be awarded, stored as JSON in ``bulk_award_row.error``."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, language: str = "en") -> str:
        return translate(language, f"bulk.row.{self.code}", **self.params)

    def to_json(self) -> str:
        return json.dumps({"code": self.code, "params": self.params}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> RowProblem:
        data = json.loads(text)
        return cls(code=data["code"], params=data.get("params", {}))
